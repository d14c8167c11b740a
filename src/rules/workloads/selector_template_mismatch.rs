//! `selector-template-mismatch`: a workload's `spec.selector` must select its own pod
//! template's labels.

use crate::diagnostics::Severity;
use crate::model::{label_map, LabelSelector, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "selector-template-mismatch",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A workload's spec.selector does not match its pod template's labels",
    fix: false,
    doc: include_str!("../../../rules/selector-template-mismatch.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let map_selector = match obj.kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => false,
        "ReplicationController" => true,
        _ => return,
    };
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let Some(selector_entry) = obj.spec().and_then(|s| s.entry("selector")) else {
        return;
    };
    let selector_node = &selector_entry.value;
    // Point at the `selector` key: one line, whatever the selector's size.
    let selector_span = selector_entry.key.span;
    if !selector_node.is_map() {
        // A wrong type is the schema's finding.
        return;
    }
    let selector = if map_selector {
        LabelSelector::from_map(selector_node)
    } else {
        LabelSelector::from_selector(selector_node)
    };
    let labels_node = template.labels();
    let labels = label_map(labels_node);
    // Without labels, point at the `template` key rather than the whole template.
    let template_key = obj
        .spec()
        .and_then(|s| s.entry("template"))
        .map(|e| e.key.span);
    let label_span = labels_node
        .map(|n| n.span)
        .or(template.metadata.map(|m| m.span))
        .or(template_key)
        .unwrap_or(template.node.span);

    if selector.is_empty() {
        if map_selector || obj.kind == "Job" {
            // Empty means "default to the template labels" for these kinds.
            return;
        }
        let d = ctx
            .diag(
                obj,
                selector_span,
                format!(
                    "the {} has an empty `spec.selector`; the API server rejects it",
                    obj.kind
                ),
            )
            .with_primary_label("this selector is empty")
            .with_help(help_from_labels(&labels));
        ctx.push(d);
        return;
    }
    if selector.matches(&labels) {
        return;
    }
    let reason = first_unmet(&selector, &labels);
    let labels_text = if labels.is_empty() {
        "the pod template has no labels".to_string()
    } else {
        format!(
            "the template's labels are {}",
            labels
                .iter()
                .map(|(k, v, _)| format!("`{k}: {v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let d = ctx
        .diag(
            obj,
            selector_span,
            format!(
                "`spec.selector` of {} does not match the labels of its pod template: {reason}",
                obj.display_name()
            ),
        )
        .with_primary_label("this selector")
        .with_label(obj.file, label_span, labels_text)
        .with_help(
            "the API server rejects a workload whose selector does not select its own template (`selector does not match template labels`); make every selector label appear with the same value in `spec.template.metadata.labels`",
        );
    ctx.push(d);
}

fn help_from_labels(labels: &[(&str, &str, &Node)]) -> String {
    match labels.first() {
        Some((k, v, _)) => {
            format!("select the template's labels, for example `matchLabels: {{{k}: {v}}}`")
        }
        None => "give the pod template labels and select them with `matchLabels`".into(),
    }
}

/// Names the first requirement the template's labels fail.
fn first_unmet(sel: &LabelSelector<'_>, labels: &[(&str, &str, &Node)]) -> String {
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _, _)| *lk == k)
            .map(|(_, v, _)| *v)
    };
    for (k, v) in &sel.match_labels {
        return match get(k) {
            None => format!("it requires `{k}: {v}` but the template has no `{k}` label"),
            Some(tv) if tv != *v => {
                format!("it requires `{k}: {v}` but the template has `{k}: {tv}`")
            }
            Some(_) => continue,
        };
    }
    for r in &sel.expressions {
        let ok = crate::model::selector_matches(
            &LabelSelector {
                match_labels: Vec::new(),
                expressions: vec![r.clone()],
            },
            labels,
        );
        if !ok {
            return format!(
                "the expression `{} {} [{}]` does not hold for the template's labels",
                r.key,
                r.operator,
                r.values.join(", ")
            );
        }
    }
    "the selector does not hold for the template's labels".into()
}
