//! API versions Kubernetes stopped serving, from the Deprecated API Migration Guide
//! (kubernetes/website `content/en/docs/reference/using-api/deprecation-guide.md`),
//! every removal since 1.16.

/// One removed apiVersion for a set of kinds.
pub(crate) struct Removal {
    pub api_version: &'static str,
    pub kinds: &'static [&'static str],
    /// The minor release that stopped serving it (`25` for 1.25).
    pub removed_in: u32,
    /// The API group that replaces it (the same group when the version changed only).
    pub new_group: &'static str,
    /// Advice when there is no drop-in replacement.
    pub note: Option<&'static str>,
}

const APPS_WORKLOADS: &[&str] = &["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"];
const RBAC: &[&str] = &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
const FLOWCONTROL: &[&str] = &["FlowSchema", "PriorityLevelConfiguration"];
const ACCESS_REVIEWS: &[&str] = &[
    "LocalSubjectAccessReview",
    "SelfSubjectAccessReview",
    "SubjectAccessReview",
    "SelfSubjectRulesReview",
];

const fn r(
    api_version: &'static str,
    kinds: &'static [&'static str],
    removed_in: u32,
    new_group: &'static str,
) -> Removal {
    Removal {
        api_version,
        kinds,
        removed_in,
        new_group,
        note: None,
    }
}

pub(crate) const REMOVALS: &[Removal] = &[
    // 1.16
    r(
        "extensions/v1beta1",
        &["NetworkPolicy"],
        16,
        "networking.k8s.io",
    ),
    r(
        "extensions/v1beta1",
        &["Deployment", "ReplicaSet", "DaemonSet"],
        16,
        "apps",
    ),
    r("apps/v1beta1", APPS_WORKLOADS, 16, "apps"),
    r("apps/v1beta2", APPS_WORKLOADS, 16, "apps"),
    Removal {
        api_version: "extensions/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: 16,
        new_group: "policy",
        note: Some("PodSecurityPolicy itself was removed in 1.25; use Pod Security Admission"),
    },
    // 1.22
    r(
        "admissionregistration.k8s.io/v1beta1",
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        22,
        "admissionregistration.k8s.io",
    ),
    r(
        "apiextensions.k8s.io/v1beta1",
        &["CustomResourceDefinition"],
        22,
        "apiextensions.k8s.io",
    ),
    r(
        "apiregistration.k8s.io/v1beta1",
        &["APIService"],
        22,
        "apiregistration.k8s.io",
    ),
    r(
        "authentication.k8s.io/v1beta1",
        &["TokenReview"],
        22,
        "authentication.k8s.io",
    ),
    r(
        "authorization.k8s.io/v1beta1",
        ACCESS_REVIEWS,
        22,
        "authorization.k8s.io",
    ),
    r(
        "certificates.k8s.io/v1beta1",
        &["CertificateSigningRequest"],
        22,
        "certificates.k8s.io",
    ),
    r(
        "coordination.k8s.io/v1beta1",
        &["Lease"],
        22,
        "coordination.k8s.io",
    ),
    r("extensions/v1beta1", &["Ingress"], 22, "networking.k8s.io"),
    r(
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        22,
        "networking.k8s.io",
    ),
    r(
        "rbac.authorization.k8s.io/v1beta1",
        RBAC,
        22,
        "rbac.authorization.k8s.io",
    ),
    r(
        "rbac.authorization.k8s.io/v1alpha1",
        RBAC,
        22,
        "rbac.authorization.k8s.io",
    ),
    r(
        "scheduling.k8s.io/v1beta1",
        &["PriorityClass"],
        22,
        "scheduling.k8s.io",
    ),
    r(
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        22,
        "storage.k8s.io",
    ),
    // 1.25
    r("batch/v1beta1", &["CronJob"], 25, "batch"),
    r(
        "discovery.k8s.io/v1beta1",
        &["EndpointSlice"],
        25,
        "discovery.k8s.io",
    ),
    r("events.k8s.io/v1beta1", &["Event"], 25, "events.k8s.io"),
    r(
        "autoscaling/v2beta1",
        &["HorizontalPodAutoscaler"],
        25,
        "autoscaling",
    ),
    r("policy/v1beta1", &["PodDisruptionBudget"], 25, "policy"),
    Removal {
        api_version: "policy/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: 25,
        new_group: "policy",
        note: Some(
            "PodSecurityPolicy has no replacement kind; use Pod Security Admission \
             (namespace labels `pod-security.kubernetes.io/...`) or a policy webhook",
        ),
    },
    r("node.k8s.io/v1beta1", &["RuntimeClass"], 25, "node.k8s.io"),
    // 1.26
    r(
        "flowcontrol.apiserver.k8s.io/v1beta1",
        FLOWCONTROL,
        26,
        "flowcontrol.apiserver.k8s.io",
    ),
    r(
        "autoscaling/v2beta2",
        &["HorizontalPodAutoscaler"],
        26,
        "autoscaling",
    ),
    // 1.27
    r(
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        27,
        "storage.k8s.io",
    ),
    // 1.29
    r(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        FLOWCONTROL,
        29,
        "flowcontrol.apiserver.k8s.io",
    ),
    // 1.32
    r(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        FLOWCONTROL,
        32,
        "flowcontrol.apiserver.k8s.io",
    ),
];

/// The table entry for an apiVersion and kind.
/// A kind the server still serves but marks deprecated with no removal planned
/// (`APILifecycleDeprecated` without `APILifecycleRemoved`): every request gets a warning.
pub(crate) struct Deprecation {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// The minor release that deprecated it.
    pub since: u32,
    /// apiVersion and kind to use instead.
    pub replacement: (&'static str, &'static str),
}

pub(crate) const DEPRECATIONS: &[Deprecation] = &[Deprecation {
    api_version: "v1",
    kind: "Endpoints",
    since: 33,
    replacement: ("discovery.k8s.io/v1", "EndpointSlice"),
}];

pub(crate) fn deprecation(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    DEPRECATIONS
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)
}

pub(crate) fn removal(api_version: &str, kind: &str) -> Option<&'static Removal> {
    REMOVALS
        .iter()
        .find(|r| r.api_version == api_version && r.kinds.contains(&kind))
}

/// Sort key for API versions, most preferred first: v1 > v1beta2 > v1beta1 > v1alpha1.
pub(crate) fn version_rank(version: &str) -> (u32, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major: u32 = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, n) = if tail.is_empty() {
        (3, 0)
    } else if let Some(b) = tail.strip_prefix("beta") {
        (2, b.parse().unwrap_or(0))
    } else if let Some(a) = tail.strip_prefix("alpha") {
        (1, a.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, n)
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_versions() {
        let mut v = vec!["v1beta1", "v1", "v2beta2", "v1alpha1", "v2", "v1beta2"];
        v.sort_by_key(|s| std::cmp::Reverse(version_rank(s)));
        assert_eq!(v, ["v2", "v1", "v2beta2", "v1beta2", "v1beta1", "v1alpha1"]);
    }

    #[test]
    fn finds_removals() {
        assert_eq!(removal("batch/v1beta1", "CronJob").unwrap().removed_in, 25);
        assert_eq!(
            removal("extensions/v1beta1", "Ingress").unwrap().removed_in,
            22
        );
        assert!(removal("apps/v1", "Deployment").is_none());
    }
}
