//! `endpoints-service-mismatch`: hand-written Endpoints or EndpointSlices that their Service
//! cannot use: rewritten by the endpoints controller, paired with no Service port, or an
//! EndpointSlice that names no Service.
//!
//! kube-proxy reads EndpointSlices only (v1 Endpoints reach it through the mirroring
//! controller, which keeps their port names), groups them by the `kubernetes.io/service-name`
//! label and pairs a Service port with the endpoint port of the same name and protocol
//! (`pkg/proxy/endpointslicecache.go`).

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{port_protocol, sliced_service, Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "endpoints-service-mismatch",
    severity: Severity::Warning,
    category: Category::Services,
    summary: "Hand-written Endpoints or EndpointSlices their Service cannot use: rewritten by the endpoints controller (the Service has a selector), no endpoint port of a Service port's name and protocol, or a slice without the kubernetes.io/service-name label",
    fix: false,
    doc: include_str!("../../../rules/endpoints-service-mismatch.md"),
    check: Check::Workspace(check),
};

const SERVICE_NAME: &str = "kubernetes.io/service-name";
/// Multi-cluster Services (KEP-1645) label their slices with this instead; their
/// controllers, not kube-proxy, read them.
const MULTICLUSTER_SERVICE_NAME: &str = "multicluster.kubernetes.io/service-name";

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    for obj in ws.of_kind("Endpoints") {
        if obj.group().is_empty() && reaches_proxy(obj) {
            overwritten(ctx, obj);
        }
    }
    for obj in ws.of_kind("EndpointSlice") {
        if obj.group() == "discovery.k8s.io" {
            unlabelled_slice(ctx, obj);
        }
    }
    for obj in ws.of_kind("Service") {
        if let Some(svc) = Service::of(obj) {
            unpaired_ports(ctx, &svc);
        }
    }
}

fn label<'a>(obj: &Object<'a>, key: &str) -> Option<&'a str> {
    obj.labels()?.get(key)?.as_str()
}

/// Whether the mirroring controller copies these Endpoints into EndpointSlices, the only
/// form kube-proxy reads: not with the `skip-mirror` label, nor a leader-election lock.
fn reaches_proxy(obj: &Object<'_>) -> bool {
    let lock = obj
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("control-plane.alpha.kubernetes.io/leader"))
        .is_some();
    !lock && label(obj, "endpointslice.kubernetes.io/skip-mirror") != Some("true")
}

/// The Services of the run that `obj` serves, in its namespace and directory (a
/// repository's other directories hold other variants of the same names).
fn services_of<'w, 'a>(ctx: &Ctx<'w, 'a>, obj: &Object<'a>, name: &str) -> Vec<Service<'a>> {
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return Vec::new();
    };
    ws.named_in("Service", ns, name)
        .into_iter()
        .filter(|s| ws.same_dir(s.file, obj.file))
        .filter_map(Service::of)
        .filter(|s| s.service_type() != "ExternalName")
        .collect()
}

/// The endpoints controller owns the Endpoints of every Service with a selector and writes
/// the selected pods over whatever subsets it finds there.
fn overwritten(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(name) = obj.name else { return };
    let services = services_of(ctx, obj, name);
    // A selector-less variant of the Service beside it: these are its endpoints.
    if services.is_empty() || services.iter().any(|s| s.selector().is_empty()) {
        return;
    }
    let svc = &services[0];
    let Some(selector) = svc.selector_node() else {
        return;
    };
    let span = obj
        .root
        .entry("subsets")
        .map_or(obj.anchor_span(), |e| e.key.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} will be overwritten: {} has a selector, so the endpoints controller replaces these subsets with the pods it selects",
                obj.display_name(),
                svc.obj.display_name()
            ),
        )
        .with_primary_label("these addresses are replaced")
        .with_label(svc.obj.file, selector.span, "this selector makes Kubernetes manage the Service's endpoints")
        .with_help("to send the Service's traffic to these addresses, remove its `selector`; otherwise remove this Endpoints object");
    ctx.push(d);
}

