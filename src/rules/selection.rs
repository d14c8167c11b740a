//! Shared by the rules that report a `metav1.LabelSelector` selecting no pod of the run
//! (PodDisruptionBudget, NetworkPolicy): not a rule itself.

use crate::model::{LabelSelector, Object};
use crate::rules::Ctx;

/// What a "selects nothing" finding says about its object.
pub struct Miss {
    /// The selector field under `spec`: `selector`, `podSelector`.
    pub field: &'static str,
    /// What the object fails to do then: "so the budget protects nothing".
    pub consequence: &'static str,
    pub help: &'static str,
}

/// Reports `spec.<field>` of `obj` when it is non-empty and matches no pod template in the
/// object's namespace, provided the run can judge selection there (see
/// `Workspace::can_judge_selection`). An empty selector selects every pod: no finding.
pub fn report_selects_nothing(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, miss: &Miss) {
    let Some(sel_node) = obj
        .spec()
        .and_then(|s| s.get(miss.field))
        .filter(|s| s.is_map())
    else {
        return;
    };
    let sel = LabelSelector::from_selector(sel_node).without_controller_keys();
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
                "the {} of {} (`{}`) matches no pod template in namespace `{ns}`, {}",
                miss.field,
                obj.display_name(),
                sel.describe(),
                miss.consequence
            ),
        )
        .with_primary_label("this selector matches no pods")
        .with_help(miss.help);
    if let Some((o, t)) = ws.closest_template(ns, &sel) {
        d = d.with_label(o.file, t.labels_span(), t.closest_label(o));
    }
    ctx.push(d);
}
