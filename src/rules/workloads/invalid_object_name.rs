//! `invalid-object-name`: `metadata.name` must follow the naming rule of its kind.

use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_label, dns1123_subdomain, path_segment_name};
use crate::model::{is_cluster_scoped, Object};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "invalid-object-name",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "metadata.name does not follow its kind's naming rule (DNS subdomain, DNS label, ...)",
    fix: false,
    doc: include_str!("../../../rules/invalid-object-name.md"),
    check: Check::Object(check),
};

#[derive(Clone, Copy)]
enum NameRule {
    Subdomain,
    Label1123,
    Label1035,
    PathSegment,
}

/// The name rule of built-in kinds (`ValidateObjectMeta` name functions). Custom resources
/// and kinds not listed are skipped.
fn rule_for(group: &str, kind: &str) -> Option<NameRule> {
    use NameRule::*;
    Some(match (group, kind) {
        ("", "Service") => Label1035,
        ("", "Namespace") => Label1123,
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => PathSegment,
        (
            "",
            "Pod"
            | "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "ReplicationController"
            | "PodTemplate"
            | "LimitRange"
            | "ResourceQuota"
            | "Endpoints"
            | "Node",
        )
        | (
            "apps",
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ControllerRevision",
        )
        | ("batch", "Job" | "CronJob")
        | ("networking.k8s.io", "Ingress" | "IngressClass" | "NetworkPolicy")
        | ("policy", "PodDisruptionBudget")
        | ("autoscaling", "HorizontalPodAutoscaler")
        | ("storage.k8s.io", "StorageClass" | "CSIDriver" | "VolumeAttachment")
        | ("scheduling.k8s.io", "PriorityClass")
        | ("discovery.k8s.io", "EndpointSlice")
        | ("coordination.k8s.io", "Lease")
        | ("node.k8s.io", "RuntimeClass")
        | (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding",
        ) => Subdomain,
        ("apiregistration.k8s.io", "APIService") => PathSegment,
        _ => return None,
    })
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let meta = obj.metadata();
    // `metadata.namespace` of a namespaced built-in object (`ValidateObjectMeta` runs
    // `ValidateNamespaceName` on it; cluster-scoped objects have it cleared instead).
    if obj.is_builtin_api_object() && !is_cluster_scoped(obj.kind) {
        if let Some(node) = meta.and_then(|m| m.get("namespace")) {
            if let Some(ns) = node.as_str().filter(|s| !s.is_empty()) {
                let errs = dns1123_label(ns);
                if !errs.is_empty() {
                    let d = ctx
                        .diag(
                            obj,
                            node.span,
                            format!("namespace `{ns}` is not valid: the API server rejects it (metadata.namespace: Invalid value: {})", errs.join("; ")),
                        )
                        .with_primary_label("a namespace must be an RFC 1123 label")
                        .with_help(placeholder_help(ns, "namespace").unwrap_or_else(|| "use lowercase letters, digits and '-', at most 63 characters".into()));
                    ctx.push(d);
                }
            }
        }
    }
    let Some(rule) = rule_for(obj.group(), obj.kind) else {
        return;
    };
    for field in ["name", "generateName"] {
        let Some(node) = meta.and_then(|m| m.get(field)) else {
            continue;
        };
        let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        // `maskTrailingDash`: a prefix may end in `-`, the server appends random characters.
        let checked = match name.strip_suffix('-') {
            Some(stem) if field == "generateName" && !stem.is_empty() => format!("{stem}a"),
            _ => name.to_string(),
        };
        name_check(ctx, obj, rule, node, field, name, &checked);
    }
}

fn name_check(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    rule: NameRule,
    node: &crate::yaml::Node,
    field: &str,
    name: &str,
    checked: &str,
) {
    let (errs, what) = match rule {
        NameRule::Subdomain => (dns1123_subdomain(checked), "an RFC 1123 subdomain"),
        NameRule::Label1123 => (dns1123_label(checked), "an RFC 1123 label"),
        NameRule::Label1035 => (dns1035_label(checked), "an RFC 1035 label"),
        NameRule::PathSegment => (path_segment_name(checked), "a path segment"),
    };
    let mut errs = errs;
    // CronJob names leave room for the 11-character suffix of the Jobs they create.
    if field == "name" && obj.kind == "CronJob" && obj.group() == "batch" && name.len() > 52 {
        errs.push("must be no more than 52 characters (the Jobs it creates append 11)".into());
    }
    if errs.is_empty() {
        return;
    }
    let d = ctx
        .diag(
            obj,
            node.span,
            format!(
                "{} {} `{name}` is not valid: the API server rejects it (metadata.{field}: Invalid value: {})",
                obj.kind,
                if field == "name" { "name" } else { "generateName prefix" },
                errs.join("; ")
            ),
        )
        .with_primary_label(format!("a {} name must be {what}", obj.kind))
        .with_help(placeholder_help(name, "name").unwrap_or_else(|| "use lowercase letters, digits and '-'".into()));
    ctx.push(d);
}

/// Help for a value that reads as a placeholder left for the user to fill in
/// (`YOUR_NAMESPACE`, `MY-APP`, `CHANGEME`): upper case throughout, with an underscore or a
/// telltale word. Such a value is still rejected; the help says what went wrong.
fn placeholder_help(value: &str, what: &str) -> Option<String> {
    let shape = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && value.chars().any(|c| c.is_ascii_uppercase());
    let telltale = ["YOUR", "MY_", "MY-", "REPLACE", "CHANGE", "TODO", "FIXME", "PLACEHOLDER"]
        .iter()
        .any(|w| value.starts_with(w));
    (shape && (value.contains('_') || telltale)).then(|| {
        format!("`{value}` reads as a placeholder: replace it with the real {what} before applying (kustomize's `namespace:` or your deploy script), in lower case")
    })
}
