//! `statefulset-service-not-headless`: a StatefulSet's `serviceName` should name a headless
//! Service.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "statefulset-service-not-headless",
    severity: Severity::Warning,
    category: Category::Workloads,
    summary:
        "A StatefulSet's serviceName names a Service that is not headless, or no Service of the run",
    fix: false,
    doc: include_str!("../../../rules/statefulset-service-not-headless.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "StatefulSet" {
        return;
    }
    let Some(node) = obj.spec().and_then(|s| s.get("serviceName")) else {
        return;
    };
    let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
        return;
    };
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return;
    };
    // The Services of the StatefulSet's own directory: other directories hold other apps.
    let services: Vec<Service<'_>> = ws
        .of_kind_near("Service", ns, obj.file)
        .filter_map(Service::of)
        .collect();
    if services.is_empty() {
        return;
    }
    match services.iter().find(|s| s.obj.name == Some(name)) {
        Some(svc) if !svc.is_headless() => {
            let span = svc
                .spec
                .and_then(|s| s.get("clusterIP"))
                .map_or(svc.obj.anchor_span(), |n| n.span);
            let mut d = ctx
                .diag(
                    obj,
                    node.span,
                    format!("{} names Service `{name}`, which is not headless", obj.display_name()),
                )
                .with_primary_label("not a headless Service")
                .with_label(svc.obj.file, span, "the Service is here, without `clusterIP: None`")
                .with_help("the per-pod DNS names of a StatefulSet (`web-0.web.ns.svc`) come from a headless governing Service; set `clusterIP: None` on it (a separate ClusterIP Service can still load-balance)");
            if single_replica(obj) {
                d.severity = Severity::Info;
            }
            ctx.push(d);
        }
        Some(_) => {}
        None => {
            let names: Vec<&str> = services.iter().filter_map(|s| s.obj.name).collect();
            let near = typo_of(name, &names);
            if near.is_none() && !ws.can_judge_absence(obj.file, ns) {
                return;
            }
            let mut d = ctx
                .diag(
                    obj,
                    node.span,
                    format!(
                        "{} names Service `{name}`, which is not in namespace `{ns}` in this run",
                        obj.display_name()
                    ),
                )
                .with_primary_label("no such Service");
            d = match near {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("the governing Service gives the pods their DNS names; create a headless Service (`clusterIP: None`) with this name"),
            };
            // A name one typo away from a Service of the run is a mistake however many
            // replicas there are.
            if near.is_none() && single_replica(obj) {
                d.severity = Severity::Info;
            }
            ctx.push(d);
        }
    }
}

/// One replica has no peer to find by name: the common single-instance database with a plain
/// (or no) governing Service works as meant, so that is only a note.
fn single_replica(obj: &Object<'_>) -> bool {
    let replicas = obj.spec().and_then(|s| s.get("replicas")).and_then(Node::as_i64);
    replicas.unwrap_or(1) <= 1
}
