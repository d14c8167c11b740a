//! Fields the bundled OpenAPI schemas mark `required` although the API server accepts an
//! object without them, because defaulting fills them in before validation or because their
//! zero value is valid. The OpenAPI `required` list comes from Go struct tags (a field
//! without `omitempty`), not from validation, and newer Kubernetes releases dropped most of
//! these entries; older bundled versions still carry them. `docs/defaulting.md` lists the
//! defaulting functions reviewed.

use serde_json::Value;

/// (definition, field, why the API server accepts it missing).
pub(crate) const NOT_REQUIRED: &[(&str, &str, &str)] = &[
    (
        "io.k8s.api.rbac.v1.RoleRef",
        "apiGroup",
        "SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding set rbac.authorization.k8s.io",
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        "podSelector",
        "a non-pointer LabelSelector: absent is the empty selector (every pod in the namespace)",
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "serviceName",
        "never validated as required; marked optional from 1.33",
    ),
    (
        "io.k8s.api.scheduling.v1.PriorityClass",
        "value",
        "an int32 whose zero value is valid",
    ),
    (
        "io.k8s.api.discovery.v1.EndpointSlice",
        "endpoints",
        "an empty list of endpoints is valid",
    ),
    (
        "io.k8s.api.batch.v1.PodFailurePolicyRule",
        "onPodConditions",
        "optional when onExitCodes is set; marked optional from 1.29",
    ),
    (
        "io.k8s.api.core.v1.Sysctl",
        "value",
        "validateSysctls checks the name only",
    ),
    (
        "io.k8s.api.core.v1.HTTPHeader",
        "value",
        "validateHTTPGetAction checks the header name only",
    ),
    (
        "io.k8s.api.core.v1.PreferredSchedulingTerm",
        "preference",
        "a non-pointer NodeSelectorTerm: absent is the empty term, which validates",
    ),
    (
        "io.k8s.api.core.v1.ISCSIVolumeSource",
        "lun",
        "an int32 whose zero value is valid (0 to 255)",
    ),
    (
        "io.k8s.api.core.v1.ISCSIPersistentVolumeSource",
        "lun",
        "an int32 whose zero value is valid (0 to 255)",
    ),
    (
        "io.k8s.api.core.v1.SleepAction",
        "seconds",
        "0 is allowed since PodLifecycleSleepActionAllowZero (GA and locked on in 1.34)",
    ),
    (
        "io.k8s.api.core.v1.ScaleIOVolumeSource",
        "secretRef",
        "validateScaleIOVolumeSource requires gateway, system and volumeName only",
    ),
    (
        "io.k8s.api.core.v1.ScaleIOPersistentVolumeSource",
        "secretRef",
        "validateScaleIOPersistentVolumeSource requires gateway, system and volumeName only",
    ),
    (
        "io.k8s.api.core.v1.LimitRangeSpec",
        "limits",
        "ValidateLimitRange loops over the limits: none is valid",
    ),
    (
        "io.k8s.api.apps.v1.ControllerRevision",
        "revision",
        "an int64 checked as non-negative: 0 is valid",
    ),
    (
        "io.k8s.api.batch.v1.PodFailurePolicy",
        "rules",
        "validatePodFailurePolicy only caps the number of rules",
    ),
    (
        "io.k8s.api.storage.v1.CSIDriver",
        "spec",
        "a non-pointer spec that SetDefaults_CSIDriver fills",
    ),
    (
        "io.k8s.api.storage.v1.TokenRequest",
        "audience",
        "validateTokenRequests lets one token request leave the audience empty",
    ),
    (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion",
        "served",
        "a plain bool: absent is false",
    ),
    (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion",
        "storage",
        "a plain bool: absent is false (exactly one version must be true: crd-spec-invalid)",
    ),
];

/// Removes the [`NOT_REQUIRED`] fields from the `required` list of definition `name`.
pub(crate) fn relax_required(name: &str, schema: &mut Value) {
    let fields: Vec<&str> = NOT_REQUIRED
        .iter()
        .filter(|(def, _, _)| *def == name)
        .map(|(_, field, _)| *field)
        .collect();
    if fields.is_empty() {
        return;
    }
    let Some(Value::Array(required)) = schema.get_mut("required") else {
        return;
    };
    required.retain(|r| !r.as_str().is_some_and(|r| fields.contains(&r)));
    if required.is_empty() {
        if let Some(m) = schema.as_object_mut() {
            m.remove("required");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drops_only_listed_fields() {
        let mut s = json!({"required": ["apiGroup", "kind", "name"]});
        relax_required("io.k8s.api.rbac.v1.RoleRef", &mut s);
        assert_eq!(s, json!({"required": ["kind", "name"]}));
        let mut s = json!({"required": ["podSelector"]});
        relax_required("io.k8s.api.networking.v1.NetworkPolicySpec", &mut s);
        assert_eq!(s, json!({}));
        let mut s = json!({"required": ["apiGroup"]});
        relax_required("io.k8s.api.rbac.v1.Other", &mut s);
        assert_eq!(s, json!({"required": ["apiGroup"]}));
    }
}
