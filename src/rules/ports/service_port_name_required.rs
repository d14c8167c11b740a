//! `service-port-name-required`: every port of a multi-port Service needs a name.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "service-port-name-required",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A Service with several ports has a port without a name",
    fix: false,
    doc: include_str!("../../../rules/service-port-name-required.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    let ports = svc.ports();
    if ports.len() < 2 {
        return;
    }
    for (i, p) in ports.iter().enumerate() {
        if !p.is_map() {
            continue;
        }
        let named = p
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(|s| !s.is_empty());
        if named {
            continue;
        }
        let port = p
            .get("port")
            .and_then(Node::text)
            .map_or_else(|| format!("`spec.ports[{i}]`"), |n| format!("port {n}"));
        let span = p.get("port").map_or(p.span, |n| n.span);
        let d = ctx
            .diag(
                obj,
                span,
                format!("{port} of {} has no name, but the Service has {} ports", obj.display_name(), ports.len()),
            )
            .with_primary_label("unnamed port")
            .with_help("the API server requires a `name` on every port of a multi-port Service (`spec.ports[1].name: Required value`), e.g. `name: http`");
        ctx.push(d);
    }
}
