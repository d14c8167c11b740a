//! Resource names as the API server classifies them (`pkg/apis/core/helper`): what a
//! container may request, what a quota may track, which resources are native, extended,
//! hugepages, or counted in whole units.

use super::names::qualified_name;

/// `standardResources`: the names `validateResourceName` accepts without a domain.
pub const STANDARD: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// `standardQuotaResources`: what a quota tracks without a domain, the standard resources
/// but `storage` (a claim's request is quoted as `requests.storage`).
pub fn is_quota_resource(name: &str) -> bool {
    name != "storage" && STANDARD.contains(&name)
}

/// `integerResources`: object counts, in whole units.
pub const COUNTS: &[&str] = &[
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

/// `IsHugePageResourceName`.
pub fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsQuotaHugePageResourceName`: hugepages, bare or as a quota's `requests.`.
pub fn is_quota_hugepages(name: &str) -> bool {
    is_hugepages(name) || name.starts_with("requests.hugepages-")
}

/// `IsStandardContainerResourceName`.
pub fn is_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || is_hugepages(name)
}

/// `IsNativeResource`: no domain, or a `kubernetes.io/` one.
pub fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsExtendedResourceName`: not native, not written as a quota's `requests.` name, and still
/// a qualified name with that prefix.
pub fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && qualified_name(&format!("requests.{name}")).is_empty()
}

/// `validateResourceName`: a qualified name, and a standard resource unless it has a domain.
pub fn resource_name_problem(name: &str) -> Option<String> {
    if let Some(e) = qualified_name(name).into_iter().next() {
        return Some(e);
    }
    let standard = name.contains('/') || STANDARD.contains(&name) || is_quota_hugepages(name);
    (!standard).then(|| "must be a standard resource type or fully qualified".into())
}

/// `validateContainerResourceName`: a resource name a container (or a pod) may have.
pub fn container_resource_problem(name: &str) -> Option<String> {
    if let Some(e) = resource_name_problem(name) {
        return Some(e);
    }
    if !name.contains('/') {
        return (!is_container_resource(name))
            .then(|| "must be a standard resource for containers".into());
    }
    (!is_native(name) && !is_extended(name))
        .then(|| "doesn't follow extended resource name standard".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_api_server_helpers() {
        assert!(is_extended("nvidia.com/gpu"));
        assert!(
            !is_extended("requests.nvidia.com/gpu"),
            "a quota name, not a resource"
        );
        assert!(!is_extended("kubernetes.io/foo"), "native");
        assert!(!is_extended("cpu"));
        assert!(is_quota_resource("requests.storage") && !is_quota_resource("storage"));
        assert!(
            is_quota_hugepages("requests.hugepages-2Mi") && !is_hugepages("requests.hugepages-2Mi")
        );
    }

    #[test]
    fn container_names() {
        for ok in [
            "cpu",
            "memory",
            "ephemeral-storage",
            "hugepages-1Gi",
            "example.com/foo",
            "kubernetes.io/bar",
        ] {
            assert_eq!(container_resource_problem(ok), None, "{ok}");
        }
        assert_eq!(
            container_resource_problem("storage").as_deref(),
            Some("must be a standard resource for containers")
        );
        assert_eq!(
            container_resource_problem("gpu").as_deref(),
            Some("must be a standard resource type or fully qualified")
        );
        assert_eq!(
            container_resource_problem("requests.example.com/foo").as_deref(),
            Some("doesn't follow extended resource name standard")
        );
        assert!(
            container_resource_problem("Example.com/foo").is_some(),
            "not a DNS prefix"
        );
    }
}
