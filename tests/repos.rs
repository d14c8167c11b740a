//! Whole repository checkouts (`../shared/corpus/repos/`: Helm charts, kustomize trees,
//! operator repos, CI and tool YAML side by side), checked as a user would: `kubevet check
//! <repo root>`. Every error and warning must be in the reviewed list below, with its reason,
//! and every entry must still be reported. Skipped when `../shared` is absent.

use std::collections::BTreeSet;
use std::path::Path;

use kubevet::diagnostics::Severity;
use kubevet::{check, Options};

/// (path inside `repos/`, rule, why the finding is right).
const REVIEWED: &[(&str, &str, &str)] = &[
    (
        "kubernetes-sigs__kustomize/examples/transformerconfigs/images/resources.yaml",
        "unknown-kind",
        "right: `apiVersion: v1` with `kind: Deployment` (and a stray `group: apps`): the core group has no Deployment, the API server rejects it",
    ),
    (
        "nginx__kubernetes-ingress/examples/custom-resources/oidc/client-secret.yaml",
        "invalid-config-data",
        "placeholder `<insert-secret-here>` under Secret `data`: not base64, the API server cannot decode it",
    ),
    (
        "nginx__kubernetes-ingress/examples/custom-resources/oidc-fclo/client-secret-one.yaml",
        "invalid-config-data",
        "placeholder under Secret `data`, as above",
    ),
    (
        "nginx__kubernetes-ingress/examples/custom-resources/oidc-fclo/client-secret-two.yaml",
        "invalid-config-data",
        "placeholder under Secret `data`, as above",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/extras/tls-domain-managedcerts/managed-certificates.yaml",
        "removed-api-version",
        "real defect: `extensions/v1beta1` Ingress was removed in Kubernetes 1.22",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/extras/tls-ip-selfsigned/frontend-ingress.yaml",
        "removed-api-version",
        "real defect: `extensions/v1beta1` Ingress was removed in Kubernetes 1.22",
    ),
    (
        "cloudnative-pg__cloudnative-pg/config/olm-default/webhook_mutating_port_patch.yaml",
        "unknown-field",
        "right: `containerPort` is not a field of a webhook ServiceReference; the patch feeds OLM's bundle generator, and the built webhook configuration cannot be applied to a cluster as is",
    ),
    (
        "cloudnative-pg__cloudnative-pg/config/olm-default/webhook_validating_port_patch.yaml",
        "unknown-field",
        "right: as above, `containerPort` exists only for OLM",
    ),
    (
        "cloudnative-pg__cloudnative-pg/docs/src/samples/cluster-example-bis.yaml",
        "unknown-field",
        "real defect: the sample sets `spec.backup.volumeSnapshot.groupSnapshot`, which no Cluster CRD in the repository defines",
    ),
    (
        "cloudnative-pg__cloudnative-pg/docs/src/samples/cluster-restore-with-tablespaces.yaml",
        "invalid-type",
        "real defect: `spec.tablespaces` is a list of tablespaces in the Cluster CRD; the sample writes a map",
    ),
    (
        "cloudnative-pg__cloudnative-pg/releases/cnpg-1.30.0.yaml",
        "duplicate-crd",
        "right: the 1.30.0 release bundle and the generated CRD in `config/crd/bases` define `clusters.postgresql.cnpg.io` differently (the release predates `podFailureDomainKeys`); samples are validated against either",
    ),
    (
        "kubernetes-sigs__kustomize/examples/validationTransformer/invalid.yaml",
        "invalid-type",
        "invalid on purpose: the example shows a validator rejecting a ConfigMap whose `data` is a list",
    ),
    // Warnings: identical liveness and readiness probes (kube-score reports them too): a pod
    // that is busy rather than dead fails both at once and is restarted instead of drained.
    (
        "Azure-Samples__aks-store-demo/ai-service.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "Azure-Samples__aks-store-demo/kustomize/overlays/azd/ai-service/deployment.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "Azure-Samples__aks-store-demo/kustomize/overlays/kaito/ai-service.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/kubernetes-manifests/accounts-db.yaml",
        "deprecated-service-account-field",
        "`serviceAccount: bank-of-anthos` beside `serviceAccountName: default`: the alias is ignored, the database pods run as `default`",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/kubernetes-manifests/ledger-db.yaml",
        "deprecated-service-account-field",
        "`serviceAccount: bank-of-anthos` beside `serviceAccountName: default`: the alias is ignored, the database pods run as `default`",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/extras/postgres-hpa/kubernetes-manifests/frontend.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "GoogleCloudPlatform__bank-of-anthos/extras/postgres-hpa/kubernetes-manifests/pgpool-operator.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "cloudnative-pg__cloudnative-pg/config/manager/manager.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
    (
        "cloudnative-pg__cloudnative-pg/releases/cnpg-1.30.0.yaml",
        "probe-liveness-equals-readiness",
        "identical probes (the release bundle of the manager above)",
    ),
    (
        "nginx__kubernetes-ingress/examples/shared-examples/waf-bundle-server/deployment.yaml",
        "probe-liveness-equals-readiness",
        "identical probes",
    ),
];

#[test]
fn repository_checkouts_have_only_reviewed_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/repos");
    if !root.is_dir() {
        eprintln!("skipping: {} not found", root.display());
        return;
    }
    let mut repos: Vec<_> = std::fs::read_dir(&root)
        .expect("repos dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 10, "found {} repositories", repos.len());
    let mut found: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut unreviewed = Vec::new();
    for repo in &repos {
        let report = check(&Options {
            paths: vec![repo.clone()],
            ..Options::default()
        })
        .expect("repository exists");
        let (mut errors, mut warnings) = (0, 0);
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => continue,
            }
            let file = &report.files[d.file];
            let rel = Path::new(&file.path)
                .strip_prefix(&root)
                .map_or(file.path.clone(), |p| {
                    p.to_string_lossy().replace('\\', "/")
                });
            if !REVIEWED.iter().any(|(p, r, _)| *p == rel && *r == d.rule) {
                let pos = file.position(d.span.start as usize);
                unreviewed.push(format!(
                    "{rel}:{}:{}: {}[{}] {}",
                    pos.line, pos.column, d.severity, d.rule, d.message
                ));
            }
            found.insert((rel, d.rule));
        }
        eprintln!(
            "{:45} {errors:3} errors {warnings:3} warnings, {} files checked, skipped {:?}",
            repo.file_name().unwrap_or_default().to_string_lossy(),
            report.checked_files(),
            report.skipped
        );
    }
    assert!(
        unreviewed.is_empty(),
        "findings on repository checkouts that nobody reviewed:\n{}",
        unreviewed.join("\n")
    );
    for (path, rule, _) in REVIEWED {
        assert!(
            found.contains(&(path.to_string(), *rule)),
            "reviewed finding no longer reported: {path} {rule}"
        );
    }
}
