//! `ingress-backend-not-found`: an Ingress backend names a Service, or a port of a Service,
//! that the run does not have.

use super::backends::{check_backend, Backend};
use crate::diagnostics::Severity;
use crate::model::{all_items, Object};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "ingress-backend-not-found",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "An Ingress backend names a Service or Service port that is not in the run",
    fix: false,
    doc: include_str!("../../../rules/ingress-backend-not-found.md"),
    check: Check::Object(check),
};

fn backend<'a>(node: &'a Node, namespace: &'a str) -> Option<Backend<'a>> {
    if let Some(svc) = node.get("service") {
        // networking.k8s.io/v1
        let port = svc
            .get("port")
            .and_then(|p| p.get("number").or_else(|| p.get("name")));
        return Some(Backend {
            name: svc.get("name")?,
            namespace,
            port,
            default_port: None,
            reaches: "routes to",
        });
    }
    // extensions/v1beta1 and networking.k8s.io/v1beta1
    Some(Backend {
        name: node.get("serviceName")?,
        namespace,
        port: node.get("servicePort"),
        default_port: None,
        reaches: "routes to",
    })
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "Ingress" {
        return;
    }
    let Some(ns) = ctx.ws.namespace_of(obj) else {
        return;
    };
    let spec = obj.spec();
    let mut backends: Vec<Backend<'_>> = Vec::new();
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.and_then(|s| s.get(key)).and_then(|n| backend(n, ns)) {
            backends.push(b);
        }
    }
    for rule in all_items(spec, "rules") {
        let http = rule.get("http");
        for path in all_items(http, "paths") {
            if let Some(b) = path.get("backend").and_then(|n| backend(n, ns)) {
                backends.push(b);
            }
        }
    }
    for b in backends {
        check_backend(ctx, obj, &b, "an Ingress backend port is one of the Service's `port` numbers or port names");
    }
}
