//! `route-backend-not-found`: a Gateway API route's `backendRef` names a Service, or a port
//! of a Service, that the run does not have.

use super::backends::{check_backend, Backend};
use crate::diagnostics::Severity;
use crate::model::{all_items, Object};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "route-backend-not-found",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) sends traffic to a Service or Service port that is not in the run",
    fix: false,
    doc: include_str!("../../../rules/route-backend-not-found.md"),
    check: Check::Object(check),
};

const ROUTES: &[&str] = &["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "gateway.networking.k8s.io" || !ROUTES.contains(&obj.kind) {
        return;
    }
    let Some(own) = ctx.ws.namespace_of(obj) else {
        return;
    };
    let mut backends = Vec::new();
    for rule in all_items(obj.spec(), "rules") {
        for r in all_items(Some(rule), "backendRefs") {
            // A Service unless `group`/`kind` name another backend (defaults: "" and Service).
            let group = r.get("group").and_then(Node::as_str).unwrap_or("");
            let kind = r.get("kind").and_then(Node::as_str).unwrap_or("Service");
            if !group.is_empty() || kind != "Service" {
                continue;
            }
            let Some(name) = r.get("name") else { continue };
            backends.push(Backend {
                name,
                // Another namespace's Service needs its ReferenceGrant; it is looked up there.
                namespace: r.get("namespace").and_then(Node::as_str).unwrap_or(own),
                port: r.get("port"),
                default_port: None,
                reaches: "routes to",
            });
        }
    }
    for b in backends {
        check_backend(ctx, obj, &b, "a route's backend `port` is one of the Service's `port` numbers");
    }
}
