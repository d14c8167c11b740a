//! `resource-quota-invalid`: ResourceQuotas the API server rejects (`ValidateResourceQuotaSpec`,
//! `validateResourceQuotaScopes`, `validateScopeSelector`): resources a quota cannot track,
//! fractional counts, unknown or conflicting scopes, scopes that do not apply to the quota's
//! resources, and scope selector operators and values that do not fit.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::fields::is_templated;
use crate::model::names::did_you_mean;
use crate::model::quantity::from_node;
use crate::model::resource_names::{self, is_extended, is_quota_hugepages, is_quota_resource, COUNTS, STANDARD};
use crate::model::Object;
use crate::rules::api::{judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "resource-quota-invalid",
    severity: Severity::Error,
    category: Category::Resources,
    summary: "A ResourceQuota the API server rejects: a resource a quota cannot track (`storage` for `requests.storage`), a fractional count, an unknown or conflicting scope, a scope that does not apply to the quota's resources, a scope selector's operator or values",
    fix: false,
    doc: include_str!("../../../rules/resource-quota-invalid.md"),
    check: Check::Object(check),
};

/// `standardResourceQuotaScopes` with `CrossNamespacePodAffinity`; `VolumeAttributesClass`
/// (claims by class) is accepted too, as newer servers know it.
const SCOPES: &[&str] = &[
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
    "VolumeAttributesClass",
];

/// Scopes that only take `operator: Exists` in a scope selector.
const EXISTS_ONLY: &[&str] = &[
    "BestEffort",
    "NotBestEffort",
    "Terminating",
    "NotTerminating",
    "CrossNamespacePodAffinity",
];

const CONFLICTS: &[(&str, &str)] = &[("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")];

/// `IsResourceQuotaScopeValidForResource`, for a standard quota resource.
fn scope_fits(scope: &str, resource: &str) -> bool {
    const POD_COMPUTE: &[&str] = &[
        "pods",
        "cpu",
        "memory",
        "limits.cpu",
        "limits.memory",
        "requests.cpu",
        "requests.memory",
    ];
    match scope {
        "Terminating" | "NotTerminating" | "NotBestEffort" | "PriorityClass" | "CrossNamespacePodAffinity" => {
            POD_COMPUTE.contains(&resource)
        }
        "BestEffort" => resource == "pods",
        _ => true,
    }
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "ResourceQuota" || obj.group() != "" {
        return;
    }
    let Some(spec) = obj.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    let hard = spec.get("hard").map(Node::entries).unwrap_or_default();
    let mut standard: Vec<&str> = Vec::new();
    for e in hard {
        let Some(name) = e.key.key_text().filter(|n| !is_templated(n)) else {
            continue;
        };
        if let Some(problem) = resource_name_problem(name) {
            let hint = match name {
                "storage" => "the storage requested by claims is `requests.storage`".to_string(),
                "gpu" | "nvidia" => "an extended resource is quoted as `requests.<domain>/<name>`, such as `requests.nvidia.com/gpu`".to_string(),
                _ => did_you_mean(name, &STANDARD.iter().copied().filter(|n| is_quota_resource(n)).collect::<Vec<_>>()).map_or_else(
                    || "use a standard quota resource (`requests.cpu`, `limits.memory`, `pods`, `requests.storage`...), `count/<resource>.<group>`, or a name with a domain".to_string(),
                    |s| format!("did you mean `{s}`?"),
                ),
            };
            reject(
                ctx,
                obj,
                &e.key,
                format!("a ResourceQuota cannot track `{name}`"),
                &format!("Invalid value: {name:?}: {problem}"),
                &hint,
            );
            continue;
        }
        if is_quota_resource(name) || is_quota_hugepages(name) {
            standard.push(name);
        }
        let integer = COUNTS.contains(&name) || is_extended(name);
        if let (true, Some(Ok(q)), Some(text)) = (integer, from_node(&e.value), e.value.text()) {
            if q.value >= 0.0 && (q.value * 1000.0).round() % 1000.0 != 0.0 {
                reject(
                    ctx,
                    obj,
                    &e.value,
                    format!("`{name}: {text}` is not a whole number"),
                    &format!("Invalid value: {text:?}: must be an integer"),
                    &format!("`{name}` counts objects or devices; give a whole number"),
                );
            }
        }
    }
    let scopes = spec.get("scopes").map(Node::items).unwrap_or_default();
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for s in scopes {
        let Some(scope) = judged_str(s) else { continue };
        if !scope_known(ctx, obj, s, scope) {
            continue;
        }
        scope_resources(ctx, obj, s, scope, &standard);
        seen.insert(scope, s);
    }
    conflicts(ctx, obj, &seen);
    let expressions = spec
        .get("scopeSelector")
        .and_then(|s| s.get("matchExpressions"))
        .map(Node::items)
        .unwrap_or_default();
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for req in expressions.iter().filter(|r| r.is_map()) {
        let name_node = req.get("scopeName");
        let scope = name_node.and_then(judged_str);
        if let (Some(node), Some(scope)) = (name_node, scope) {
            if scope_known(ctx, obj, node, scope) {
                scope_resources(ctx, obj, node, scope, &standard);
                seen.insert(scope, node);
            }
        }
        operator(ctx, obj, req, scope);
    }
    conflicts(ctx, obj, &seen);
}

