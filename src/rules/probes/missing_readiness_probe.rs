//! `missing-readiness-probe`: a container serving a Service has no readiness probe.

use crate::diagnostics::Severity;
use crate::model::{Container, ContainerKind, LabelSelector, Object};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "missing-readiness-probe",
    severity: Severity::Info,
    category: Category::Probes,
    summary: "A container behind a Service in the run has no readiness probe",
    fix: false,
    doc: include_str!("../../../rules/missing-readiness-probe.md"),
    check: Check::Workspace(check),
};

/// A Service's `(port, targetPort)` pairs: numbers or names.
fn target_ports(svc: &Object<'_>) -> Vec<String> {
    let spec = svc.spec();
    crate::model::all_items(spec, "ports")
        .filter_map(|p| p.get("targetPort").or_else(|| p.get("port")).and_then(Node::text))
        .map(str::to_string)
        .collect()
}

/// Does the container expose one of the targets (by number or name)?
fn serves(c: &Container<'_>, targets: &[String]) -> bool {
    c.declared_ports().any(|(name, num, _)| {
        targets
            .iter()
            .any(|t| name == Some(t.as_str()) || num.map(|n| n.to_string()) == Some(t.clone()))
    })
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    let mut reported: std::collections::HashSet<(usize, usize, u32, u32)> = Default::default();
    for svc in ws.of_kind("Service") {
        if !svc.group().is_empty() {
            continue;
        }
        let Some(ns) = ws.namespace_of(svc) else { continue };
        let Some(sel_node) = svc.spec().and_then(|s| s.get("selector")).filter(|s| s.is_map()) else {
            continue;
        };
        let selector = LabelSelector::from_map(sel_node);
        if selector.is_empty() {
            continue;
        }
        let targets = target_ports(svc);
        for (owner, template) in ws
            .templates_selected_by(ns, &selector)
            .filter(|(o, _)| ws.same_dir(o.file, svc.file))
        {
            let regular: Vec<Container<'_>> =
                template.containers().filter(|c| c.kind == ContainerKind::Regular).collect();
            let any_ports = regular.iter().any(|c| c.ports().next().is_some());
            for c in &regular {
                let candidate = if any_ports { serves(c, &targets) } else { regular.len() == 1 };
                if !candidate || c.node.get("readinessProbe").is_some_and(|p| !p.is_null()) {
                    continue;
                }
                let key = (owner.file, owner.document, c.node.span.start, c.node.span.end);
                if !reported.insert(key) {
                    continue;
                }
                let anchor = c.node.get("name").map_or(c.node.span, |n| n.span);
                let d = ctx
                    .diag(
                        owner,
                        anchor,
                        format!(
                            "{} of {} has no readiness probe, but Service `{}` sends traffic to it",
                            c.describe(),
                            owner.display_name(),
                            svc.name.unwrap_or("?")
                        ),
                    )
                    .with_primary_label("no readinessProbe")
                    .with_label(svc.file, sel_node.span, format!("Service `{}` selects this pod here", svc.name.unwrap_or("?")))
                    .with_help("without a readiness probe a pod receives traffic as soon as its containers start, before the application is ready, and keeps receiving it when the application stops answering; add a `readinessProbe` that checks the served port");
                ctx.push(d);
            }
        }
    }
}
