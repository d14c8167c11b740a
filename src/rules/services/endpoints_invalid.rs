//! `endpoints-invalid`: Endpoints and EndpointSlices the API server rejects
//! (`ValidateEndpointsCreate`, `ValidateEndpointSliceCreate`): a subset or endpoint without
//! addresses, an address that is not an IP (of the slice's family) or that no endpoint can
//! have, a hostname or node name that is not a DNS name, unnamed or repeated port names, port
//! numbers, protocols and app protocols. Endpoints written by hand are how a Service without
//! a selector reaches a database or a service outside the cluster.

use crate::diagnostics::Severity;
use crate::model::names::{dns1123_label, dns1123_subdomain, label_value, qualified_name};
use crate::model::Object;
use crate::rules::addresses;
use crate::rules::api::{at_least, enum_value, judged_str, parse_ip, reject};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "endpoints-invalid",
    severity: Severity::Error,
    category: Category::Services,
    summary: "Endpoints and EndpointSlices the API server rejects: a subset or endpoint without addresses, an address that is not an IP (of the slice's family) or is loopback, link-local or unspecified, a bad hostname or nodeName, unnamed or repeated port names, port numbers and protocols",
    fix: false,
    doc: include_str!("../../../rules/endpoints-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    match (obj.group(), obj.kind) {
        ("", "Endpoints") => endpoints(ctx, obj),
        ("discovery.k8s.io", "EndpointSlice") => endpoint_slice(ctx, obj),
        _ => {}
    }
}

fn endpoints(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
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
        endpoint_ip(ctx, obj, n, None);
    }
    // Endpoints validate a hostname only when it is not empty.
    hostname_and_node(ctx, obj, address, false);
}

