//! `service-type-conflict`: Service fields that the API server refuses for the Service's type.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "service-type-conflict",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A Service sets a field its type does not allow (nodePort on ClusterIP, headless NodePort, ...)",
    fix: false,
    doc: include_str!("../../../rules/service-type-conflict.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    let Some(spec) = svc.spec else { return };
    let ty = svc.service_type();
    let known = matches!(
        ty,
        "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
    );
    if !known {
        // An unknown type is `unsupported-value`'s finding.
        return;
    }
    let type_span = spec.entry("type").map(|e| e.value.span);
    let report = |ctx: &mut Ctx<'_, '_>, node: &Node, msg: String, help: &str| {
        let mut d = ctx.diag(obj, node.span, msg).with_help(help.to_string());
        if let Some(ts) = type_span {
            d = d.with_label(obj.file, ts, format!("the type is `{ty}` here"));
        }
        ctx.push(d);
    };
    if ty == "ClusterIP" {
        for p in svc.ports() {
            if let Some(np) = p
                .get("nodePort")
                .filter(|n| n.as_i64().is_some_and(|n| n != 0))
            {
                report(
                    ctx,
                    np,
                    format!("`nodePort` may not be used when the Service `type` is `{ty}`"),
                    "node ports exist only for `type: NodePort` and `type: LoadBalancer`; set the type, or remove `nodePort`",
                );
            }
        }
    }
    let has_external_ips = spec
        .get("externalIPs")
        .is_some_and(|e| !e.items().is_empty());
    let externally_accessible =
        matches!(ty, "NodePort" | "LoadBalancer") || (ty == "ClusterIP" && has_external_ips);
    if let Some(etp) = spec
        .get("externalTrafficPolicy")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    {
        if !externally_accessible {
            report(
                ctx,
                etp,
                format!("`externalTrafficPolicy` may only be set for externally-accessible Services, and this one is `{ty}`"),
                "the API server rejects it (`may only be set for externally-accessible services`); use `type: NodePort` or `LoadBalancer`, or remove the field",
            );
        }
    }
    if let Some(cip) = spec
        .get("clusterIP")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    {
        if ty == "ExternalName" {
            report(
                ctx,
                cip,
                "`clusterIP` may not be set for an ExternalName Service".into(),
                "an ExternalName Service is a DNS alias with no cluster IP; remove `clusterIP`",
            );
        } else if svc.is_headless() && matches!(ty, "NodePort" | "LoadBalancer") {
            report(
                ctx,
                cip,
                format!("a headless Service (`clusterIP: None`) cannot be of type `{ty}`"),
                "a headless Service has no virtual IP to expose on nodes or load balancers; drop `clusterIP: None` or use `type: ClusterIP`",
            );
        }
    }
    if ty != "LoadBalancer" {
        for key in [
            "loadBalancerSourceRanges",
            "allocateLoadBalancerNodePorts",
            "loadBalancerClass",
        ] {
            let Some(n) = spec.get(key).filter(|n| !n.is_null()) else {
                continue;
            };
            if key == "loadBalancerSourceRanges" && n.items().is_empty() {
                continue;
            }
            report(
                ctx,
                n,
                format!("`{key}` may only be used when the Service `type` is `LoadBalancer`"),
                "the API server rejects it for other types; remove the field or use `type: LoadBalancer`",
            );
        }
    }
}
