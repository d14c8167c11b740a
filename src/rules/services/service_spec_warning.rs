//! `service-spec-warning`: what the API server warns about when it admits a Service
//! (`GetWarningsForService`, pkg/api/service/warnings.go): fields it ignores for the
//! Service's type, addresses in a form a future release will reject, and what is deprecated
//! (the topology-aware-hints annotation, `externalIPs`, `trafficDistribution: PreferClose`).

use std::net::IpAddr;

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::api::{admitted_with_warning, at_least, parse_cidr, parse_ip};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "service-spec-warning",
    severity: Severity::Warning,
    category: Category::Services,
    summary: "What the API server warns about on a Service (kubectl prints `Warning:`): loadBalancerIP, externalIPs or sessionAffinity on a headless Service, externalIPs on an ExternalName Service, externalName on another type, IP addresses and CIDRs in non-standard form, the topology-aware-hints annotation, the deprecated externalIPs (1.36) and trafficDistribution PreferClose (1.35)",
    fix: false,
    doc: include_str!("../../../rules/service-spec-warning.md"),
    check: Check::Object(check),
};

const HINTS: &str = "service.kubernetes.io/topology-aware-hints";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    let Some(spec) = svc.spec.filter(|s| s.is_map()) else {
        return;
    };
    let ty = svc.service_type();
    let headless = ty == "ClusterIP" && spec.get("clusterIP").and_then(Node::as_str) == Some("None");
    let set = |key: &str| spec.entry(key).filter(|e| !e.value.is_null());
    let mut found: Vec<(Span, String, String)> = Vec::new();
    if headless {
        if let Some(e) = set("loadBalancerIP").filter(|e| e.value.as_str().is_some_and(|s| !s.is_empty())) {
            found.push((e.key.span, "a headless Service ignores `loadBalancerIP`".into(), "spec.loadBalancerIP is ignored for headless services".into()));
        }
        if let Some(e) = set("externalIPs").filter(|e| !e.value.items().is_empty()) {
            found.push((e.key.span, "a headless Service ignores `externalIPs`".into(), "spec.externalIPs is ignored for headless services".into()));
        }
        if let Some(e) = set("sessionAffinity").filter(|e| e.value.as_str().is_some_and(|s| s != "None")) {
            found.push((e.key.span, "a headless Service ignores `sessionAffinity`: clients reach the pods directly, with no proxy to keep them on one".into(), "spec.SessionAffinity is ignored for headless services".into()));
        }
    }
    if ty == "ExternalName" {
        if let Some(e) = set("externalIPs").filter(|e| !e.value.items().is_empty()) {
            found.push((e.key.span, "an ExternalName Service ignores `externalIPs`".into(), "spec.externalIPs is ignored when spec.type is \"ExternalName\"".into()));
        }
    } else if let Some(e) = set("externalName").filter(|e| e.value.as_str().is_some_and(|s| !s.is_empty())) {
        found.push((e.key.span, format!("a `{ty}` Service ignores `externalName`: only an ExternalName Service is a DNS alias"), "spec.externalName is ignored when spec.type is not \"ExternalName\"".into()));
    }
    // Deprecations the server warns about from the release that made them (1.36: KEP-5707,
    // kubernetes#137293; 1.35: `PreferSameZone` went GA, kubernetes#134457).
    if at_least(ctx, 36) && !headless && ty != "ExternalName" {
        if let Some(e) = set("externalIPs").filter(|e| !e.value.items().is_empty()) {
            found.push((e.key.span, "`externalIPs` is deprecated since Kubernetes 1.36, and some clusters no longer implement it; expose the Service with `type: LoadBalancer` or through a Gateway instead".into(), "spec.externalIPs is deprecated and may no longer be implemented in some clusters".into()));
        }
    }
    if at_least(ctx, 35) {
        if let Some(n) = spec.get("trafficDistribution").filter(|n| n.as_str() == Some("PreferClose")) {
            found.push((n.span, "`trafficDistribution: PreferClose` is deprecated since Kubernetes 1.35: it is the same as `PreferSameZone`, which says what it does".into(), "spec.trafficDistribution: \"PreferClose\" is deprecated; use \"PreferSameZone\"".into()));
        }
    }
    addresses(spec, &mut found);
    let annotations = obj
        .metadata()
        .and_then(|m| m.get("annotations"))
        .map(Node::entries)
        .unwrap_or_default();
    if let Some(e) = annotations.iter().find(|e| e.key.key_text() == Some(HINTS)) {
        found.push((e.key.span, format!("the annotation `{HINTS}` is deprecated"), format!("annotation {HINTS} is deprecated, please use service.kubernetes.io/topology-mode instead")));
    }
    for (span, message, server) in found {
        admitted_with_warning(ctx, obj, span, message, &server);
    }
}

