//! `service-spec-warning`: what the API server warns about when it admits a Service
//! (`GetWarningsForService`, pkg/api/service/warnings.go): fields it ignores for the
//! Service's type, addresses in a form a future release will reject, and what is deprecated
//! (the topology-aware-hints annotation, `externalIPs`, `trafficDistribution: PreferClose`).

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::addresses::{self, cidr_warnings, ip_warning};
use crate::rules::api::{admitted_with_warning, at_least};
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
    addresses(spec, addresses::strict(ctx), &mut found);
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

/// `GetWarningsForIP` and `GetWarningsForCIDR` on the Service's address fields: where the
/// server reads them leniently (`StrictIPCIDRValidation` is off by default through 1.35), it
/// warns where a value is not in the form it will require. With `strict`, those forms are
/// `service-spec-invalid`'s errors, except in `loadBalancerIP`, which the server never
/// validates; a value it cannot read at all is `service-spec-invalid`'s too.
fn addresses(spec: &Node, strict: bool, found: &mut Vec<(Span, String, String)>) {
    let cluster_ip = spec.get("clusterIP").and_then(Node::as_str);
    // `IsServiceIPSet`; without `clusterIPs` the server copies `clusterIP` into it first.
    if cluster_ip.is_some_and(|ip| !ip.is_empty() && ip != "None") {
        let listed = spec.get("clusterIPs").map(Node::items).unwrap_or_default();
        if listed.is_empty() {
            let node = spec.get("clusterIP");
            found.extend(node.and_then(|n| ip_warning(n, "spec.clusterIPs[0]", strict)));
        }
        for (i, n) in listed.iter().enumerate() {
            found.extend(ip_warning(n, &format!("spec.clusterIPs[{i}]"), strict));
        }
    }
    for (i, n) in spec.get("externalIPs").map(Node::items).unwrap_or_default().iter().enumerate() {
        found.extend(ip_warning(n, &format!("spec.externalIPs[{i}]"), strict));
    }
    if let Some(n) = spec.get("loadBalancerIP") {
        found.extend(ip_warning(n, "spec.loadBalancerIP", false));
    }
    let ranges = spec.get("loadBalancerSourceRanges").map(Node::items).unwrap_or_default();
    for (i, n) in ranges.iter().enumerate() {
        found.extend(cidr_warnings(n, &format!("spec.loadBalancerSourceRanges[{i}]"), strict));
    }
}