/// kube-proxy groups slices by the `kubernetes.io/service-name` label and logs and skips a
/// slice without it; cluster DNS finds them the same way.
fn unlabelled_slice(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if sliced_service(obj).is_some() || label(obj, MULTICLUSTER_SERVICE_NAME).is_some() {
        return;
    }
    let ws = ctx.ws;
    let labels = obj.labels();
    let span = match labels {
        Some(l) if l.is_map() => obj
            .metadata()
            .and_then(|m| m.entry("labels"))
            .map_or(l.span, |e| e.key.span),
        _ => obj.anchor_span(),
    };
    // A selector-less Service beside it whose name starts the slice's (`db` for `db-1`).
    let guess = obj.name.and_then(|slice| {
        let ns = ws.namespace_of(obj)?;
        ws.of_kind_in("Service", ns)
            .filter(|s| ws.same_dir(s.file, obj.file))
            .filter_map(Service::of)
            .filter(|s| s.selector().is_empty() && s.service_type() != "ExternalName")
            .filter_map(|s| s.obj.name)
            .filter(|n| slice == *n || slice.strip_prefix(n).is_some_and(|r| r.starts_with('-')))
            .max_by_key(|n| n.len())
    });
    let help = match guess {
        Some(n) => format!("add the label `{SERVICE_NAME}: {n}`: kube-proxy and cluster DNS find a Service's EndpointSlices by it"),
        None => format!("add the label `{SERVICE_NAME}` with the name of the Service these endpoints serve: kube-proxy and cluster DNS find a Service's EndpointSlices by it"),
    };
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} has no `{SERVICE_NAME}` label, so it belongs to no Service: kube-proxy ignores its endpoints",
                obj.display_name()
            ),
        )
        .with_primary_label(format!("no `{SERVICE_NAME}` label"))
        .with_help(help);
    ctx.push(d);
}

/// One endpoint port as kube-proxy keys it: name (`""` when unset) and protocol.
struct EndpointPort<'a> {
    name: &'a str,
    protocol: &'a str,
    number: i64,
}

impl EndpointPort<'_> {
    fn describe(&self) -> String {
        if self.name.is_empty() {
            format!("{}/{} without a name", self.number, self.protocol)
        } else {
            format!("`{}` ({}/{})", self.name, self.number, self.protocol)
        }
    }
}

/// The ports kube-proxy pairs with Service ports: a slice port without a number is skipped
/// ("Ignoring invalid endpoint port").
fn endpoint_ports<'a>(obj: &Object<'a>) -> Vec<EndpointPort<'a>> {
    let ports: Vec<&'a Node> = if obj.kind == "EndpointSlice" {
        obj.root.get("ports").map(Node::items).unwrap_or_default().iter().collect()
    } else {
        obj.root
            .get("subsets")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .flat_map(|s| s.get("ports").map(Node::items).unwrap_or_default())
            .collect()
    };
    ports
        .into_iter()
        .filter_map(|p| {
            let number = p.get("port").and_then(Node::as_i64).filter(|&n| n != 0)?;
            Some(EndpointPort {
                name: p.get("name").and_then(Node::as_str).unwrap_or(""),
                protocol: port_protocol(p),
                number,
            })
        })
        .collect()
}

