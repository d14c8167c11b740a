use super::*;
use crate::source::SourceFile;
use crate::yaml::{parse_file, Limits};

fn docs(text: &str) -> (Vec<Document>, bool) {
    let file = SourceFile::new(0, "t.yaml".into(), text.into());
    let parsed = parse_file(&file, &Limits::default());
    let failed = !parsed.diagnostics.is_empty();
    (parsed.documents, failed)
}

#[test]
fn a_file_holds_objects_when_a_document_has_api_version_and_kind() {
    let (d, f) = docs("name: ci\non: push\n");
    assert!(!holds_objects(&d, "name: ci\non: push\n", f));
    let text = "a: 1\n---\napiVersion: v1\nkind: ConfigMap\n";
    let (d, f) = docs(text);
    assert!(holds_objects(&d, text, f));
    // Only `kind` (a Helm index, a tool config with `kind` alone) is not enough.
    let (d, f) = docs("apiVersion: v2\nname: chart\n");
    assert!(!holds_objects(&d, "apiVersion: v2\nname: chart\n", f));
}

#[test]
fn a_broken_manifest_still_counts_as_one() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n";
    let (d, failed) = docs(text);
    assert!(failed);
    assert!(holds_objects(&d, text, failed));
    let text = "jobs:\n  build: [a\n";
    let (d, failed) = docs(text);
    assert!(!holds_objects(&d, text, failed));
}

#[test]
fn tool_configs_are_recognised_by_group() {
    let (d, _) = docs("apiVersion: skaffold/v4beta6\nkind: Config\n");
    assert!(is_tool_config(&d));
    let (d, _) = docs("apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n---\n");
    assert!(is_tool_config(&d));
    // A file that mixes a tool config with a real object is a manifest.
    let (d, _) =
        docs("apiVersion: skaffold/v4beta6\nkind: Config\n---\napiVersion: v1\nkind: Pod\n");
    assert!(!is_tool_config(&d));
    // `cluster.x-k8s.io` (Cluster API) objects are cluster objects, unlike `kind.x-k8s.io`.
    let (d, _) = docs("apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\n");
    assert!(!is_tool_config(&d));
}

#[test]
fn kubernetes_component_configs_and_kubeconfigs_are_tool_configs() {
    for text in [
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n",
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n",
        "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n",
        "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\n",
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n",
        "apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n",
        "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n",
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
        "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\n",
        "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\n",
        "apiVersion: fn.kpt.dev/v1alpha1\nkind: SetLabels\n",
        "apiVersion: meta.pkg.crossplane.io/v1\nkind: Configuration\n",
        "apiVersion: vendir.k14s.io/v1alpha1\nkind: Config\n",
        // Any group, when kustomize's and kpt's annotation says it is never applied.
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n",
    ] {
        let (d, _) = docs(text);
        assert!(is_tool_config(&d), "{text}");
    }
    // Objects the API server serves are not, in those groups' neighbours or in `v1`.
    for text in [
        "apiVersion: v1\nkind: ConfigMap\n",
        "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\n",
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n",
        "apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\n",
        "apiVersion: internal.apiserver.k8s.io/v1alpha1\nkind: StorageVersion\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/local-config: \"false\"\n",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n",
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n---\napiVersion: v1\nkind: Config\n---\napiVersion: v1\nkind: Pod\n",
    ] {
        let (d, _) = docs(text);
        assert!(!is_tool_config(&d), "{text}");
    }
}

#[test]
fn a_template_has_a_line_that_is_a_template_action() {
    assert!(is_template("a: 1\n{{- range .Items }}\n- x\n{{ end }}\n"));
    assert!(is_template("spec:\n  {% if tls %}\n  tls: true\n"));
    // `{{` inside a value or a string is a placeholder, not a template line.
    assert!(!is_template("name: {{ .Name }}\nimage: \"{{ image }}\"\n"));
    assert!(!is_template("data:\n  mode: [fast\n"));
}

#[test]
fn a_ytt_template_has_an_annotation_comment() {
    assert!(is_ytt_template(
        "#@ load(\"@ytt:data\", \"data\")\n---\nkind: Deployment\n"
    ));
    assert!(is_ytt_template(
        "spec:\n  #@ if data.values.tls:\n  tls: true\n"
    ));
    assert!(is_ytt_template("metadata:\n  name: #@ data.values.name\n"));
    assert!(is_ytt_template("args:\n- #@ data.values.flag\n"));
    // `#@` elsewhere is text: a URL fragment, a string, a comment that merely contains it.
    assert!(!is_ytt_template("url: https://x.example/#@top\n"));
    assert!(!is_ytt_template("# mail me at ops#@example\nkind: Pod\n"));
    assert!(!is_ytt_template("kind: Pod\n"));
}
