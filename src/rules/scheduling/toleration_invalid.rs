//! `toleration-invalid`: tolerations the API server rejects.

use crate::diagnostics::{Edit, Severity};
use crate::model::names::{did_you_mean, label_value, one_of, qualified_name};
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "toleration-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A toleration has an invalid operator, effect, key or value, or tolerationSeconds without NoExecute",
    fix: true,
    doc: include_str!("../../../rules/toleration-invalid.md"),
    check: Check::Object(check),
};

const OPERATORS: &[&str] = &["Equal", "Exists"];
/// Comparison operators behind an alpha feature gate (TaintTolerationComparisonOperators):
/// left alone rather than reported.
const GATED_OPERATORS: &[&str] = &["Lt", "Gt"];
const EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    // A RuntimeClass's tolerations are added to the pods of the class, and validated alike.
    let holder = if obj.kind == "RuntimeClass" && obj.group() == "node.k8s.io" {
        obj.root.get("scheduling")
    } else {
        PodTemplate::of(obj).and_then(|t| t.spec)
    };
    for tol in all_items(holder, "tolerations") {
        if !tol.is_map() {
            continue;
        }
        let key = tol.get("key").and_then(Node::as_str).unwrap_or("");
        let op_node = tol.get("operator");
        let op = op_node.and_then(Node::as_str).unwrap_or("");
        let value_node = tol.get("value");
        let value = value_node.and_then(Node::as_str).unwrap_or("");
        let effect_node = tol.get("effect");
        let effect = effect_node.and_then(Node::as_str).unwrap_or("");
        let mut report = |span, msg: String, help: String, fix: Option<(String, Edit)>| {
            let mut d = ctx.diag(obj, span, msg).with_primary_label("invalid toleration").with_help(help);
            if let Some((desc, edit)) = fix {
                d = d.with_fix(desc, vec![edit]);
            }
            ctx.push(d);
        };
        if !key.is_empty() {
            let errs = qualified_name(key);
            if !errs.is_empty() {
                report(
                    tol.get("key").map_or(tol.span, |n| n.span),
                    format!("toleration key `{key}` is not a valid taint key: {}", errs.join("; ")),
                    "taint keys follow label key syntax, such as `node-role.kubernetes.io/control-plane`".into(),
                    None,
                );
            }
        }
        let op_known = matches!(op, "" | "Equal" | "Exists") || GATED_OPERATORS.contains(&op);
        if !op_known {
            let n = op_node.map_or(tol.span, |n| n.span);
            let suggestion = did_you_mean(op, OPERATORS);
            report(
                n,
                format!("toleration operator `{op}` is not supported"),
                match suggestion {
                    Some(s) => format!("did you mean `{s}`? Tolerations support {}", one_of(OPERATORS)),
                    None => format!("tolerations support {} (`Equal` is the default)", one_of(OPERATORS)),
                },
                suggestion.map(|s| (format!("replace with `{s}`"), Edit { span: n, new_text: s.to_string() })),
            );
        } else if key.is_empty() && op != "Exists" {
            report(
                op_node.map_or(tol.span, |n| n.span),
                format!(
                    "a toleration without a `key` must use `operator: Exists`{}",
                    if op.is_empty() { ", and the default operator is `Equal`" } else { "" }
                ),
                "an empty key with `Exists` tolerates every taint; to tolerate one taint, set its `key` (the API server rejects this: `operator must be Exists when `key` is empty`)".into(),
                None,
            );
        }
        if op == "Exists" && !value.is_empty() {
            report(
                value_node.map_or(tol.span, |n| n.span),
                format!("toleration with `operator: Exists` has `value: {value}`"),
                "`Exists` matches any value, so the API server rejects a value here (`value must be empty when `operator` is 'Exists'`); remove `value`, or use `operator: Equal` to match this value".into(),
                None,
            );
        } else if matches!(op, "" | "Equal") && !value.is_empty() {
            let errs = label_value(value);
            if !errs.is_empty() {
                report(
                    value_node.map_or(tol.span, |n| n.span),
                    format!("toleration value `{value}` is not a valid taint value: {}", errs.join("; ")),
                    "taint values follow label value syntax: at most 63 letters, digits, `-`, `_` and `.`".into(),
                    None,
                );
            }
        }
        if !effect.is_empty() && !EFFECTS.contains(&effect) {
            let n = effect_node.map_or(tol.span, |n| n.span);
            let suggestion = did_you_mean(effect, EFFECTS);
            report(
                n,
                format!("toleration effect `{effect}` is not supported"),
                match suggestion {
                    Some(s) => format!("did you mean `{s}`? Effects are {} (empty matches all)", one_of(EFFECTS)),
                    None => format!("effects are {} (empty matches all)", one_of(EFFECTS)),
                },
                suggestion.map(|s| (format!("replace with `{s}`"), Edit { span: n, new_text: s.to_string() })),
            );
        }
        if let Some(ts) = tol.entry("tolerationSeconds") {
            if !ts.value.is_null() && effect != "NoExecute" && (effect.is_empty() || EFFECTS.contains(&effect)) {
                report(
                    ts.key.span,
                    format!(
                        "`tolerationSeconds` is set but the effect is {}",
                        if effect.is_empty() { "empty (all effects)".to_string() } else { format!("`{effect}`") }
                    ),
                    "only a `NoExecute` taint evicts running pods, so the API server rejects `tolerationSeconds` with any other effect (`effect must be 'NoExecute' when `tolerationSeconds` is set`); set `effect: NoExecute` or remove `tolerationSeconds`".into(),
                    None,
                );
            }
        }
    }
}
