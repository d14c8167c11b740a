//! `service-without-selector`: a Service with no selector gets no endpoints from Kubernetes.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "service-without-selector",
    severity: Severity::Info,
    category: Category::Selectors,
    summary: "A Service has no selector, so its endpoints must be managed by hand",
    fix: false,
    doc: include_str!("../../../rules/service-without-selector.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    if svc.service_type() == "ExternalName" {
        return;
    }
    let selector = svc.spec.and_then(|s| s.get("selector"));
    match selector {
        // A selector of the wrong type is the schema's finding.
        Some(s) if !s.is_map() && !s.is_null() => return,
        Some(s) if !s.entries().is_empty() => return,
        _ => {}
    }
    // Its endpoints written by hand in the run: what the note would ask about is there
    // (`endpoints-service-mismatch` checks they fit).
    if let (Some(name), Some(ns)) = (obj.name, ctx.namespace_of(obj)) {
        if !ctx.ws.endpoints_of(ns, name).is_empty() {
            return;
        }
    }
    let span = selector.map_or(obj.anchor_span(), |s| s.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} has no selector: Kubernetes will not create its endpoints",
                obj.display_name()
            ),
        )
        .with_primary_label("no selector")
        .with_help(
            "this is legal when the endpoints are managed by hand (an EndpointSlice or Endpoints object named after the Service); otherwise add a `selector` matching the pods' labels",
        );
    ctx.push(d);
}
