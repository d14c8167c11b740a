//! `ingress-backend-not-found`: an Ingress backend names a Service, or a port of a Service,
//! that the run does not have.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::{all_items, Object, Service};
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

/// One backend: the Service name node and the port node (a number or a name).
struct Backend<'a> {
    name: &'a Node,
    port: Option<&'a Node>,
}

fn backend(node: &Node) -> Option<Backend<'_>> {
    if let Some(svc) = node.get("service") {
        // networking.k8s.io/v1
        let port = svc
            .get("port")
            .and_then(|p| p.get("number").or_else(|| p.get("name")));
        return Some(Backend {
            name: svc.get("name")?,
            port,
        });
    }
    // extensions/v1beta1 and networking.k8s.io/v1beta1
    Some(Backend {
        name: node.get("serviceName")?,
        port: node.get("servicePort"),
    })
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "Ingress" {
        return;
    }
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return;
    };
    // Only when the run has Services in the namespace.
    if !ws
        .of_kind_in("Service", ns)
        .any(|o| Service::of(o).is_some())
    {
        return;
    }
    let spec = obj.spec();
    let mut backends: Vec<Backend<'_>> = Vec::new();
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.and_then(|s| s.get(key)).and_then(backend) {
            backends.push(b);
        }
    }
    for rule in all_items(spec, "rules") {
        let http = rule.get("http");
        for path in all_items(http, "paths") {
            if let Some(b) = path.get("backend").and_then(backend) {
                backends.push(b);
            }
        }
    }
    for b in backends {
        let Some(name) = b.name.as_str() else {
            continue;
        };
        // Looked up by name: a namespace may hold thousands of Services and Ingresses.
        let same_name: Vec<Service<'_>> = ws
            .named_in("Service", ns, name)
            .into_iter()
            .filter_map(Service::of)
            .collect();
        let Some(svc) = same_name.first() else {
            let services = ws.services_in(ns);
            // Judged against the Services of the Ingress's own directory: other directories
            // hold other apps and examples.
            let names: Vec<&str> = services
                .iter()
                .filter(|s| ws.same_dir(s.obj.file, obj.file))
                .filter_map(|s| s.obj.name)
                .collect();
            let near = typo_of(name, &names);
            // Without a near miss, only a run that is the whole picture can say the Service
            // does not exist (an operator or kustomize may create it).
            if names.is_empty() || (near.is_none() && !ws.can_judge_absence(obj.file, ns)) {
                continue;
            }
            let mut d = ctx
                .diag(
                    obj,
                    b.name.span,
                    format!("{} routes to Service `{name}`, which is not in namespace `{ns}` in this run", obj.display_name()),
                )
                .with_primary_label("no such Service");
            if let Some(s) = near {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            ctx.push(d);
            continue;
        };
        let Some(port) = b.port else { continue };
        let ports = svc.ports();
        if ports.is_empty() && svc.service_type() == "ExternalName" {
            // Controllers use the backend port as is for an ExternalName Service.
            continue;
        }
        // A repository may hold the Service in several variants: any of them will do, and
        // a Service of another directory may be another app's that happens to share the name.
        if same_name.iter().any(|s| serves(s, port))
            || !same_name.iter().any(|s| ws.same_dir(s.obj.file, obj.file))
        {
            continue;
        }
        let declared: Vec<String> = ports
            .iter()
            .map(|p| {
                let num = p.get("port").and_then(Node::text).unwrap_or("?");
                match p.get("name").and_then(Node::as_str) {
                    Some(n) => format!("`{n}` ({num})"),
                    None => num.to_string(),
                }
            })
            .collect();
        let what = if port.as_i64().is_some() {
            "port"
        } else {
            "port name"
        };
        let ports_span = svc
            .spec
            .and_then(|s| s.get("ports"))
            .map_or(svc.obj.anchor_span(), |p| p.span);
        let d = ctx
            .diag(
                obj,
                port.span,
                format!(
                    "Service `{name}` has no {what} `{}`",
                    port.text().unwrap_or_default()
                ),
            )
            .with_primary_label("no such port on the Service")
            .with_label(
                svc.obj.file,
                ports_span,
                if declared.is_empty() {
                    "the Service declares no ports".to_string()
                } else {
                    format!("the Service's ports are {}", declared.join(", "))
                },
            )
            .with_help("an Ingress backend port must be one of the Service's `port` numbers or port names (not a container port)");
        ctx.push(d);
    }
}

/// Whether the Service has the backend's port (a number or a name).
fn serves(svc: &Service<'_>, port: &Node) -> bool {
    let ports = svc.ports();
    if let Some(n) = port.as_i64() {
        ports
            .iter()
            .any(|p| p.get("port").and_then(Node::as_i64) == Some(n))
    } else if let Some(pname) = port.as_str() {
        ports
            .iter()
            .any(|p| p.get("name").and_then(Node::as_str) == Some(pname))
    } else {
        true
    }
}
