//! `service-selects-nothing`: a Service whose selector matches no pod template of the run in
//! its namespace.

use crate::diagnostics::Severity;
use crate::model::Service;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "service-selects-nothing",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A Service's selector matches no pod template in its namespace",
    fix: false,
    doc: include_str!("../../../rules/service-selects-nothing.md"),
    check: Check::Workspace(check),
};

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    for obj in ws.of_kind("Service") {
        let Some(svc) = Service::of(obj) else {
            continue;
        };
        if svc.service_type() == "ExternalName" {
            continue;
        }
        let Some(sel_node) = svc.selector_node() else {
            continue;
        };
        let sel = svc.selector().without_controller_keys();
        if sel.is_empty() {
            continue;
        }
        let Some(ns) = ws.namespace_of(obj) else {
            continue;
        };
        if ws.templates_selected_by(ns, &sel).next().is_some() {
            continue;
        }
        // Only when the run has pods in this namespace: otherwise the pods are simply
        // defined elsewhere and nothing can be said.
        if !ws.can_judge_selection(obj.file, ns, &sel) {
            continue;
        }
        let closest = ws.closest_template(ns, &sel);
        let mut d = ctx
            .diag(
                obj,
                sel_node.span,
                format!(
                    "the selector of {} (`{}`) matches no pod template in namespace `{ns}`",
                    obj.display_name(),
                    sel.describe()
                ),
            )
            .with_primary_label("this selector matches no pods")
            .with_help(
                "a Service sends traffic to the pods whose labels include every `key: value` of its selector; make the selector and the pod template labels agree",
            );
        if let Some((o, t)) = closest {
            d = d.with_label(o.file, t.labels_span(), t.closest_label(o));
        }
        ctx.push(d);
    }
}
