//! `node-affinity-invalid`: node affinity terms the API server rejects or the scheduler
//! cannot evaluate.

use crate::diagnostics::Severity;
use crate::model::names::{did_you_mean, label_value, one_of, qualified_name};
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "node-affinity-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A node affinity expression has an unknown operator, the wrong number of values, or an invalid key",
    fix: false,
    doc: include_str!("../../../rules/node-affinity-invalid.md"),
    check: Check::Object(check),
};

const OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(na) = t.spec.and_then(|s| s.get_path(&["affinity", "nodeAffinity"])) else {
        return;
    };
    if let Some(req) = na.entry("requiredDuringSchedulingIgnoredDuringExecution") {
        if req.value.is_map() {
            let terms = req.value.get("nodeSelectorTerms");
            if terms.is_some_and(|t| t.is_seq() && t.items().is_empty()) {
                let span = req.value.entry("nodeSelectorTerms").map_or(req.key.span, |e| e.key.span);
                let d = ctx
                    .diag(obj, span, "required node affinity has an empty `nodeSelectorTerms` list")
                    .with_primary_label("no terms")
                    .with_help("the API server rejects it (`must have at least one node selector term`); add a term or remove the required node affinity");
                ctx.push(d);
            }
            for term in all_items(Some(&req.value), "nodeSelectorTerms") {
                check_term(ctx, obj, term, true);
            }
        }
    }
    for p in all_items(Some(na), "preferredDuringSchedulingIgnoredDuringExecution") {
        if let Some(term) = p.get("preference") {
            check_term(ctx, obj, term, false);
        }
    }
}

/// One node selector term (`ValidateNodeSelectorTerm`); also PersistentVolume `nodeAffinity`.
pub(crate) fn check_term(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, term: &Node, required: bool) {
    for expr in all_items(Some(term), "matchExpressions") {
        if let Some(key) = expr.get("key") {
            if let Some(k) = key.as_str() {
                let errs = qualified_name(k);
                if !errs.is_empty() {
                    let d = ctx
                        .diag(obj, key.span, format!("node affinity key `{k}` is not a valid label key: {}", errs.join("; ")))
                        .with_primary_label("invalid key")
                        .with_help("node label keys look like `kubernetes.io/hostname` or `topology.kubernetes.io/zone`");
                    ctx.push(d);
                }
            }
        }
        let values = expr.get("values");
        let value_items: &[Node] = values.map(Node::items).unwrap_or_default();
        let Some(op_node) = expr.get("operator") else { continue };
        let Some(op) = op_node.as_str() else { continue };
        let problem: Option<(crate::yaml::Span, String, String)> = match op {
            "In" | "NotIn" if value_items.is_empty() => Some((
                values.map_or(op_node.span, |v| v.span),
                format!("operator `{op}` needs at least one value"),
                "list the node label values to match in `values` (`must be specified when `operator` is 'In' or 'NotIn'`), or use `Exists`".to_string(),
            )),
            "Exists" | "DoesNotExist" if !value_items.is_empty() => Some((
                values.map_or(op_node.span, |v| v.span),
                format!("operator `{op}` takes no values"),
                "remove `values` (`may not be specified when `operator` is 'Exists' or 'DoesNotExist'`), or use `In` to match specific values".to_string(),
            )),
            "Gt" | "Lt" if value_items.len() != 1 => Some((
                values.map_or(op_node.span, |v| v.span),
                format!("operator `{op}` needs exactly one value, not {}", value_items.len()),
                "give one integer in `values`, such as `[\"3\"]`".into(),
            )),
            "Gt" | "Lt" => {
                let v = &value_items[0];
                let text = v.text().unwrap_or_default();
                if text.trim().parse::<i64>().is_err() {
                    // The API server only counts the values; the scheduler fails to parse
                    // this one, and the term then matches no node: admitted, but broken.
                    let d = ctx
                        .diag(obj, v.span, format!("node affinity expression: operator `{op}` compares integers, but `{text}` is not one, so this term matches no node"))
                        .with_primary_label("not an integer")
                        .with_help("the API server admits it, but the scheduler cannot parse the value and the term never matches a node; use `In` for non-numeric values");
                    let mut d = d;
                    d.severity = Severity::Warning;
                    ctx.push(d);
                }
                None
            }
            "In" | "NotIn" | "Exists" | "DoesNotExist" => None,
            other => {
                let help = match did_you_mean(other, OPERATORS) {
                    Some(s) => format!("did you mean `{s}`? The operators are {}", one_of(OPERATORS)),
                    None => format!("the operators are {}", one_of(OPERATORS)),
                };
                Some((op_node.span, format!("`{other}` is not a node selector operator"), help))
            }
        };
        if let Some((span, msg, help)) = problem {
            let d = ctx
                .diag(obj, span, format!("node affinity expression: {msg}"))
                .with_primary_label("invalid expression")
                .with_help(help);
            ctx.push(d);
        } else if required && matches!(op, "In" | "NotIn") {
            for v in value_items {
                let Some(s) = v.as_str() else { continue };
                let errs = label_value(s);
                if !errs.is_empty() {
                    let d = ctx
                        .diag(obj, v.span, format!("required node affinity value `{s}` is not a valid label value: {}", errs.join("; ")))
                        .with_primary_label("invalid label value")
                        .with_help("no node can carry this label value, and the API server rejects it in required node affinity");
                    ctx.push(d);
                }
            }
        }
    }
    for f in all_items(Some(term), "matchFields") {
        let key = f.get("key");
        if let Some(k) = key.and_then(Node::as_str) {
            if k != "metadata.name" {
                let d = ctx
                    .diag(obj, key.map_or(f.span, |k| k.span), format!("`matchFields` key `{k}` is not supported"))
                    .with_primary_label("not a node field")
                    .with_help("the only node field selector is `metadata.name` (`not a valid field selector key`); use `matchExpressions` for node labels");
                ctx.push(d);
            }
        }
        let Some(op_node) = f.get("operator") else { continue };
        let Some(op) = op_node.as_str() else { continue };
        let n = f.get("values").map(Node::items).unwrap_or_default().len();
        if !matches!(op, "In" | "NotIn") {
            let d = ctx
                .diag(obj, op_node.span, format!("`matchFields` operator `{op}` is not supported"))
                .with_primary_label("invalid operator")
                .with_help("node field selectors support `In` and `NotIn` only");
            ctx.push(d);
        } else if n != 1 {
            let d = ctx
                .diag(obj, f.get("values").map_or(op_node.span, |v| v.span), format!("`matchFields` with `{op}` needs exactly one node name, not {n}"))
                .with_primary_label("one value")
                .with_help("the API server rejects it (`must be only one value when `operator` is 'In' or 'NotIn' for node field selector`); use one term per node name");
            ctx.push(d);
        }
    }
}
