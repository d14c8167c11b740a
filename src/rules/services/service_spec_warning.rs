//! `service-spec-warning`: what the API server warns about when it admits a Service
//! (`GetWarningsForService`, pkg/api/service/warnings.go): fields it ignores for the
//! Service's type, and the deprecated topology-aware-hints annotation.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::api::admitted_with_warning;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "service-spec-warning",
    severity: Severity::Warning,
    category: Category::Services,
    summary: "What the API server warns about on a Service (kubectl prints `Warning:`): loadBalancerIP, externalIPs or sessionAffinity on a headless Service, externalIPs on an ExternalName Service, externalName on another type, the topology-aware-hints annotation",
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
