//! `network-policy-selects-nothing`: a NetworkPolicy whose `podSelector` matches no pod
//! template of the run in its namespace.

use crate::diagnostics::Severity;
use crate::model::{LabelSelector, Object};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "network-policy-selects-nothing",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A NetworkPolicy's podSelector matches no pod template in its namespace",
    fix: false,
    doc: include_str!("../../../rules/network-policy-selects-nothing.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "NetworkPolicy" || obj.group() != "networking.k8s.io" {
        return;
    }
    let Some(sel_node) = obj
        .spec()
        .and_then(|s| s.get("podSelector"))
        .filter(|s| s.is_map())
    else {
        return;
    };
    let sel = LabelSelector::from_selector(sel_node).without_controller_keys();
    // `podSelector: {}` selects every pod of the namespace.
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
                "the podSelector of {} (`{}`) matches no pod template in namespace `{ns}`, so the policy applies to no pod",
                obj.display_name(),
                sel.describe()
            ),
        )
        .with_primary_label("this selector matches no pods")
        .with_help("make `spec.podSelector` match the labels of the pods the policy is meant to isolate");
    if let Some((o, t)) = ws.closest_template(ns, &sel) {
        d = d.with_label(o.file, t.labels_span(), t.closest_label(o));
    }
    ctx.push(d);
}
