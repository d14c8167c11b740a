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
        "kubernetes__examples/_archived/storage/vitess/vttablet-pod-template.yaml",
        "invalid-label",
        "a template whose `{{keyspace}}`-style placeholders a script fills in; not applyable as written",
    ),
    (
        "kubernetes__examples/_archived/storage/vitess/vttablet-pod-template.yaml",
        "invalid-object-name",
        "the Pod name `vttablet-{{uid}}` is a placeholder a script fills in",
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
        "kubernetes__examples/_archived/storage/redis/redis-controller.yaml",
        "volume-source-count",
        "volume `data` has no source at all (`must specify a volume type`)",
    ),
    (
        "kubernetes__kubernetes/hack/testdata/invalid-deployment-unknown-and-duplicate-fields.yaml",
        "duplicate-key",
        "a kubectl test fixture that is invalid on purpose",
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