/// `ValidateResourceQuotaResourceName`.
fn resource_name_problem(name: &str) -> Option<String> {
    let problem = resource_names::resource_name_problem(name);
    if problem.is_some() || name.contains('/') || is_quota_resource(name) || is_quota_hugepages(name) {
        return problem;
    }
    // `validateResourceName` accepts `storage`, the quota's own list does not.
    Some("must be a standard resource for quota".into())
}

fn scope_known(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, scope: &str) -> bool {
    if SCOPES.contains(&scope) {
        return true;
    }
    let hint = did_you_mean(scope, SCOPES)
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    reject(
        ctx,
        obj,
        node,
        format!("`{scope}` is not a quota scope"),
        &format!("Invalid value: {scope:?}: unsupported scope"),
        &format!("{hint}the scopes are `Terminating`, `NotTerminating`, `BestEffort`, `NotBestEffort`, `PriorityClass`, `CrossNamespacePodAffinity` and `VolumeAttributesClass`"),
    );
    false
}

/// A scope narrows a quota to pods (or only counts them): each standard resource of the quota
/// must be one the scope can track.
fn scope_resources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, scope: &str, standard: &[&str]) {
    let unfit: Vec<&str> = standard.iter().copied().filter(|r| !scope_fits(scope, r)).collect();
    if unfit.is_empty() {
        return;
    }
    let list = unfit.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ");
    let tracks = if scope == "BestEffort" {
        "`pods` only".to_string()
    } else {
        "`pods`, `cpu`, `memory` and their `requests.`/`limits.` forms".to_string()
    };
    reject(
        ctx,
        obj,
        node,
        format!("the scope `{scope}` does not apply to {list} in `hard`"),
        "Invalid value: unsupported scope applied to resource",
        &format!("a quota scoped by `{scope}` can track {tracks}; put the other resources in a quota of their own"),
    );
}

fn conflicts(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, seen: &HashMap<&str, &Node>) {
    for (a, b) in CONFLICTS {
        if let (Some(na), Some(nb)) = (seen.get(a), seen.get(b)) {
            reject_pair(
                ctx,
                obj,
                nb,
                na.span,
                format!("`{a}` is here"),
                format!("the scopes `{a}` and `{b}` exclude each other"),
                "Invalid value: conflicting scopes",
                "a pod is either one or the other, so the quota would match nothing; use two quotas",
            );
        }
    }
}

/// A scope selector requirement's operator and values.
fn operator(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, req: &Node, scope: Option<&str>) {
    let Some(op_node) = req.get("operator") else { return };
    let Some(op) = judged_str(op_node) else { return };
    if let Some(scope) = scope.filter(|s| EXISTS_ONLY.contains(s)) {
        if op != "Exists" {
            reject(
                ctx,
                obj,
                op_node,
                format!("the scope `{scope}` only takes `operator: Exists`, not `{op}`"),
                &format!("Invalid value: {op:?}: must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"),
                "the scope is a yes-or-no property of a pod: write `operator: Exists` without values",
            );
        }
    }
    let values = req.get("values");
    let count = values.map_or(0, |v| v.items().len());
    match op {
        "In" | "NotIn" if count == 0 => reject(
            ctx,
            obj,
            values.unwrap_or(op_node),
            format!("`operator: {op}` needs at least one value"),
            "Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            "list the values the scope is matched against (for `PriorityClass`, the class names)",
        ),
        "Exists" | "DoesNotExist" if count > 0 => reject(
            ctx,
            obj,
            values.unwrap_or(op_node),
            format!("`operator: {op}` takes no values"),
            "Invalid value: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            "remove `values`, or use `In`/`NotIn` to match particular values",
        ),
        "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
        _ => {
            let ops = ["In", "NotIn", "Exists", "DoesNotExist"];
            let hint = did_you_mean(op, &ops)
                .map(|o| format!("did you mean `{o}`? "))
                .unwrap_or_default();
            reject(
                ctx,
                obj,
                op_node,
                format!("`{op}` is not a scope selector operator"),
                &format!("Invalid value: {op:?}: not a valid selector operator"),
                &format!("{hint}the operators are `In`, `NotIn`, `Exists` and `DoesNotExist`"),
            );
        }
    }
}
