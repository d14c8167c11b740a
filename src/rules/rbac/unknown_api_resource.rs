//! `unknown-api-resource`: a resource that none of the rule's built-in API groups has, in the
//! rules of Roles and ClusterRoles, admission webhooks and admission policies. The API server
//! accepts the rule, and it then matches nothing: the role grants nothing on it, the webhook
//! or policy never sees it.

use crate::diagnostics::Severity;
use crate::model::names::did_you_mean;
use crate::model::{all_items, Object};
use crate::rules::api::judged_str;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::schema::{builtin_groups_serving, builtin_resources};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "unknown-api-resource",
    severity: Severity::Warning,
    category: Category::Rbac,
    summary: "An RBAC, webhook or admission policy rule names a resource its built-in API groups do not have (a singular, a capital, the wrong group): it matches nothing",
    fix: false,
    doc: include_str!("../../../rules/unknown-api-resource.md"),
    check: Check::Object(check),
};

/// What a rule that matches nothing means for the object holding it.
#[derive(Clone, Copy)]
enum Holder {
    Role,
    Webhook,
    Policy,
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let spec = obj.spec();
    match (obj.group(), obj.kind) {
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => {
            for rule in all_items(Some(obj.root), "rules") {
                resource_rule(ctx, obj, rule, Holder::Role);
            }
        }
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => {
            for hook in all_items(Some(obj.root), "webhooks") {
                for rule in all_items(Some(hook), "rules") {
                    resource_rule(ctx, obj, rule, Holder::Webhook);
                }
            }
        }
        (
            "admissionregistration.k8s.io",
            "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding",
        ) => {
            let matches = spec
                .into_iter()
                .flat_map(|s| [s.get("matchConstraints"), s.get("matchResources")])
                .flatten();
            for m in matches {
                for key in ["resourceRules", "excludeResourceRules"] {
                    for rule in all_items(Some(m), key) {
                        resource_rule(ctx, obj, rule, Holder::Policy);
                    }
                }
            }
        }
        _ => {}
    }
}

fn resource_rule(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rule: &Node, holder: Holder) {
    let groups = rule.get("apiGroups").map(Node::items).unwrap_or_default();
    let mut known = Vec::with_capacity(groups.len());
    for g in groups {
        // A wildcard, a custom or aggregated group, or templating: nothing to judge.
        let Some(name) = g.as_str().filter(|s| judged_str(g).is_some() || s.is_empty()) else {
            return;
        };
        let Some(set) = builtin_resources(name) else { return };
        known.push((name, set));
    }
    if known.is_empty() {
        return;
    }
    for r in rule.get("resources").map(Node::items).unwrap_or_default() {
        let Some(text) = judged_str(r) else { continue };
        let base = text.split('/').next().unwrap_or(text);
        if base.is_empty() || base.contains('*') || known.iter().any(|(_, set)| set.contains(base)) {
            continue;
        }
        report(ctx, obj, r, base, &known, holder);
    }
}

fn group_name(g: &str) -> String {
    if g.is_empty() {
        "the core group".to_string()
    } else {
        format!("`{g}`")
    }
}

fn report(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    node: &Node,
    base: &str,
    known: &[(&str, &std::collections::BTreeSet<String>)],
    holder: Holder,
) {
    let names: Vec<String> = known.iter().map(|(g, _)| group_name(g)).collect();
    let message = match names.as_slice() {
        [one] => format!("{one} has no resource `{base}`"),
        [a, b] => format!("neither {a} nor {b} has a resource `{base}`"),
        [init @ .., last] => format!("none of {} and {last} has a resource `{base}`", init.join(", ")),
        [] => return,
    };
    let candidates: Vec<&str> = known
        .iter()
        .flat_map(|(_, set)| set.iter().map(String::as_str))
        .collect();
    let elsewhere = builtin_groups_serving(base);
    let fix = if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(base)) {
        format!("resources are written in lower case: `{c}`")
    } else if let Some(c) = candidates.iter().find(|c| **c == format!("{base}s") || **c == format!("{base}es")) {
        format!("resources are named in the plural: `{c}`")
    } else if !elsewhere.is_empty() {
        let groups = elsewhere
            .iter()
            .map(|g| if g.is_empty() { "`\"\"` (the core group)".to_string() } else { format!("`{g}`") })
            .collect::<Vec<_>>()
            .join(" or ");
        format!("`{base}` belongs to {groups}: add that group to `apiGroups` (or give the resource a rule of its own)")
    } else if let Some(c) = did_you_mean(base, &candidates) {
        format!("did you mean `{c}`?")
    } else {
        "write the resource's plural as `kubectl api-resources` lists it".to_string()
    };
    let consequence = match holder {
        Holder::Role => "the API server accepts the role, and it grants nothing on it",
        Holder::Webhook => "the API server accepts the configuration, and the webhook never sees a request for it",
        Holder::Policy => "the API server accepts the policy, and it never matches a request for it",
    };
    let d = ctx
        .diag(obj, node.span, message)
        .with_primary_label("no such resource")
        .with_help(format!("{consequence}; {fix}"));
    ctx.push(d);
}
