//! `hpa-target-without-requests`: a HorizontalPodAutoscaler that scales on a resource's
//! utilization while a container of its target requests none of that resource.
//!
//! Utilization is usage over request: the controller sums the requests of the pod's
//! containers and restartable init containers, or of the one container a `ContainerResource`
//! metric names, and fails the metric with "missing request for cpu in container ..." when
//! one has none (`calculatePodRequests`, `pkg/controller/podautoscaler/replica_calculator.go`).

use crate::diagnostics::Severity;
use crate::model::{Container, ContainerKind, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "hpa-target-without-requests",
    severity: Severity::Warning,
    category: Category::Autoscaling,
    summary: "A HorizontalPodAutoscaler scales on cpu or memory utilization, but a container of its target requests none of it (or the container it names does not exist): the metric cannot be computed",
    fix: false,
    doc: include_str!("../../../rules/hpa-target-without-requests.md"),
    check: Check::Object(check),
};

/// A utilization target: the resource, the container a `ContainerResource` metric names,
/// and where to point.
struct Utilization<'a> {
    resource: &'a str,
    container: Option<(&'a str, Span)>,
    span: Span,
    /// Not written: the default metric of an autoscaler without any.
    defaulted: bool,
}

/// The HPA's utilization metrics, after defaulting: without any metric, both `autoscaling/v1`
/// and `v2` target 80% cpu utilization.
fn utilizations<'a>(hpa: &Object<'a>, spec: &'a Node) -> Vec<Utilization<'a>> {
    let default_cpu = |span, defaulted| Utilization {
        resource: "cpu",
        container: None,
        span,
        defaulted,
    };
    let anchor = spec
        .entry("scaleTargetRef")
        .map_or(hpa.anchor_span(), |e| e.key.span);
    if hpa.api_version == "autoscaling/v1" {
        let written = spec.get("targetCPUUtilizationPercentage");
        return vec![default_cpu(written.map_or(anchor, |n| n.span), written.is_none())];
    }
    let metrics = spec.get("metrics").map(Node::items).unwrap_or_default();
    if metrics.is_empty() {
        return vec![default_cpu(anchor, true)];
    }
    metrics
        .iter()
        .filter_map(|m| {
            let (source, container) = match m.get("type").and_then(Node::as_str)? {
                "Resource" => (m.get("resource")?, None),
                "ContainerResource" => {
                    let s = m.get("containerResource")?;
                    let c = s.get("container")?;
                    (s, Some((c.as_str()?, c.span)))
                }
                _ => return None,
            };
            let name = source.get("name")?;
            // v2 (and v2beta2): `target.type: Utilization`; v2beta1: `targetAverageUtilization`.
            let target = source.get("target");
            let utilization = target.and_then(|t| t.get("type")).and_then(Node::as_str)
                == Some("Utilization")
                || source.get("targetAverageUtilization").is_some();
            utilization.then(|| Utilization {
                resource: name.as_str().unwrap_or_default(),
                container,
                span: name.span,
                defaulted: false,
            })
        })
        .filter(|u| !u.resource.is_empty())
        .collect()
}

/// A request for `resource` in `resources`, as the pod's defaulting leaves it: a limit
/// alone becomes the request too.
fn requests(resources: Option<&Node>, resource: &str) -> bool {
    ["requests", "limits"].into_iter().any(|list| {
        resources
            .and_then(|r| r.get(list))
            .and_then(|l| l.get(resource))
            .is_some_and(|v| !v.is_null())
    })
}

/// Whether a LimitRange of the run gives containers in `ns` a default request for
/// `resource`: its `defaultRequest`, or what that defaults from (`default`, `max`, `min`).
fn limit_range_defaults(ctx: &Ctx<'_, '_>, ns: &str, resource: &str) -> bool {
    ctx.ws.of_kind_in("LimitRange", ns).any(|lr| {
        lr.spec()
            .and_then(|s| s.get("limits"))
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|l| l.get("type").and_then(Node::as_str) == Some("Container"))
            .any(|l| {
                ["defaultRequest", "default", "max", "min"]
                    .into_iter()
                    .any(|k| l.get(k).and_then(|m| m.get(resource)).is_some())
            })
    })
}

