//! `topology-spread-selects-others`: a topology spread constraint whose `labelSelector` does
//! not match the pods of its own template.
//!
//! The scheduler counts, per topology domain, the pods the selector matches, and places the
//! new pod where that count stays within `maxSkew`. A selector copied from another workload
//! counts that workload's pods: this one's own pods are then never spread at all.

use crate::diagnostics::Severity;
use crate::model::{all_items, label_map, LabelSelector, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "topology-spread-selects-others",
    severity: Severity::Warning,
    category: Category::Scheduling,
    summary: "A topology spread constraint's labelSelector does not match the labels of its own pod template: the pods are placed by counting other pods, and are not spread themselves",
    fix: false,
    doc: include_str!("../../../rules/topology-spread-selects-others.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let constraints: Vec<&Node> = all_items(t.spec, "topologySpreadConstraints").collect();
    if constraints.is_empty() {
        return;
    }
    // A template without labels is a kustomize base or a fragment: nothing to compare.
    let labels = label_map(t.labels());
    if labels.is_empty() {
        return;
    }
    // The label to suggest: the app's name where the template has one.
    let (k, v, _) = labels
        .iter()
        .find(|(k, _, _)| matches!(*k, "app" | "app.kubernetes.io/name"))
        .unwrap_or(&labels[0]);
    for c in constraints {
        let Some(sel_node) = c.get("labelSelector").filter(|s| s.is_map()) else {
            continue;
        };
        let sel = LabelSelector::from_selector(sel_node);
        // `matchLabelKeys` adds `key in (the pod's value)` for each key, which the pod
        // itself meets; an empty selector matches every pod.
        if sel.is_empty() || sel.matches(&labels) {
            continue;
        }
        let key = c.get("topologyKey").and_then(Node::as_str).unwrap_or("?");
        let d = ctx
            .diag(
                obj,
                sel_node.span,
                format!(
                    "the spread constraint over `{key}` selects `{}`, which the pods of {} do not carry: they are not spread themselves",
                    sel.describe(),
                    obj.display_name()
                ),
            )
            .with_primary_label("does not match the pod template's labels")
            .with_label(obj.file, t.labels_span(), "the pod template's labels")
            .with_help(format!("the scheduler counts the pods this selector matches; select the template's own labels to spread these pods, for instance `matchLabels: {{{k}: {v}}}`"));
        ctx.push(d);
    }
}
