//! Repository layouts (`tests/projects/<layout>/`) checked as a user would, by walking the
//! directory: Helm charts, kustomize bases, overlays and patches, chainsaw test steps,
//! `${VAR}` templates and non-Kubernetes YAML. Each layout has assertions on what must and
//! must not be reported, and a snapshot of the concise output.

use std::path::{Path, PathBuf};

use kubevet::diagnostics::render::{render, Format};
use kubevet::diagnostics::Severity;
use kubevet::project::Skip;
use kubevet::{check, Options, Report};

fn layout(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/projects")
        .join(name)
}

fn run(paths: Vec<PathBuf>, skip_non_manifests: bool) -> Report {
    check(&Options {
        paths,
        skip_non_manifests,
        ..Options::default()
    })
    .expect("layout exists")
}

/// Concise output with paths relative to `tests/projects`, so snapshots do not depend on
/// where the repository is checked out.
fn concise(report: &Report) -> String {
    let mut out = Vec::new();
    render(report, Format::Concise, false, &mut out).expect("render");
    let root = format!(
        "{}/",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/projects")
            .display()
    );
    String::from_utf8(out).expect("UTF-8").replace(&root, "")
}

fn rules_at<'r>(report: &'r Report, file_suffix: &str) -> Vec<&'r str> {
    report
        .diagnostics
        .iter()
        .filter(|d| report.files[d.file].path.ends_with(file_suffix))
        .map(|d| d.rule)
        .collect()
}

#[test]
fn helm_chart_templates_and_inputs_are_skipped_with_one_note() {
    let report = run(vec![layout("helm-chart")], false);
    let notes: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "helm-chart-not-rendered")
        .collect();
    assert_eq!(notes.len(), 1, "{}", concise(&report));
    assert!(report.files[notes[0].file]
        .path
        .ends_with("charts/web/Chart.yaml"));
    assert!(notes[0]
        .help
        .as_deref()
        .unwrap_or("")
        .contains("helm template"));
    // Templates, values, CI values and the chart's own files: never judged as manifests.
    for f in [
        "templates/deployment.yaml",
        "values.yaml",
        "ci/prod-values.yaml",
    ] {
        assert!(rules_at(&report, f).is_empty(), "{f}: {}", concise(&report));
    }
    // compose.yaml and package.json hold no Kubernetes object: skipped, counted.
    assert!(rules_at(&report, "compose.yaml").is_empty());
    assert!(rules_at(&report, "package.json").is_empty());
    assert_eq!(report.skipped.get(&Skip::NotKubernetes), Some(&2));
    assert_eq!(report.skipped.get(&Skip::HelmTemplate), Some(&1));
    // The chart's crds/ are plain CRDs: the custom resource beside the chart is validated
    // against them.
    assert_eq!(rules_at(&report, "widget.yaml"), vec!["invalid-type"]);
    insta::assert_snapshot!(concise(&report));
}

#[test]
fn files_named_explicitly_keep_their_findings_unless_asked() {
    let compose = layout("helm-chart").join("compose.yaml");
    let named = run(vec![compose.clone()], false);
    assert!(
        named
            .diagnostics
            .iter()
            .any(|d| d.rule == "not-a-kubernetes-object"),
        "{}",
        concise(&named)
    );
    let hooked = run(vec![compose], true);
    assert!(hooked.diagnostics.is_empty(), "{}", concise(&hooked));
    assert_eq!(hooked.skipped.get(&Skip::NotKubernetes), Some(&1));
    // A Helm template named on its own (pre-commit names changed files) is still a template.
    let template = layout("helm-chart").join("charts/web/templates/deployment.yaml");
    let report = run(vec![template], false);
    assert_eq!(
        report
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .collect::<Vec<_>>(),
        vec!["helm-chart-not-rendered"],
        "{}",
        concise(&report)
    );
}

