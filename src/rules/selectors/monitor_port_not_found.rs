//! `monitor-port-not-found`: a Prometheus Operator ServiceMonitor or PodMonitor endpoint that
//! names a port the Services (or pods) it selects do not have.
//!
//! The operator keeps only the targets whose port name is the endpoint's `port`: for a
//! ServiceMonitor the endpoint's port name, which is the Service port's name; for a
//! PodMonitor the container port's name. A name nothing has scrapes nothing, silently.

use crate::diagnostics::Severity;
use crate::model::names::did_you_mean;
use crate::model::{label_map, LabelSelector, Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "monitor-port-not-found",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A ServiceMonitor or PodMonitor endpoint names a port that none of the Services (pods) it selects in the run has: Prometheus scrapes nothing there",
    fix: false,
    doc: include_str!("../../../rules/monitor-port-not-found.md"),
    check: Check::Object(check),
};

const GROUP: &str = "monitoring.coreos.com";

/// The namespaces a monitor looks in: its own unless `namespaceSelector` says otherwise;
/// `None` for any namespace.
fn namespaces<'a>(spec: &'a Node, own: &'a str) -> Option<Vec<&'a str>> {
    let sel = spec.get("namespaceSelector");
    if sel.and_then(|s| s.get("any")).and_then(Node::as_bool) == Some(true) {
        return None;
    }
    let names: Vec<&str> = sel
        .and_then(|s| s.get("matchNames"))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    Some(if names.is_empty() { vec![own] } else { names })
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != GROUP {
        return;
    }
    let (endpoints_field, target) = match obj.kind {
        "ServiceMonitor" => ("endpoints", "Service"),
        "PodMonitor" => ("podMetricsEndpoints", "pod"),
        _ => return,
    };
    let ws = ctx.ws;
    let (Some(spec), Some(own)) = (obj.spec(), ws.namespace_of(obj)) else {
        return;
    };
    let Some(selector) = spec.get("selector").filter(|s| s.is_map()) else {
        return;
    };
    let selector = LabelSelector::from_selector(selector);
    // An empty selector takes every Service (pod) of the namespaces, most of which a run
    // rarely holds.
    if selector.is_empty() {
        return;
    }
    let in_scope = |o: &Object<'_>| {
        ws.same_dir(o.file, obj.file)
            && namespaces(spec, own).is_none_or(|ns| ws.namespace_of(o).is_some_and(|n| ns.contains(&n)))
    };
    // What the selected objects call their ports, and one of them to show.
    let mut names: Vec<&str> = Vec::new();
    let mut selected: Vec<&Object<'_>> = Vec::new();
    if target == "Service" {
        for o in ws.of_kind("Service").filter(|o| in_scope(o)) {
            let Some(svc) = Service::of(o) else { continue };
            if selector.matches(&label_map(o.labels())) {
                names.extend(svc.ports().iter().filter_map(|p| p.get("name").and_then(Node::as_str)));
                selected.push(o);
            }
        }
    } else {
        for (o, t) in ws.pod_templates().filter(|(o, _)| in_scope(o)) {
            if selector.matches(&label_map(t.labels())) {
                for c in t.containers() {
                    names.extend(c.declared_ports().filter_map(|(n, _, _)| n));
                }
                selected.push(o);
            }
        }
    }
    // Nothing selected in the run: the Services (pods) come from elsewhere.
    let Some(first) = selected.first() else { return };
    names.sort_unstable();
    names.dedup();
    for ep in spec.get(endpoints_field).map(Node::items).unwrap_or_default() {
        let Some(port) = ep.get("port") else { continue };
        let Some(name) = port.as_str().filter(|n| !n.is_empty()) else { continue };
        if names.contains(&name) {
            continue;
        }
        let what = if target == "Service" { "Services" } else { "pods" };
        let shown: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let label = if shown.is_empty() {
            format!("{} (selected) names none of its ports", first.display_name())
        } else {
            format!("the selected {what} name their ports {}", shown.join(", "))
        };
        let help = match did_you_mean(name, &names) {
            Some(n) => format!("did you mean `{n}`?"),
            None if target == "Service" => "`port` is the name of a Service port (give the Service port a `name`), not a number or a container port's name; `targetPort` takes the pod's port".to_string(),
            None => "`port` is the name of a container port of the selected pods (give it a `name`); `portNumber` takes a number".to_string(),
        };
        let d = ctx
            .diag(obj, port.span, format!("{} scrapes port `{name}`, which none of the {what} it selects has", obj.display_name()))
            .with_primary_label("no such port name")
            .with_label(first.file, first.anchor_span(), label)
            .with_help(help);
        ctx.push(d);
    }
}
