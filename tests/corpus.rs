//! The real-world corpus (`../shared/corpus/real`, 952 files from public projects) must come
//! out with no errors except the ones listed here, each a real defect of the file. Skipped
//! when `../shared` is absent.

use std::collections::BTreeMap;
use std::path::Path;

use kubevet::diagnostics::Severity;
use kubevet::{check, Options};

/// (path suffix, rule, why the error is genuine).
const KNOWN_ERRORS: &[(&str, &str, &str)] = &[
    (
        "kubernetes__examples/_archived/spark/spark-gluster/spark-master-controller.yaml",
        "volume-plugin-removed",
        "a `glusterfs` volume: its in-tree plugin is non-functional from Kubernetes 1.26 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/spark/spark-gluster/spark-worker-controller.yaml",
        "volume-plugin-removed",
        "a `glusterfs` volume: its in-tree plugin is non-functional from Kubernetes 1.26 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/cephfs/cephfs-with-secret.yaml",
        "volume-plugin-removed",
        "a `cephfs` volume: its in-tree plugin is non-functional from Kubernetes 1.31 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/cephfs/cephfs.yaml",
        "volume-plugin-removed",
        "a `cephfs` volume: its in-tree plugin is non-functional from Kubernetes 1.31 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/flocker/flocker-pod-with-rc.yml",
        "volume-plugin-removed",
        "a `flocker` volume: its in-tree plugin is non-functional from Kubernetes 1.25 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/flocker/flocker-pod.yml",
        "volume-plugin-removed",
        "a `flocker` volume: its in-tree plugin is non-functional from Kubernetes 1.25 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/glusterfs/glusterfs-pod.yaml",
        "volume-plugin-removed",
        "a `glusterfs` volume: its in-tree plugin is non-functional from Kubernetes 1.26 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/quobyte/quobyte-pod.yaml",
        "volume-plugin-removed",
        "a `quobyte` volume: its in-tree plugin is non-functional from Kubernetes 1.25 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/rbd/rbd-with-secret.yaml",
        "volume-plugin-removed",
        "a `rbd` volume: its in-tree plugin is non-functional from Kubernetes 1.31 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/rbd/rbd.yaml",
        "volume-plugin-removed",
        "a `rbd` volume: its in-tree plugin is non-functional from Kubernetes 1.31 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/scaleio/pod.yaml",
        "volume-plugin-removed",
        "a `scaleIO` volume: its in-tree plugin is non-functional from Kubernetes 1.22 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/storageos/storageos-pod.yaml",
        "volume-plugin-removed",
        "a `storageos` volume: its in-tree plugin is non-functional from Kubernetes 1.25 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/storageos/storageos-pv.yaml",
        "volume-plugin-removed",
        "a `storageos` volume: its in-tree plugin is non-functional from Kubernetes 1.25 (the example was archived for it); the kubelet cannot mount it",
    ),
    (
        "kubernetes__examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml",
        "unsupported-value",
        "`protocol: tcp`: the API server only accepts `TCP`, `UDP`, `SCTP` (case-sensitive)",
    ),
    (
        "kubernetes__examples/_archived/volumes/cinder/cinder-web.yaml",
        "unsupported-value",
        "`protocol: tcp`: the API server only accepts `TCP`, `UDP`, `SCTP` (case-sensitive)",
    ),
    (
        "kubernetes__examples/_archived/openshift-origin/etcd-controller.yaml",
        "duplicate-key",
        "`selector` written twice in the spec",
    ),
    (
        "kubernetes__examples/_archived/openshift-origin/etcd-discovery-controller.yaml",
        "duplicate-key",
        "`selector` written twice in the spec",
    ),
    (
        "kubernetes__examples/_archived/openshift-origin/openshift-controller.yaml",
        "duplicate-key",
        "`selector` written twice in the spec",
    ),
    (
        "kubernetes__examples/_archived/persistent-volume-provisioning/quobyte/quobyte-admin-secret.yaml",
        "duplicate-key",
        "top-level `type` written twice",
    ),
    (
        "kubernetes__examples/_archived/volumes/scaleio/sc-pvc.yaml",
        "duplicate-key",
        "`storageClassName` written twice",
    ),
    (
        "istio__istio/samples/mtls-echo/mtls-echo.yaml",
        "volume-mount-undeclared",
        "mounts `ca-certs` but the volume is named `ca`: the API server rejects the pod",
    ),
    (
        "kubernetes__kubernetes/hack/testdata/invalid-deployment-unknown-and-duplicate-fields.yaml",
        "duplicate-key",
        "a kubectl test fixture that is invalid on purpose",
    ),
    // Custom resources of a version the run's CRD declares `served: false`.
    (
        "istio__istio/samples/tcp-echo/gateway-api/tcp-echo-20-v2.yaml",
        "unknown-kind",
        "TCPRoute `gateway.networking.k8s.io/v1alpha2`, which the gateway-api CRD in the corpus (standard channel, 2026-08) declares `served: false`: a cluster with it rejects the sample",
    ),
    (
        "istio__istio/samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml",
        "unknown-kind",
        "TCPRoute `gateway.networking.k8s.io/v1alpha2`, which the gateway-api CRD in the corpus declares `served: false`",
    ),
    (
        "kubernetes-sigs__gateway-api/examples/experimental/destination-port-matching-tcp.yaml",
        "unknown-kind",
        "an experimental-channel example (TCPRoute v1alpha2); the corpus holds only the standard-channel CRDs, which declare that version `served: false`",
    ),
    (
        "kubernetes-sigs__gateway-api/examples/experimental/v1alpha2/tls-routing/tls-route.yaml",
        "unknown-kind",
        "an experimental-channel example (TLSRoute v1alpha2); the standard-channel CRD in the corpus declares that version `served: false`",
    ),
    (
        "kubernetes-sigs__gateway-api/examples/experimental/v1alpha3/tls-routing/tls-route.yaml",
        "unknown-kind",
        "an experimental-channel example (TLSRoute v1alpha3); the standard-channel CRD in the corpus declares that version `served: false`",
    ),
    // Schema findings (see schemas/CORPUS-NOTES.md).
    (
        "argoproj__argo-cd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "a reference page listing every generator; several blocks are mis-indented (clusterDecisionResource and plugin fields beside the generator key, `values` under `github`) or use fields the ApplicationSet CRD in the corpus does not define (`revision`, `useCredentials`, `parameters`, `awsCodeCommit`)",
    ),
    (
        "argoproj__argo-cd/docs/operator-manual/argocd-repo-creds.yaml",
        "invalid-type",
        "`stringData.githubAppID: 1` is a number; Secret stringData values must be strings",
    ),
    (
        "istio__istio/samples/security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml",
        "unknown-field",
        "`spec.className` is not in the ClusterFederatedTrustDomain CRD shipped in the corpus (spire-quickstart.yaml); the API server would prune it",
    ),
    (
        "kubernetes-sigs__metrics-server/manifests/base/deployment.yaml",
        "missing-required-field",
        "a kustomize base whose selector is added by an overlay; as written apps/v1 rejects it",
    ),
    (
        "kubernetes-sigs__metrics-server/manifests/components/high-availability/pdb.yaml",
        "removed-api-version",
        "policy/v1beta1 PodDisruptionBudget, removed in 1.25",
    ),
    (
        "kubernetes__dashboard/hack/test-resources/nginx-daemon-daemon-set.yaml",
        "missing-required-field",
        "apps/v1 DaemonSet without `spec.selector`",
    ),
    (
        "kubernetes__examples/_archived/cockroachdb/cockroachdb-statefulset.yaml",
        "removed-api-version",
        "policy/v1beta1 PodDisruptionBudget, removed in 1.25",
    ),
    (
        "kubernetes__examples/_archived/newrelic-infrastructure/newrelic-infra-daemonset.yaml",
        "removed-api-version",
        "extensions/v1beta1 DaemonSet, removed in 1.16",
    ),
    (
        "kubernetes__examples/_archived/podsecuritypolicy/rbac/policies.yaml",
        "removed-api-version",
        "policy/v1beta1 PodSecurityPolicy, removed in 1.25",
    ),
    (
        "storageclass-account-hdd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "storageclass-dedicated-hdd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "storageclass-shared-hdd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "storageclass-shared-ssd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "storageclass-managed-hdd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "storageclass-managed-ssd.yaml",
        "removed-api-version",
        "storage.k8s.io/v1beta1 StorageClass, removed in 1.22",
    ),
    (
        "kubernetes__examples/_archived/volumes/fibre_channel/fc.yaml",
        "invalid-type",
        "`lun: <ADD LUN ID Here>` placeholder where an integer is required",
    ),
    (
        "kubernetes__examples/_archived/volumes/flexvolume/deploy/ds.yaml",
        "removed-api-version",
        "extensions/v1beta1 DaemonSet, removed in 1.16",
    ),
    (
        "kubernetes__examples/_archived/volumes/rbd/rbd.yaml",
        "unknown-field",
        "`imageformat`/`imagefeatures` are RBD StorageClass parameters, not RBDVolumeSource fields",
    ),
    (
        "kubernetes__examples/_archived/volumes/scaleio/pod.yaml",
        "unknown-field",
        "typo `protectionDoamin` (protectionDomain)",
    ),
    (
        "kubernetes__examples/_archived/volumes/storageos/storageos-pod.yaml",
        "unknown-field",
        "`pool` is not a StorageOSVolumeSource field",
    ),
    (
        "kubernetes__examples/_archived/volumes/storageos/storageos-pv.yaml",
        "unknown-field",
        "`secretName` is not a StorageOSPersistentVolumeSource field (`secretRef`)",
    ),
    (
        "kubernetes__ingress-nginx/deploy/grafana/deployment.yaml",
        "missing-required-field",
        "apps/v1 Deployment without `spec.selector`",
    ),
    (
        "kubernetes__ingress-nginx/deploy/prometheus/deployment.yaml",
        "missing-required-field",
        "apps/v1 Deployment without `spec.selector`",
    ),
    (
        "kubernetes__ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml",
        "invalid-type",
        "env `value: true` is a boolean; env values must be strings",
    ),
    (
        "kubernetes__kubernetes/hack/testdata/invalid-deployment-unknown-and-duplicate-fields.yaml",
        "unknown-field",
        "a kubectl test fixture that is invalid on purpose",
    ),
    (
        "kubernetes__kubernetes/hack/testdata/invalid-pod.yaml",
        "invalid-type",
        "a kubectl test fixture that is invalid on purpose (container `name:` empty)",
    ),
    (
        "kubernetes__website/content/en/examples/access/deployment-replicas-policy.yaml",
        "removed-api-version",
        "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy, last served in 1.31",
    ),
    (
        "kubernetes__website/content/en/examples/application/job/cronjob.yaml",
        "removed-api-version",
        "batch/v1beta1 CronJob, removed in 1.25",
    ),
    (
        "kubernetes__website/content/en/examples/pods/pod-with-node-affinity.yaml",
        "invalid-type",
        "`requiredDuringSchedulingIgnoredDuringExecution` written as a list of `preference` items (the preferred form); the required form is a NodeSelector map",
    ),
    (
        "kubernetes__website/content/en/examples/service/networking/example-ingress.yaml",
        "removed-api-version",
        "networking.k8s.io/v1beta1 Ingress, removed in 1.22",
    ),
    (
        "open-policy-agent__gatekeeper/config/samples/config_v1alpha1_config.yaml",
        "unknown-field",
        "kubebuilder scaffold sample `foo: bar`; the CRD prunes it",
    ),
    (
        "open-policy-agent__gatekeeper/config/samples/mutations_v1alpha1_assign.yaml",
        "unknown-field",
        "kubebuilder scaffold sample `foo: bar`; the CRD prunes it",
    ),
    (
        "open-policy-agent__gatekeeper/config/samples/mutations_v1alpha1_assignmetadata.yaml",
        "unknown-field",
        "kubebuilder scaffold sample `foo: bar`; the CRD prunes it",
    ),
    (
        "metallb__metallb/config/rbac/role.yaml",
        "rbac-binding-invalid",
        "two ClusterRoleBindings with a ServiceAccount subject and no `namespace`: the API server \
         answers `subjects[0].namespace: Required value` (a ClusterRoleBinding has no namespace to \
         default from); upstream only applies the file through kustomize, whose namespace \
         transformer fills it in, and no kustomization is in this copy",
    ),
    // API-server parity (metadata, kinds, config data).
    (
        "argoproj__argo-cd/docs/operator-manual/argocd-secret.yaml",
        "invalid-config-data",
        "a reference page: plain-text placeholders (`shhhh! it's a github secret`) under `data`, which holds base64; the API server cannot decode them (they belong under `stringData`)",
    ),
    (
        "kubernetes__ingress-nginx/docs/examples/customization/ssl-dh-param/ssl-dh-param.yaml",
        "invalid-config-data",
        "placeholder `...base64 encoded data...` under Secret `data`: not base64, the API server cannot decode it",
    ),
    (
        "kubernetes__website/content/en/examples/secret/tls-auth-secret.yaml",
        "invalid-config-data",
        "placeholders `REPLACE_WITH_BASE64_CERT`/`_KEY` under Secret `data`: `_` is not a base64 character, the API server cannot decode them",
    ),
    (
        "istio__istio/samples/security/psp/sidecar-psp.yaml",
        "unknown-kind",
        "`policy/v1 PodSecurityPolicy`: PodSecurityPolicy was only ever served as policy/v1beta1 (removed in 1.25); policy/v1 has no such kind",
    ),
    (
        "kubernetes__examples/_archived/cloud-controller-manager/persistent-volume-label-initializer-config.yaml",
        "unknown-kind",
        "InitializerConfiguration (admissionregistration.k8s.io/v1alpha1) was removed in Kubernetes 1.14; the version serves other kinds now",
    ),
];

