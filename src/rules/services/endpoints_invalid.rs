//! `endpoints-invalid`: Endpoints the API server rejects (`ValidateEndpointsCreate`): a subset
//! without addresses, an address that is not an IP or that no endpoint can have, a hostname
//! or node name that is not a DNS name, unnamed ports beside others, port numbers, protocols
//! and app protocols. Endpoints written by hand are how a Service without a selector reaches
//! a database or a service outside the cluster.

use crate::diagnostics::Severity;
use crate::model::names::{dns1123_label, dns1123_subdomain, qualified_name};
use crate::model::Object;
use crate::rules::addresses;
use crate::rules::api::{at_least, enum_value, judged_str, parse_ip, reject};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "endpoints-invalid",
    severity: Severity::Error,
    category: Category::Services,
    summary: "Endpoints the API server rejects: a subset without addresses, an address that is not an IP or is loopback, link-local or unspecified, a bad hostname or nodeName, unnamed ports beside others, port numbers and protocols",
    fix: false,
    doc: include_str!("../../../rules/endpoints-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "Endpoints" || !obj.group().is_empty() {
        return;
    }
    for subset in obj.root.get("subsets").map(Node::items).unwrap_or_default() {
        if !subset.is_map() {
            continue;
        }
        let ready = subset.get("addresses").map(Node::items).unwrap_or_default();
        let not_ready = subset.get("notReadyAddresses").map(Node::items).unwrap_or_default();
        if ready.is_empty() && not_ready.is_empty() {
            reject(
                ctx,
                obj,
                subset,
                "this subset lists no addresses".into(),
                "Required value: must specify `addresses` or `notReadyAddresses`",
                "list the endpoints' IPs under `addresses` (each `{ip: 10.0.0.5}`), or remove the subset",
            );
        }
        for address in ready.iter().chain(not_ready).filter(|a| a.is_map()) {
            endpoint_address(ctx, obj, address);
        }
        let ports = subset.get("ports").map(Node::items).unwrap_or_default();
        for port in ports.iter().filter(|p| p.is_map()) {
            endpoint_port(ctx, obj, port, ports.len() > 1);
        }
    }
}

/// `validateEndpointAddress`: the IP (`IsValidIP`, `ValidateNonSpecialIP`; from 1.36 in strict
/// form), the hostname a DNS label, the node name a DNS subdomain.
fn endpoint_address(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, address: &Node) {
    if let Some(n) = address.get("ip") {
        if let Some(v) = judged_str(n) {
            let problem = match parse_ip(v) {
                None => Some(("must be a valid IP address", "write the endpoint's IP address (a DNS name needs a Service of type ExternalName instead)".to_string())),
                Some(ip) => addresses::special_ip_problem(ip)
                    .map(|why| (why, "an endpoint is reached from other nodes, so it needs an address they can route to".to_string()))
                    .or_else(|| addresses::strict(ctx).then(|| addresses::strict_ip_problem(v)).flatten()),
            };
            if let Some((why, help)) = problem {
                reject(ctx, obj, n, format!("the endpoint address `{v}` {why}"), &format!("Invalid value: {why}"), &help);
            } else if at_least(ctx, 33) {
                // `endpointsWarnings` (from 1.33): the forms 1.36 rejects, non-canonical IPv6.
                let path = obj.root.path_to(n.span).unwrap_or_default();
                if let Some((span, message, server)) = addresses::ip_warning(n, &path, addresses::strict(ctx)) {
                    let before = ctx.out.len();
                    crate::rules::api::admitted_with_warning(ctx, obj, span, message, &server);
                    for d in &mut ctx.out[before..] {
                        d.severity = Severity::Warning;
                    }
                }
            }
        }
    }
    if let Some(n) = address.get("hostname") {
        if let Some(why) = judged_str(n).filter(|v| !v.is_empty()).and_then(|v| dns1123_label(v).into_iter().next()) {
            let v = n.as_str().unwrap_or_default();
            reject(ctx, obj, n, format!("the endpoint hostname `{v}` is not a DNS label"), &format!("Invalid value: {why}"), "use lowercase letters, digits and '-', at most 63 characters");
        }
    }
    if let Some(n) = address.get("nodeName") {
        if let Some(why) = judged_str(n).and_then(|v| dns1123_subdomain(v).into_iter().next()) {
            let v = n.as_str().unwrap_or_default();
            reject(ctx, obj, n, format!("the node name `{v}` is not a valid node name"), &format!("Invalid value: {why}"), "write the node's name as `kubectl get nodes` prints it, or leave `nodeName` out");
        }
    }
}

/// `validateEndpointPort` (after `SetDefaults_EndpointPort`, which fills `protocol: TCP`).
fn endpoint_port(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, port: &Node, several: bool) {
    let name_node = port.get("name");
    let name = name_node.and_then(Node::as_str).unwrap_or_default();
    if name.is_empty() && name_node.is_none_or(|n| n.is_null() || n.as_str().is_some()) {
        if several {
            reject(
                ctx,
                obj,
                name_node.unwrap_or(port),
                "this port has no `name`, but the subset lists several ports".into(),
                "Required value",
                "name each port (a DNS label such as `http`): the Service's ports find theirs by name",
            );
        }
    } else if let Some((n, v)) = name_node.and_then(|n| Some((n, judged_str(n)?))) {
        if let Some(why) = dns1123_label(v).into_iter().next() {
            reject(ctx, obj, n, format!("the port name `{v}` is not a DNS label"), &format!("Invalid value: {why}"), "use lowercase letters, digits and '-', at most 63 characters: the name of the Service port it serves");
        }
    }
    if let Some(n) = port.get("port") {
        if let Some(p) = n.as_i64().filter(|p| !(1..=65535).contains(p)) {
            reject(ctx, obj, n, format!("port {p} is out of range"), "Invalid value: must be between 1 and 65535, inclusive", "use a port from 1 to 65535");
        }
    }
    enum_value(ctx, obj, port, "protocol", &["SCTP", "TCP", "UDP"]);
    if let Some(n) = port.get("appProtocol") {
        if let Some(v) = judged_str(n) {
            if let Some(why) = qualified_name(v).into_iter().next() {
                reject(ctx, obj, n, format!("`appProtocol: {v}` is not a qualified name: {why}"), &format!("Invalid value: {why}"), "use a name such as `http`, `kubernetes.io/h2c` or `example.com/proto`");
            }
        }
    }
}
