//! `pod-affinity-invalid`: pod affinity and anti-affinity terms the API server rejects.

use crate::diagnostics::Severity;
use crate::model::names::qualified_name;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-affinity-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A pod (anti-)affinity term has an empty or invalid topologyKey, or a label selector expression with a bad operator or values",
    fix: false,
    doc: include_str!("../../../rules/pod-affinity-invalid.md"),
    check: Check::Object(check),
};

const OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];

/// Checks the `matchExpressions` of a `metav1.LabelSelector`; `what` names it in messages.
pub fn check_selector_expressions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, selector: Option<&Node>, what: &str) {
    for expr in all_items(selector, "matchExpressions") {
        let Some(op_node) = expr.get("operator") else { continue };
        let Some(op) = op_node.as_str() else { continue };
        let values = expr.get("values");
        let n = values.map(Node::items).unwrap_or_default().len();
        let key = expr.get("key").and_then(Node::text).unwrap_or("?");
        let problem = match op {
            "In" | "NotIn" if n == 0 => Some((
                values.map_or(op_node.span, |v| v.span),
                format!("operator `{op}` on `{key}` needs at least one value"),
                "list the label values in `values` (`must be specified when `operator` is 'In' or 'NotIn'`), or use `Exists`".to_string(),
            )),
            "Exists" | "DoesNotExist" if n > 0 => Some((
                values.map_or(op_node.span, |v| v.span),
                format!("operator `{op}` on `{key}` takes no values"),
                "remove `values` (`may not be specified when `operator` is 'Exists' or 'DoesNotExist'`)".to_string(),
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => None,
            other => Some((
                op_node.span,
                format!("`{other}` is not a label selector operator"),
                match crate::model::names::did_you_mean(other, OPERATORS) {
                    Some(s) => format!("did you mean `{s}`? Label selectors support {}", crate::model::names::one_of(OPERATORS)),
                    None => format!("label selectors support {} (`Gt`/`Lt` exist only for node affinity)", crate::model::names::one_of(OPERATORS)),
                },
            )),
        };
        if let Some((span, msg, help)) = problem {
            let d = ctx
                .diag(obj, span, format!("{what}: {msg}"))
                .with_primary_label("invalid expression")
                .with_help(help);
            ctx.push(d);
        }
    }
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(aff) = t.spec.and_then(|s| s.get_path(&["affinity", kind])) else {
            continue;
        };
        let required = all_items(Some(aff), "requiredDuringSchedulingIgnoredDuringExecution");
        let preferred = all_items(Some(aff), "preferredDuringSchedulingIgnoredDuringExecution")
            .filter_map(|p| p.get("podAffinityTerm"));
        for term in required.chain(preferred) {
            check_selector_expressions(ctx, obj, term.get("labelSelector"), &format!("{kind} label selector"));
            check_selector_expressions(ctx, obj, term.get("namespaceSelector"), &format!("{kind} namespace selector"));
            let Some(tk) = term.get("topologyKey") else { continue };
            let Some(key) = tk.as_str() else { continue };
            if key.is_empty() {
                let d = ctx
                    .diag(obj, tk.span, format!("{kind} term has an empty `topologyKey`"))
                    .with_primary_label("empty")
                    .with_help("the API server rejects it (`topologyKey: Required value: can not be empty`); use a node label such as `kubernetes.io/hostname` (one per node) or `topology.kubernetes.io/zone`");
                ctx.push(d);
                continue;
            }
            let errs = qualified_name(key);
            if !errs.is_empty() {
                let d = ctx
                    .diag(obj, tk.span, format!("{kind} `topologyKey: {key}` is not a valid label key: {}", errs.join("; ")))
                    .with_primary_label("invalid topologyKey")
                    .with_help("the topology key is a node label key, such as `kubernetes.io/hostname` or `topology.kubernetes.io/zone`");
                ctx.push(d);
            }
        }
    }
}
