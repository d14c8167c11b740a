//! `pdb-selects-nothing`: a PodDisruptionBudget whose selector matches no pod template of the
//! run in its namespace.

use crate::diagnostics::Severity;
use crate::model::{LabelSelector, Object};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pdb-selects-nothing",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A PodDisruptionBudget's selector matches no pod template in its namespace",
    fix: false,
    doc: include_str!("../../../rules/pdb-selects-nothing.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "PodDisruptionBudget" || obj.group() != "policy" {
        return;
    }
    let Some(sel_node) = obj
        .spec()
        .and_then(|s| s.get("selector"))
        .filter(|s| s.is_map())
    else {
        return;
    };
    let sel = LabelSelector::from_selector(sel_node).without_controller_keys();
    // An empty selector selects every pod of the namespace (policy/v1).
    if sel.is_empty() {
        return;
    }
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return;
    };
    if ws.templates_selected_by(ns, &sel).next().is_some()
        || !ws.can_judge_selection(obj.file, ns, &sel)
    {
        return;
    }
    let mut d = ctx
        .diag(
            obj,
            sel_node.span,
            format!(
                "the selector of {} (`{}`) matches no pod template in namespace `{ns}`, so the budget protects nothing",
                obj.display_name(),
                sel.describe()
            ),
        )
        .with_primary_label("this selector matches no pods")
        .with_help("make the selector match the labels of the pods the budget is meant to protect");
    if let Some((o, t)) = ws.closest_template(ns, &sel) {
        d = d.with_label(o.file, t.labels_span(), t.closest_label(o));
    }
    ctx.push(d);
}