#[test]
fn real_corpus_has_only_known_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !dir.is_dir() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let report = check(&Options {
        paths: vec![dir],
        ..Options::default()
    })
    .expect("corpus exists");
    assert!(
        report.files.len() > 900,
        "read {} files",
        report.files.len()
    );
    let mut unexpected = Vec::new();
    let mut per_rule: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *per_rule.entry((d.rule, d.severity)).or_default() += 1;
        if d.severity != Severity::Error {
            continue;
        }
        let file = &report.files[d.file];
        let known = KNOWN_ERRORS
            .iter()
            .any(|(suffix, rule, _)| file.path.ends_with(suffix) && *rule == d.rule);
        if !known {
            let p = file.position(d.span.start as usize);
            unexpected.push(format!(
                "{}:{}:{}: {} {}",
                file.path, p.line, p.column, d.rule, d.message
            ));
        }
    }
    eprintln!("findings on the corpus by rule: {per_rule:#?}");
    assert!(
        unexpected.is_empty(),
        "unexpected errors on real manifests:\n{}",
        unexpected.join("\n")
    );
    // Every listed error still happens: a stale entry would hide a regression.
    for (suffix, rule, _) in KNOWN_ERRORS {
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.rule == *rule && report.files[d.file].path.ends_with(suffix)),
            "known error no longer reported: {suffix} {rule}"
        );
    }
}