#[test]
fn kustomize_patches_are_partial_and_what_kustomize_fills_in_is_not_missing() {
    let report = run(vec![layout("kustomize")], false);
    let text = concise(&report);
    // The base's selector comes from commonLabels; the patches leave most fields out.
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.rule == "missing-required-field"),
        "{text}"
    );
    // What a patch sets is still checked.
    assert_eq!(
        rules_at(&report, "replicas.yaml"),
        vec!["unknown-field"],
        "{text}"
    );
    // JSON 6902 patches and generator inputs are data.
    assert!(rules_at(&report, "image-patch.yaml").is_empty(), "{text}");
    assert!(rules_at(&report, "settings.json").is_empty(), "{text}");
    assert!(rules_at(&report, "unused-patch.yaml").is_empty(), "{text}");
    // The kustomizations are build configuration, not objects.
    assert!(rules_at(&report, "kustomization.yaml").is_empty(), "{text}");
    // The Service has no selector in the base (commonLabels adds it): no cross-object
    // guesses on a kustomize tree.
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.severity >= Severity::Warning && d.rule != "unknown-field"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn chainsaw_steps_are_partial_objects() {
    let report = run(vec![layout("chainsaw")], false);
    let text = concise(&report);
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Info),
        "{text}"
    );
    assert!(rules_at(&report, "check-ready.yaml").is_empty(), "{text}");
    assert!(rules_at(&report, "01-assert.yaml").is_empty(), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn placeholders_are_not_judged() {
    let report = run(vec![layout("placeholders")], false);
    let text = concise(&report);
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn absence_is_judged_in_a_kustomize_tree_only_on_a_near_miss() {
    let report = run(vec![layout("evidence")], false);
    let text = concise(&report);
    let misses: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "service-selects-nothing")
        .collect();
    // `app: wbe` is a typo of the template's `app: web`; `app: exporter` may well be added by
    // an overlay or another tool, so nothing is said of it.
    assert_eq!(misses.len(), 1, "{text}");
    assert!(misses[0].message.contains("app=wbe"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn templates_outside_charts_and_component_configs_are_skipped() {
    let report = run(vec![layout("templates")], false);
    // A Go template and a Jinja one are not YAML until rendered, and a ytt one reads as
    // nulls where ytt computes values; a manifest broken without any template line is still
    // reported.
    assert_eq!(
        report.skipped.get(&Skip::Template),
        Some(&3),
        "{:?}",
        report.skipped
    );
    for f in [
        "gomplate/service.yaml",
        "ansible/deployment.yaml",
        "ytt/deployment.yml",
        "ytt/values.yml",
    ] {
        assert!(rules_at(&report, f).is_empty(), "{f}: {}", concise(&report));
    }
    assert_eq!(rules_at(&report, "broken.yaml"), vec!["yaml-syntax"]);
    // A kubeconfig, the kubelet's configuration and a Backstage catalog entry carry
    // `apiVersion` and `kind` but are never applied.
    assert_eq!(
        report.skipped.get(&Skip::ToolConfig),
        Some(&3),
        "{:?}",
        report.skipped
    );
    for f in ["kubeconfig.yaml", "kubelet.yaml", "catalog-info.yaml"] {
        assert!(rules_at(&report, f).is_empty(), "{f}: {}", concise(&report));
    }
    insta::assert_snapshot!(concise(&report));
    // Named on the command line, a template is judged as what it is: not YAML.
    let named = run(
        vec![layout("templates").join("gomplate/service.yaml")],
        false,
    );
    assert_eq!(rules_at(&named, "service.yaml"), vec!["yaml-syntax"]);
}

#[test]
fn sops_encrypted_values_and_metadata_are_not_judged() {
    let report = run(vec![layout("sops")], false);
    let text = concise(&report);
    // Flux's way: `data` and `stringData` encrypted, the rest in clear and checked.
    assert!(
        rules_at(&report, "basic-auth.enc.yaml").is_empty(),
        "{text}"
    );
    // SOPS's defaults encrypt `kind` and `apiVersion`: nothing to check, counted.
    assert!(rules_at(&report, "registry.enc.yaml").is_empty(), "{text}");
    assert_eq!(report.skipped.get(&Skip::Encrypted), Some(&1), "{text}");
    // What encryption leaves in clear is still judged, ...
    assert_eq!(
        rules_at(&report, "broken.enc.yaml"),
        ["invalid-object-name", "invalid-config-data"],
        "{text}"
    );
    // ... and a `sops` field that is not SOPS's metadata is an unknown field.
    assert_eq!(
        rules_at(&report, "settings.yaml"),
        ["unknown-field"],
        "{text}"
    );
    insta::assert_snapshot!(text);
}
