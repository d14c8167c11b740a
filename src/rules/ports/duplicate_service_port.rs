//! `duplicate-service-port`: a Service declares the same port, port name or nodePort twice.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{port_protocol, Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "duplicate-service-port",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A Service declares the same port/protocol, port name or nodePort twice",
    fix: false,
    doc: include_str!("../../../rules/duplicate-service-port.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    let mut ports: HashMap<(i64, &str), &Node> = HashMap::new();
    let mut node_ports: HashMap<(i64, &str), &Node> = HashMap::new();
    let mut names: HashMap<&str, &Node> = HashMap::new();
    for p in svc.ports() {
        let proto = port_protocol(p);
        for (key, seen) in [("port", &mut ports), ("nodePort", &mut node_ports)] {
            let Some(node) = p.get(key) else { continue };
            let Some(n) = node.as_i64().filter(|n| *n != 0) else {
                continue;
            };
            if let Some(first) = seen.get(&(n, proto)) {
                let d = ctx
                    .diag(obj, node.span, format!("`{key}: {n}` ({proto}) is declared twice in {}", obj.display_name()))
                    .with_primary_label("declared again here")
                    .with_label(obj.file, first.span, "first declared here")
                    .with_help(format!("the API server rejects a Service whose ports repeat a {key} and protocol (`Duplicate value`); remove one, or use another number"));
                ctx.push(d);
            } else {
                seen.insert((n, proto), node);
            }
        }
        let Some(node) = p.get("name") else { continue };
        let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        if let Some(first) = names.get(name) {
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!(
                        "the port name `{name}` is used twice in {}",
                        obj.display_name()
                    ),
                )
                .with_primary_label("declared again here")
                .with_label(obj.file, first.span, "first declared here")
                .with_help(
                    "Service port names must be unique (`spec.ports[1].name: Duplicate value`)",
                );
            ctx.push(d);
        } else {
            names.insert(name, node);
        }
    }
}
