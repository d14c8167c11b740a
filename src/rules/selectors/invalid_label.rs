//! `invalid-label`: label keys and values, and the keys and values of label selectors, must
//! have the syntax the API server accepts.

use crate::diagnostics::Severity;
use crate::model::names::{label_value, qualified_name};
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-label",
    severity: Severity::Error,
    category: Category::Selectors,
    summary: "A label or selector key or value does not have valid label syntax",
    fix: false,
    doc: include_str!("../../../rules/invalid-label.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if let Some(labels) = obj.labels() {
        label_map(ctx, obj, labels, "label");
    }
    let spec = obj.spec();
    if let Some(t) = PodTemplate::of(obj) {
        if obj.kind != "Pod" {
            if let Some(labels) = t.labels() {
                label_map(ctx, obj, labels, "pod template label");
            }
        }
        pod_spec_selectors(ctx, obj, t.spec);
    }
    let core = obj.group().is_empty();
    match obj.kind {
        "Service" | "ReplicationController" if core => {
            if let Some(sel) = spec.and_then(|s| s.get("selector")) {
                label_map(ctx, obj, sel, "selector");
            }
        }
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "PodDisruptionBudget" => {
            selector(ctx, obj, spec.and_then(|s| s.get("selector")));
        }
        "CronJob" => {
            selector(
                ctx,
                obj,
                spec.and_then(|s| s.get_path(&["jobTemplate", "spec", "selector"])),
            );
        }
        "NetworkPolicy" => {
            selector(ctx, obj, spec.and_then(|s| s.get("podSelector")));
            for (rules, peers) in [("ingress", "from"), ("egress", "to")] {
                for rule in all_items(spec, rules) {
                    for peer in all_items(Some(rule), peers) {
                        selector(ctx, obj, peer.get("podSelector"));
                        selector(ctx, obj, peer.get("namespaceSelector"));
                    }
                }
            }
        }
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"
            if obj.group() == "admissionregistration.k8s.io" =>
        {
            for hook in all_items(Some(obj.root), "webhooks") {
                selector(ctx, obj, hook.get("namespaceSelector"));
                selector(ctx, obj, hook.get("objectSelector"));
            }
        }
        "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding"
            if obj.group() == "admissionregistration.k8s.io" =>
        {
            let matches = spec.into_iter().flat_map(|s| [s.get("matchConstraints"), s.get("matchResources")]);
            for m in matches {
                let m = m.into_iter();
                for sel in m.flat_map(|m| [m.get("namespaceSelector"), m.get("objectSelector")]) {
                    selector(ctx, obj, sel);
                }
            }
            selector(ctx, obj, spec.and_then(|s| s.get_path(&["paramRef", "selector"])));
        }
        _ => {}
    }
}

/// Label selectors inside a pod spec: pod (anti-)affinity terms and topology spread
/// constraints. Node selectors and node affinity are the scheduling rules' business.
fn pod_spec_selectors(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: Option<&Node>) {
    let Some(spec) = spec else { return };
    for c in all_items(Some(spec), "topologySpreadConstraints") {
        selector(ctx, obj, c.get("labelSelector"));
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(aff) = spec.get_path(&["affinity", kind]) else {
            continue;
        };
        let required = all_items(Some(aff), "requiredDuringSchedulingIgnoredDuringExecution");
        let preferred = all_items(Some(aff), "preferredDuringSchedulingIgnoredDuringExecution")
            .filter_map(|p| p.get("podAffinityTerm"));
        for term in required.chain(preferred) {
            selector(ctx, obj, term.get("labelSelector"));
            selector(ctx, obj, term.get("namespaceSelector"));
        }
    }
}

/// A `metav1.LabelSelector`: `matchLabels` and `matchExpressions`.
fn selector(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: Option<&Node>) {
    let Some(node) = node else { return };
    if let Some(ml) = node.get("matchLabels") {
        label_map(ctx, obj, ml, "selector");
    }
    for expr in all_items(Some(node), "matchExpressions") {
        if let Some(key) = expr.get("key") {
            if let Some(k) = key.as_str() {
                report(ctx, obj, key, "selector key", k, qualified_name(k));
            }
        }
        let op = expr.get("operator").and_then(Node::as_str);
        if matches!(op, Some("In" | "NotIn")) {
            for v in expr.get("values").map(Node::items).unwrap_or_default() {
                if let Some(s) = v.as_str() {
                    report(ctx, obj, v, "selector value", s, label_value(s));
                }
            }
        }
    }
}

/// A `key: value` label map.
fn label_map(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, what: &str) {
    for e in map.entries() {
        if let Some(k) = e.key.key_text() {
            report(
                ctx,
                obj,
                &e.key,
                &format!("{what} key"),
                k,
                qualified_name(k),
            );
        }
        // Non-string values are a type error, reported by schema validation.
        if let Some(v) = e.value.as_str() {
            report(
                ctx,
                obj,
                &e.value,
                &format!("{what} value"),
                v,
                label_value(v),
            );
        }
    }
}

fn report(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    node: &Node,
    what: &str,
    text: &str,
    errs: Vec<String>,
) {
    if errs.is_empty() {
        return;
    }
    let mut d = ctx
        .diag(
            obj,
            node.span,
            format!("{what} `{text}` is not valid: {}", errs.join("; ")),
        )
        .with_primary_label(format!("invalid {what}"));
    if let Some(h) = hint(text) {
        d = d.with_help(h);
    }
    ctx.push(d);
}

fn hint(text: &str) -> Option<String> {
    if text.contains(' ') {
        return Some("spaces are not allowed; use `-`, `_` or `.` instead".into());
    }
    if text.contains(':') && !text.contains('/') {
        return Some(
            "a `:` cannot appear in a label; if this was meant as `key: value`, put a space after the colon".into(),
        );
    }
    None
}
