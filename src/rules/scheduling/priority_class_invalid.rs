//! `priority-class-invalid`: PriorityClasses the API server rejects (`ValidatePriorityClass`,
//! after `SetDefaults_PriorityClass`): a user class above one billion, a `system-` name that is
//! not one of the two system classes as the server defines them, an unknown preemption policy.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "priority-class-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A PriorityClass the API server rejects: a value above 1000000000, a name starting with `system-` that is not a system class, an unknown preemptionPolicy",
    fix: false,
    doc: include_str!("../../../rules/priority-class-invalid.md"),
    check: Check::Object(check),
};

/// `HighestUserDefinablePriority`: values above it are for the system classes.
const HIGHEST_USER: i64 = 1_000_000_000;

/// `systemPriorityClasses`: name and value; neither is the global default.
const SYSTEM: &[(&str, i64)] = &[
    ("system-node-critical", 2_000_001_000),
    ("system-cluster-critical", 2_000_000_000),
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "PriorityClass" || obj.group() != "scheduling.k8s.io" {
        return;
    }
    let root = obj.root;
    let value_node = root.get("value");
    let value = value_node.and_then(Node::as_i64);
    let name_node = root.get("metadata").and_then(|m| m.get("name"));
    let name = name_node.and_then(judged_str);
    match (name, name_node) {
        (Some(name), Some(name_node)) if name.starts_with("system-") => {
            system_class(ctx, obj, name, name_node, value, value_node);
        }
        _ => {
            if let (Some(v), Some(node)) = (value, value_node) {
                if v > HIGHEST_USER {
                    reject(
                        ctx,
                        obj,
                        node,
                        format!("`value: {v}` is above 1000000000, the highest a user-defined priority may be"),
                        "Forbidden: maximum allowed value of a user defined priority is 1000000000",
                        "values above one billion are reserved for `system-cluster-critical` and `system-node-critical`; use at most 1000000000, or give the pods one of those classes",
                    );
                }
            }
        }
    }
    enum_value(ctx, obj, root, "preemptionPolicy", &["PreemptLowerPriority", "Never"]);
    if let Some(p) = root.get("preemptionPolicy").filter(|p| p.as_str() == Some("")) {
        reject(
            ctx,
            obj,
            p,
            "`preemptionPolicy` is empty".into(),
            "Required value",
            "write `PreemptLowerPriority` (the default, when the field is left out) or `Never`",
        );
    }
}

/// `IsKnownSystemPriorityClass`: a `system-` name must be one of the system classes, with its
/// value, and not the global default.
fn system_class(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    name: &str,
    name_node: &Node,
    value: Option<i64>,
    value_node: Option<&Node>,
) {
    let global = obj.root.get("globalDefault");
    let problem = match SYSTEM.iter().find(|(n, _)| *n == name) {
        None => format!("{name} is not a known system priority class"),
        Some((n, v)) if value.is_some_and(|x| x != *v) => {
            format!("value of {n} PriorityClass must be {v}")
        }
        Some((n, _)) if global.and_then(Node::as_bool) == Some(true) => {
            format!("globalDefault of {n} PriorityClass must be false")
        }
        Some(_) => return,
    };
    let other = if problem.starts_with("value") {
        value_node.map(|n| (n.span, "this value"))
    } else if problem.starts_with("globalDefault") {
        global.map(|n| (n.span, "this setting"))
    } else {
        None
    };
    let message = format!("the name `{name}` is reserved: {problem}");
    let server = format!("Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: {problem}");
    let help = "the API server creates `system-cluster-critical` and `system-node-critical` itself; name your class without the `system-` prefix, or give the pods the system class";
    match other {
        Some((span, label)) => reject_pair(ctx, obj, name_node, span, label.into(), message, &server, help),
        None => reject(ctx, obj, name_node, message, &server, help),
    }
}
