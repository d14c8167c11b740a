//! `rbac-rule-invalid`: `ValidatePolicyRule` (pkg/apis/rbac/validation) on the rules of
//! Roles and ClusterRoles, and a ClusterRole's `aggregationRule`.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::reject;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "rbac-rule-invalid",
    severity: Severity::Error,
    category: Category::Rbac,
    summary: "A Role or ClusterRole rule the API server rejects (no verbs, no apiGroups or resources, nonResourceURLs in a Role or mixed with resources)",
    fix: false,
    doc: include_str!("../../../rules/rbac-rule-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "rbac.authorization.k8s.io" {
        return;
    }
    let namespaced = match obj.kind {
        "Role" => true,
        "ClusterRole" => false,
        _ => return,
    };
    for rule in obj.root.get("rules").map(Node::items).unwrap_or_default() {
        policy_rule(ctx, obj, rule, namespaced);
    }
    if let Some(agg) = obj.root.get("aggregationRule").filter(|n| n.is_map()) {
        if agg.get("clusterRoleSelectors").is_none_or(|s| s.items().is_empty()) {
            reject(
                ctx,
                obj,
                agg,
                "an `aggregationRule` with no `clusterRoleSelectors`".into(),
                "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
                "add a `clusterRoleSelectors` entry (e.g. `matchLabels: {rbac.example.com/aggregate-to-edit: \"true\"}`), or remove `aggregationRule`",
            );
        }
    }
}

fn non_empty<'n>(rule: &'n Node, key: &str) -> Option<&'n Node> {
    rule.get(key).filter(|n| !n.items().is_empty())
}

fn policy_rule(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rule: &Node, namespaced: bool) {
    if !rule.is_map() {
        return;
    }
    if non_empty(rule, "verbs").is_none() {
        reject(
            ctx,
            obj,
            rule.get("verbs").unwrap_or(rule),
            "a rule has no `verbs`".into(),
            "Required value: verbs must contain at least one value",
            "list the allowed verbs, e.g. `verbs: [get, list, watch]`",
        );
    }
    if let Some(urls) = non_empty(rule, "nonResourceURLs") {
        if namespaced {
            reject(
                ctx,
                obj,
                urls,
                "a Role rule lists `nonResourceURLs`".into(),
                "Invalid value: namespaced rules cannot apply to non-resource URLs",
                "non-resource URLs (like `/healthz`) are cluster-wide: grant them in a ClusterRole",
            );
        }
        if let Some(mixed) = ["apiGroups", "resources", "resourceNames"]
            .into_iter()
            .find_map(|k| non_empty(rule, k))
        {
            reject(
                ctx,
                obj,
                mixed,
                "a rule mixes `nonResourceURLs` with resources".into(),
                "Invalid value: rules cannot apply to both regular resources and non-resource URLs",
                "split it into two rules",
            );
        }
        return;
    }
    if non_empty(rule, "apiGroups").is_none() {
        reject(
            ctx,
            obj,
            rule.get("apiGroups").unwrap_or(rule),
            "a resource rule has no `apiGroups`".into(),
            "Required value: resource rules must supply at least one api group",
            "add `apiGroups: [\"\"]` for core resources (pods, services, ...) or the resource's group",
        );
    }
    if non_empty(rule, "resources").is_none() {
        reject(
            ctx,
            obj,
            rule.get("resources").unwrap_or(rule),
            "a resource rule has no `resources`".into(),
            "Required value: resource rules must supply at least one resource",
            "list the resources the rule grants, e.g. `resources: [pods]`",
        );
    }
}
