//! `duplicate-container-port`: the same containerPort and protocol declared twice in a pod.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{port_protocol, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "duplicate-container-port",
    severity: Severity::Warning,
    category: Category::Ports,
    summary: "The same containerPort and protocol is declared twice in a pod",
    fix: false,
    doc: include_str!("../../../rules/duplicate-container-port.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    // (port, protocol, hostIP, hostPort, node, owner)
    let mut seen: HashMap<(i64, &str, &str, i64), (&Node, String)> = HashMap::new();
    for c in t.containers() {
        for p in c.ports() {
            let Some(port_node) = p.get("containerPort") else {
                continue;
            };
            let Some(port) = port_node.as_i64() else {
                continue;
            };
            let proto = port_protocol(p);
            let host_ip = p.get("hostIP").and_then(Node::as_str).unwrap_or("");
            let host_port = p.get("hostPort").and_then(Node::as_i64).unwrap_or(0);
            let key = (port, proto, host_ip, host_port);
            let dup = seen.get(&key);
            if let Some((first, owner)) = dup {
                let d = ctx
                    .diag(
                        obj,
                        port_node.span,
                        format!(
                            "port {port}/{proto} of {} is already declared by {}",
                            c.describe(),
                            if *owner == c.describe() { "the same container".to_string() } else { owner.clone() }
                        ),
                    )
                    .with_primary_label("declared again here")
                    .with_label(obj.file, first.span, "first declared here")
                    .with_help(
                        "the API server warns `duplicate port definition`; containers of a pod share one network namespace, so two of them cannot listen on the same port; remove one declaration or use another port",
                    );
                ctx.push(d);
            } else {
                seen.insert(key, (port_node, c.describe()));
            }
        }
    }
}