/// An endpoint's `hostname` (a DNS label; `empty_checked`: an empty one too, as a slice's
/// set pointer is) and `nodeName` (a DNS subdomain).
fn hostname_and_node(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, endpoint: &Node, empty_checked: bool) {
    if let Some(n) = endpoint.get("hostname") {
        let value = judged_str(n).filter(|v| empty_checked || !v.is_empty());
        if let Some((v, why)) = value.and_then(|v| Some((v, dns1123_label(v).into_iter().next()?))) {
            reject(ctx, obj, n, format!("the endpoint hostname `{v}` is not a DNS label"), &format!("Invalid value: {why}"), "use lowercase letters, digits and '-', at most 63 characters");
        }
    }
    if let Some(n) = endpoint.get("nodeName") {
        if let Some((v, why)) = judged_str(n).and_then(|v| Some((v, dns1123_subdomain(v).into_iter().next()?))) {
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

/// An endpoint's IP (`IsValidIP`, or `IsValidIPv4Address`/`IsValidIPv6Address` for a slice of
/// that `family`; then `ValidateNonSpecialIP`/`ValidateEndpointIP`; from 1.36 in strict form),
/// and from 1.33 the server's warnings on its form.
fn endpoint_ip(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, n: &Node, family: Option<bool>) {
    let Some(v) = judged_str(n) else { return };
    let problem = match parse_ip(v) {
        None => Some(("must be a valid IP address", "write the endpoint's IP address (a DNS name needs a Service of type ExternalName instead)".to_string())),
        Some(ip) if family.is_some_and(|v4| ip.to_canonical().is_ipv4() != v4) => {
            let (why, other) = if family == Some(true) {
                ("must be a valid IPv4 address", "IPv6")
            } else {
                ("must be a valid IPv6 address", "IPv4")
            };
            Some((why, format!("an EndpointSlice holds one address family; put {other} endpoints in a slice of their own `addressType`")))
        }
        Some(ip) => addresses::special_ip_problem(ip)
            .map(|why| (why, "an endpoint is reached from other nodes, so it needs an address they can route to".to_string()))
            .or_else(|| addresses::strict(ctx).then(|| addresses::strict_ip_problem(v)).flatten()),
    };
    if let Some((why, help)) = problem {
        reject(ctx, obj, n, format!("the endpoint address `{v}` {why}"), &format!("Invalid value: {why}"), &help);
    } else if at_least(ctx, 33) && !managed_by_controller(obj) {
        // `endpointsWarnings`, `warnOnBadIPs` (from 1.33): the forms 1.36 rejects, and
        // non-canonical IPv6.
        let path = obj.root.path_to(n.span).unwrap_or_default();
        if let Some((span, message, server)) = addresses::ip_warning(n, &path, addresses::strict(ctx)) {
            crate::rules::api::warn_admitted(ctx, obj, span, message, &server);
        }
    }
}

/// The server skips its address warnings for what its own controllers wrote.
fn managed_by_controller(obj: &Object<'_>) -> bool {
    let label = |k: &str| obj.metadata().and_then(|m| m.get("labels")).and_then(|l| l.get(k)).and_then(Node::as_str);
    matches!(
        label("endpointslice.kubernetes.io/managed-by"),
        Some("endpointslice-controller.k8s.io" | "endpointslicemirroring-controller.k8s.io")
    ) || label("endpoints.kubernetes.io/managed-by") == Some("endpoint-controller")
}

/// `ValidateEndpointSliceCreate` (after `SetDefaults_EndpointPort`: a missing port name is
/// `""`, a missing protocol `TCP`).
fn endpoint_slice(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let root = obj.root;
    enum_value(ctx, obj, root, "addressType", &["FQDN", "IPv4", "IPv6"]);
    let address_type = root.get("addressType").and_then(Node::as_str);
    if let Some(n) = root.get("addressType").filter(|_| address_type == Some("FQDN")) {
        crate::rules::api::warn_admitted(ctx, obj, n.span, "FQDN endpoints are deprecated: kube-proxy does not route to them".into(), "spec.addressType: FQDN endpoints are deprecated");
    }
    let endpoints = root.get("endpoints").map(Node::items).unwrap_or_default();
    if let Some(n) = endpoints.get(MAX_ENDPOINTS) {
        reject(ctx, obj, n, format!("the slice lists {} endpoints, more than {MAX_ENDPOINTS}", endpoints.len()), &format!("Too many: {}: must have at most {MAX_ENDPOINTS} items", endpoints.len()), "split them over several EndpointSlices of the same Service");
        return;
    }
    for e in endpoints.iter().filter(|e| e.is_map()) {
        let list = e.get("addresses").map(Node::items).unwrap_or_default();
        if list.is_empty() {
            reject(ctx, obj, e.get("addresses").unwrap_or(e), "this endpoint has no addresses".into(), "Required value: must contain at least 1 address", "give the endpoint its address (`addresses: [10.0.0.5]`)");
        } else if let Some(n) = list.get(MAX_ADDRESSES) {
            reject(ctx, obj, n, format!("this endpoint lists {} addresses, more than {MAX_ADDRESSES}", list.len()), &format!("Too many: {}: must have at most {MAX_ADDRESSES} items", list.len()), "an endpoint is one backend; list the others as endpoints of their own");
        }
        for n in list {
            match address_type {
                Some("IPv4") => endpoint_ip(ctx, obj, n, Some(true)),
                Some("IPv6") => endpoint_ip(ctx, obj, n, Some(false)),
                Some("FQDN") => {
                    if let Some(v) = judged_str(n) {
                        if let Some(why) = fqdn_problem(v) {
                            reject(ctx, obj, n, format!("the endpoint address `{v}` is not a fully qualified domain name"), &format!("Invalid value: {why}"), "write a lowercase DNS name with at least two labels, such as `db.example.com`");
                        }
                    }
                }
                _ => {}
            }
        }
        hostname_and_node(ctx, obj, e, true);
        zone_hints(ctx, obj, e);
    }
    let mut names: Vec<&str> = Vec::new();
    for port in root.get("ports").map(Node::items).unwrap_or_default().iter().filter(|p| p.is_map()) {
        let name_node = port.get("name");
        let name = name_node.and_then(Node::as_str).unwrap_or_default();
        if let Some((n, v)) = name_node.and_then(|n| Some((n, judged_str(n)?))).filter(|(_, v)| !v.is_empty()) {
            if let Some(why) = dns1123_label(v).into_iter().next() {
                reject(ctx, obj, n, format!("the port name `{v}` is not a DNS label"), &format!("Invalid value: {why}"), "use lowercase letters, digits and '-', at most 63 characters: the name of the Service port it serves");
            }
        }
        if names.contains(&name) {
            let (message, help) = if name.is_empty() {
                ("a second port without `name`".to_string(), "name the ports (the Service's ports find theirs by name); only one may be unnamed")
            } else {
                (format!("the port name `{name}` is listed twice"), "give each port its own name")
            };
            reject(ctx, obj, name_node.unwrap_or(port), message, &format!("Duplicate value: \"{name}\""), help);
        } else {
            names.push(name);
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
}

/// `validateHints`: at most 8 zones, each named once, each name a label value.
fn zone_hints(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, endpoint: &Node) {
    let zones = endpoint.get("hints").and_then(|h| h.get("forZones")).map(Node::items).unwrap_or_default();
    if let Some(n) = zones.get(MAX_ZONE_HINTS) {
        reject(ctx, obj, n, format!("the endpoint hints {} zones, more than {MAX_ZONE_HINTS}", zones.len()), &format!("Too many: {}: must have at most {MAX_ZONE_HINTS} items", zones.len()), "hint the zones nearest the endpoint only");
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for n in zones.iter().filter_map(|z| z.get("name")) {
        let Some(v) = judged_str(n) else { continue };
        if seen.contains(&v) {
            reject(ctx, obj, n, format!("the zone `{v}` is hinted twice"), &format!("Duplicate value: \"{v}\""), "list each zone once");
        } else {
            seen.push(v);
        }
        if let Some(why) = label_value(v).into_iter().next() {
            reject(ctx, obj, n, format!("the zone name `{v}` is not a valid label value"), &format!("Invalid value: {why}"), "use the zone as the nodes' `topology.kubernetes.io/zone` label spells it");
        }
    }
}

/// `maxZoneHints` of the discovery validation.
const MAX_ZONE_HINTS: usize = 8;

/// `maxEndpoints` and `maxAddresses` of the discovery validation.
const MAX_ENDPOINTS: usize = 1000;
const MAX_ADDRESSES: usize = 100;

/// `IsFullyQualifiedDomainName`: a DNS subdomain (a trailing dot allowed) of at least two
/// labels.
fn fqdn_problem(v: &str) -> Option<String> {
    let name = v.strip_suffix('.').unwrap_or(v);
    if let Some(why) = dns1123_subdomain(name).into_iter().next() {
        return Some(why);
    }
    if !name.contains('.') {
        return Some("should be a domain with at least two segments separated by dots".into());
    }
    name.split('.').find_map(|label| dns1123_label(label).into_iter().next())
}