/// How to pair the Service port `pname` with one of the `stray` endpoint ports (those of
/// its protocol that no Service port takes).
fn pairing_fix(pname: &str, protocol: &str, stray: &[&str]) -> String {
    let named: Vec<&str> = stray.iter().copied().filter(|n| !n.is_empty()).collect();
    if pname.is_empty() {
        return match named.as_slice() {
            [one] => format!("name this port `{one}`, or remove the name from the endpoint port"),
            [] => format!("add a {protocol} port without a name to the endpoints"),
            many => format!(
                "name this port after one of the endpoint ports ({})",
                many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        };
    }
    if stray.contains(&"") {
        return format!("name the endpoint port `{pname}`, or remove this port's name");
    }
    // A near spelling is a typo on the endpoints' side; otherwise either name may be meant.
    if let Some(n) = crate::model::names::did_you_mean(pname, &named) {
        return format!("rename the endpoint port `{n}` to `{pname}`");
    }
    match named.first() {
        Some(n) => format!("rename the endpoint port `{n}` to `{pname}`, or this port to `{n}`"),
        None => format!("add a {protocol} port named `{pname}` to the endpoints"),
    }
}


/// A selector-less Service whose hand-written endpoints are in the run: each of its ports
/// needs an endpoint port of the same name and protocol, or kube-proxy has no endpoints
/// for it and the port routes nowhere.
fn unpaired_ports(ctx: &mut Ctx<'_, '_>, svc: &Service<'_>) {
    let ws = ctx.ws;
    let obj = &svc.obj;
    if svc.service_type() == "ExternalName" || svc.is_headless() || !svc.selector().is_empty() {
        return;
    }
    let (Some(name), Some(ns)) = (obj.name, ws.namespace_of(obj)) else {
        return;
    };
    // Only the endpoints beside the Service: a repository's other directories hold other
    // variants of the same names.
    let sources: Vec<&Object<'_>> = ws
        .endpoints_of(ns, name)
        .into_iter()
        .filter(|o| ws.same_dir(o.file, obj.file))
        .filter(|o| o.kind == "EndpointSlice" || reaches_proxy(o))
        .collect();
    if sources.is_empty() {
        return;
    }
    let ports: Vec<(&Object<'_>, Vec<EndpointPort<'_>>)> =
        sources.iter().map(|o| (*o, endpoint_ports(o))).collect();
    let service_ports: Vec<(&str, &str)> = svc
        .ports()
        .iter()
        .filter(|p| p.is_map())
        .map(|p| (p.get("name").and_then(Node::as_str).unwrap_or(""), port_protocol(p)))
        .collect();
    for port in svc.ports().iter().filter(|p| p.is_map()) {
        let pname = port.get("name").and_then(Node::as_str).unwrap_or("");
        let protocol = port_protocol(port);
        let paired = ports
            .iter()
            .flat_map(|(_, ps)| ps)
            .any(|p| p.name == pname && p.protocol == protocol);
        if paired {
            continue;
        }
        // The endpoint ports of this protocol no Service port takes: the likely misnaming.
        let stray: Vec<&str> = ports
            .iter()
            .flat_map(|(_, ps)| ps)
            .filter(|p| p.protocol == protocol)
            .filter(|p| !service_ports.contains(&(p.name, p.protocol)))
            .map(|p| p.name)
            .collect();
        let span = port
            .get("name")
            .or_else(|| port.get("port"))
            .map_or(port.span, |n| n.span);
        let number = port.get("port").and_then(Node::text).unwrap_or("?");
        let message = if pname.is_empty() {
            format!(
                "the unnamed port {number}/{protocol} of {} has no unnamed {protocol} endpoint port: kube-proxy routes nothing to it",
                obj.display_name()
            )
        } else {
            format!(
                "port `{pname}` ({number}/{protocol}) of {} has no {protocol} endpoint port named `{pname}`: kube-proxy routes nothing to it",
                obj.display_name()
            )
        };
        let help = format!(
            "kube-proxy pairs a Service port with the endpoint port of the same name and protocol: {}",
            pairing_fix(pname, protocol, &stray)
        );
        let mut d: Diagnostic = ctx
            .diag(obj, span, message)
            .with_primary_label("no endpoint port pairs with this port")
            .with_help(help);
        for (o, ps) in ports.iter().take(3) {
            let at = o
                .root
                .entry(if o.kind == "EndpointSlice" { "ports" } else { "subsets" })
                .map_or(o.anchor_span(), |e| e.key.span);
            let names: Vec<String> = ps.iter().map(EndpointPort::describe).collect();
            let label = match names.as_slice() {
                [] => format!("{} declares no port numbers", o.display_name()),
                [one] => format!("{} declares the port {one}", o.display_name()),
                _ => format!("{} declares the ports {}", o.display_name(), names.join(", ")),
            };
            d = d.with_label(o.file, at, label);
        }
        ctx.push(d);
    }
}