/// `GetWarningsForIP` and `GetWarningsForCIDR` on the Service's address fields: the server
/// still reads them sloppily (`StrictIPCIDRValidation` is off by default through 1.35), and
/// warns where the value is not in the form it will one day require. A value it cannot read
/// at all is `service-spec-invalid`'s.
fn addresses(spec: &Node, found: &mut Vec<(Span, String, String)>) {
    let cluster_ip = spec.get("clusterIP").and_then(Node::as_str);
    // `IsServiceIPSet`; without `clusterIPs` the server copies `clusterIP` into it first.
    if cluster_ip.is_some_and(|ip| !ip.is_empty() && ip != "None") {
        let listed = spec.get("clusterIPs").map(Node::items).unwrap_or_default();
        if listed.is_empty() {
            let node = spec.get("clusterIP");
            found.extend(node.and_then(|n| ip_warning(n, "spec.clusterIPs[0]")));
        }
        for (i, n) in listed.iter().enumerate() {
            found.extend(ip_warning(n, &format!("spec.clusterIPs[{i}]")));
        }
    }
    for (i, n) in spec.get("externalIPs").map(Node::items).unwrap_or_default().iter().enumerate() {
        found.extend(ip_warning(n, &format!("spec.externalIPs[{i}]")));
    }
    if let Some(n) = spec.get("loadBalancerIP") {
        found.extend(ip_warning(n, "spec.loadBalancerIP"));
    }
    let ranges = spec.get("loadBalancerSourceRanges").map(Node::items).unwrap_or_default();
    for (i, n) in ranges.iter().enumerate() {
        found.extend(cidr_warnings(n, &format!("spec.loadBalancerSourceRanges[{i}]")));
    }
}

/// How Go prints a `net.IP`: an IPv4-mapped IPv6 address as IPv4, IPv6 as RFC 5952.
fn go_ip_string(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        v4 => v4.to_string(),
    }
}

fn is_4in6(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

/// `GetWarningsForIP`: leading zeros or an IPv4-mapped IPv6 address (read now, rejected
/// under strict validation), or IPv6 not in RFC 5952 form.
fn ip_warning(node: &Node, path: &str) -> Option<(Span, String, String)> {
    let value = node.as_str()?;
    let ip = parse_ip(value)?;
    let preferred = go_ip_string(ip);
    // Rust's parser is as strict as Go's `netip.ParseAddr`: no leading zeros in IPv4.
    match value.parse::<IpAddr>() {
        Ok(strict) if !is_4in6(strict) => {
            let canonical = strict.to_string();
            (strict.is_ipv6() && canonical != value).then(|| {
                (
                    node.span,
                    format!("IPv6 address `{value}` is not in canonical form (`{canonical}`)"),
                    format!("{path}: IPv6 address {value:?} should be in RFC 5952 canonical format ({canonical:?})"),
                )
            })
        }
        _ => Some((
            node.span,
            format!("IP address `{value}` is in a non-standard form: write `{preferred}`"),
            format!("{path}: non-standard IP address {value:?} will be considered invalid in a future Kubernetes release: use {preferred:?}"),
        )),
    }
}

/// `GetWarningsForCIDR`: bits set beyond the prefix length (a subnet or one address?), leading
/// zeros or an IPv4-mapped address (both can apply), or else IPv6 not in RFC 5952 form.
fn cidr_warnings(node: &Node, path: &str) -> Vec<(Span, String, String)> {
    let mut out = Vec::new();
    let Some(value) = node.as_str() else { return out };
    let Some((ip, len)) = parse_cidr(value) else { return out };
    // Go's `net.IPNet` of a mapped address prints in a form of its own; such ranges are rare.
    let Some((addr, bits)) = value.split_once('/').filter(|_| !is_4in6(ip)) else {
        return out;
    };
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let masked = mask(ip, len);
    let subnet = format!("{}/{len}", go_ip_string(masked));
    if masked != ip {
        let one = format!("{}/{max}", go_ip_string(ip));
        out.push((
            node.span,
            format!("CIDR `{value}` has bits set beyond its prefix length: is it the subnet `{subnet}` or the one address `{one}`?"),
            format!("{path}: CIDR value {value:?} is ambiguous in this context (should be {subnet:?} or {one:?}?)"),
        ));
    }
    // What `netip.ParsePrefix` reads: no leading zeros in the address or the length.
    let strict = addr
        .parse::<IpAddr>()
        .ok()
        .filter(|_| bits == "0" || !bits.starts_with('0'));
    let Some(strict) = strict else {
        out.push((
            node.span,
            format!("CIDR `{value}` is in a non-standard form: write `{subnet}`"),
            format!("{path}: non-standard CIDR value {value:?} will be considered invalid in a future Kubernetes release: use {subnet:?}"),
        ));
        return out;
    };
    let canonical = format!("{strict}/{len}");
    if out.is_empty() && ip.is_ipv6() && canonical != value {
        out.push((
            node.span,
            format!("IPv6 CIDR `{value}` is not in canonical form (`{canonical}`)"),
            format!("{path}: IPv6 CIDR value {value:?} should be in RFC 5952 canonical format ({canonical:?})"),
        ));
    }
    out
}

/// `ip` with the bits after the first `len` cleared.
fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let keep = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(std::net::Ipv4Addr::from(u32::from(v4) & keep))
        }
        IpAddr::V6(v6) => {
            let keep = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & keep))
        }
    }
}
