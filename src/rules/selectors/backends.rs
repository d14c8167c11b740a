//! What an Ingress backend, a Gateway API route's `backendRef` and an admission webhook's
//! service share: a Service of the run named by them, and one of its ports.

use crate::model::names::typo_of;
use crate::model::{Object, Service};
use crate::rules::Ctx;
use crate::yaml::Node;

/// One backend: the Service name node, its namespace, and the port node (a number, or for
/// an Ingress a name).
pub struct Backend<'a> {
    pub name: &'a Node,
    pub namespace: &'a str,
    pub port: Option<&'a Node>,
    /// The port used when `port` is absent (a webhook's 443), checked the same way.
    pub default_port: Option<i64>,
    /// How the object reaches the Service, for messages ("routes to", "calls").
    pub reaches: &'a str,
}

/// Reports a backend whose Service the run does not have (on evidence, see
/// `service-selects-nothing`'s page) or whose port that Service does not declare;
/// `port_rule` ends the help with what such a port must be.
pub fn check_backend(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, b: &Backend<'_>, port_rule: &str) {
    let ws = ctx.ws;
    let ns = b.namespace;
    let Some(name) = b.name.as_str() else { return };
    // Only when the run has Services in the namespace.
    if !ws.of_kind_in("Service", ns).any(|o| Service::of(o).is_some()) {
        return;
    }
    // Looked up by name: a namespace may hold thousands of Services and Ingresses.
    let same_name: Vec<Service<'_>> = ws
        .named_in("Service", ns, name)
        .into_iter()
        .filter_map(Service::of)
        .collect();
    let Some(svc) = same_name.first() else {
        let services = ws.services_in(ns);
        // Judged against the Services of the object's own directory: other directories
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
            return;
        }
        let mut d = ctx
            .diag(
                obj,
                b.name.span,
                format!("{} {} Service `{name}`, which is not in namespace `{ns}` in this run", obj.display_name(), b.reaches),
            )
            .with_primary_label("no such Service");
        if let Some(s) = near {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        ctx.push(d);
        return;
    };
    let Some(port) = b.port else {
        if let Some(n) = b.default_port {
            default_port(ctx, obj, b, svc, &same_name, n, port_rule);
        }
        return;
    };
    let ports = svc.ports();
    if ports.is_empty() && svc.service_type() == "ExternalName" {
        // Controllers use the backend port as is for an ExternalName Service.
        return;
    }
    // A repository may hold the Service in several variants: any of them will do, and a
    // Service of another directory may be another app's that happens to share the name.
    if same_name.iter().any(|s| serves(s, port))
        || !same_name.iter().any(|s| ws.same_dir(s.obj.file, obj.file))
    {
        return;
    }
    let what = if port.as_i64().is_some() { "port" } else { "port name" };
    let (ports_span, ports_label) = declared_ports(svc);
    // The usual mistake: the container's port, which the Service maps to.
    let target = port.as_i64().and_then(|n| {
        ports.iter().find(|p| p.get("targetPort").and_then(Node::as_i64) == Some(n))
    });
    let help = match target.and_then(|p| p.get("port")).and_then(Node::text) {
        Some(service_port) => format!(
            "`{}` is the Service's `targetPort`, the container's port; {port_rule}: here `{service_port}`",
            port.text().unwrap_or_default()
        ),
        None => format!("{port_rule}, not the container port behind it"),
    };
    let d = ctx
        .diag(
            obj,
            port.span,
            format!("Service `{name}` has no {what} `{}`", port.text().unwrap_or_default()),
        )
        .with_primary_label("no such port on the Service")
        .with_label(svc.obj.file, ports_span, ports_label)
        .with_help(help);
    ctx.push(d);
}

/// The span of a Service's ports and a label listing them.
fn declared_ports(svc: &Service<'_>) -> (crate::yaml::Span, String) {
    let declared: Vec<String> = svc
        .ports()
        .iter()
        .map(|p| {
            let num = p.get("port").and_then(Node::text).unwrap_or("?");
            match p.get("name").and_then(Node::as_str) {
                Some(n) => format!("`{n}` ({num})"),
                None => num.to_string(),
            }
        })
        .collect();
    let span = svc
        .spec
        .and_then(|s| s.get("ports"))
        .map_or(svc.obj.anchor_span(), |p| p.span);
    let label = if declared.is_empty() {
        "the Service declares no ports".to_string()
    } else {
        format!("the Service's ports are {}", declared.join(", "))
    };
    (span, label)
}

/// A backend without a port, which reaches the Service on `n`: reported at the Service name
/// when no variant of the Service in the object's directory has that port.
fn default_port(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    b: &Backend<'_>,
    svc: &Service<'_>,
    same_name: &[Service<'_>],
    n: i64,
    port_rule: &str,
) {
    let has = |s: &Service<'_>| {
        s.ports()
            .iter()
            .any(|p| p.get("port").and_then(Node::as_i64) == Some(n))
    };
    if svc.ports().is_empty()
        || same_name.iter().any(has)
        || !same_name.iter().any(|s| ctx.ws.same_dir(s.obj.file, obj.file))
    {
        return;
    }
    let name = b.name.as_str().unwrap_or_default();
    let (ports_span, ports_label) = declared_ports(svc);
    let d = ctx
        .diag(
            obj,
            b.name.span,
            format!("Service `{name}` has no port {n}, which is used when no port is given"),
        )
        .with_primary_label(format!("reached on port {n}"))
        .with_label(svc.obj.file, ports_span, ports_label)
        .with_help(format!("{port_rule}: set the port the Service exposes, or add port {n} to the Service"));
    ctx.push(d);
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