fn check(ctx: &mut Ctx<'_, '_>, hpa: &Object<'_>) {
    if hpa.kind != "HorizontalPodAutoscaler" || hpa.group() != "autoscaling" {
        return;
    }
    let ws = ctx.ws;
    let Some(spec) = hpa.spec() else { return };
    let Some(target_ref) = spec.get("scaleTargetRef") else {
        return;
    };
    let (Some(kind), Some(name), Some(ns)) = (
        target_ref.get("kind").and_then(Node::as_str),
        target_ref.get("name").and_then(Node::as_str),
        ws.namespace_of(hpa),
    ) else {
        return;
    };
    // The target beside the autoscaler (other directories hold other variants), as
    // written: a kustomize overlay may add the resources a base leaves out.
    // The one in the autoscaler's own file first.
    let mut targets: Vec<&Object<'_>> = ws
        .find_all(kind, Some(ns), name)
        .filter(|o| o.is_replicated_workload() && ws.same_dir(o.file, hpa.file))
        .collect();
    targets.sort_by_key(|o| o.file != hpa.file);
    let Some((target, template)) = targets
        .into_iter()
        .filter(|o| !ws.is_open(o.file))
        .find_map(|o| Some((o, PodTemplate::of(o)?)))
    else {
        return;
    };
    // Pod-level resources (1.34+) stand in for the containers' requests.
    let pod_resources = template.spec.and_then(|s| s.get("resources"));
    let counted: Vec<Container<'_>> = template
        .containers()
        .filter(|c| c.kind == ContainerKind::Regular || c.is_sidecar())
        .collect();
    for u in utilizations(hpa, spec) {
        if requests(pod_resources, u.resource) || limit_range_defaults(ctx, ns, u.resource) {
            continue;
        }
        let resource = u.resource;
        if let Some((wanted, wanted_span)) = u.container {
            if !counted.iter().any(|c| c.name() == Some(wanted)) {
                let names: Vec<&str> = counted.iter().filter_map(Container::name).collect();
                let mut d = ctx
                    .diag(
                        hpa,
                        wanted_span,
                        format!(
                            "{} scales on the {resource} utilization of container `{wanted}`, which the pods of {} do not have",
                            hpa.display_name(),
                            target.display_name()
                        ),
                    )
                    .with_primary_label("no such container");
                d = match crate::model::names::did_you_mean(wanted, &names) {
                    Some(n) => d.with_help(format!("did you mean `{n}`?")),
                    None => d.with_help(format!(
                        "`containerResource.container` names a container of the target's pods: {}",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )),
                };
                ctx.push(d);
                continue;
            }
        }
        let missing: Vec<&Container<'_>> = counted
            .iter()
            .filter(|c| u.container.is_none_or(|(w, _)| c.name() == Some(w)))
            .filter(|c| !requests(c.node.get("resources"), resource))
            .collect();
        let Some(first) = missing.first() else {
            continue;
        };
        let which = match missing.as_slice() {
            [one] => format!("{} of {} requests", one.describe(), target.display_name()),
            [init @ .., last] => format!(
                "{} and {} of {} request",
                init.iter().map(|c| c.describe()).collect::<Vec<_>>().join(", "),
                last.describe(),
                target.display_name()
            ),
            [] => return,
        };
        let at = first
            .node
            .get("name")
            .map_or(first.node.span, |n| n.span);
        let d = ctx
            .diag(
                hpa,
                u.span,
                format!(
                    "{} scales on {resource} utilization, but {which} no {resource}: the autoscaler cannot compute the utilization, and does not scale on it",
                    hpa.display_name(),
                ),
            )
            .with_primary_label(if u.defaulted {
                "the default target is 80% cpu utilization".to_string()
            } else {
                format!("{resource} utilization needs {resource} requests")
            })
            .with_label(target.file, at, format!("no `resources.requests.{resource}`"))
            .with_help(format!(
                "utilization is usage divided by request: set `resources.requests.{resource}` on every container of the pod template (sidecars too), or scale on an `AverageValue` target, which needs no request. A LimitRange in the namespace with a default {resource} request also fills it in"
            ));
        ctx.push(d);
    }
}
