//! `pdb-blocks-eviction`: a PodDisruptionBudget that allows no voluntary disruption, so that
//! no pod it covers can ever be evicted and a node drain never completes.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{LabelSelector, Object, Workspace};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pdb-blocks-eviction",
    severity: Severity::Warning,
    category: Category::Policy,
    summary: "A PodDisruptionBudget that allows no disruption (maxUnavailable 0, minAvailable 100% or at least the pods' replica count): node drains never complete",
    fix: false,
    doc: include_str!("../../../rules/pdb-blocks-eviction.md"),
    check: Check::Workspace(check),
};

#[derive(Clone, Copy)]
enum Budget {
    Int(i64),
    Percent(i64),
}

/// An `IntOrString` as the disruption controller reads it; anything else is
/// `pdb-spec-invalid`'s to report.
fn budget(node: &Node) -> Option<Budget> {
    if let Some(n) = node.as_i64() {
        return (n >= 0).then_some(Budget::Int(n));
    }
    let digits = node.as_str()?.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<i64>()
        .ok()
        .filter(|p| *p <= 100)
        .map(Budget::Percent)
}

/// The replica count of a workload the disruption controller can count (its scale), with
/// the node to point at; `None` for a kind whose pods it cannot count that way, or a count
/// kubevet cannot read.
fn replicas<'a>(obj: &Object<'a>) -> Option<(i64, Option<&'a Node>)> {
    if obj.kind == "Pod" {
        return obj.group().is_empty().then_some((1, None));
    }
    if !obj.is_replicated_workload() {
        return None;
    }
    match obj.spec().and_then(|s| s.entry("replicas")) {
        // `replicas` defaults to 1.
        None => Some((1, None)),
        Some(e) if e.value.is_null() => Some((1, None)),
        Some(e) => Some((e.value.as_i64().filter(|n| *n >= 0)?, Some(&e.key))),
    }
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    let autoscaled = autoscalers(ws);
    for pdb in ws.of_kind("PodDisruptionBudget") {
        if pdb.group() != "policy" {
            continue;
        }
        let Some(spec) = pdb.spec() else { continue };
        let min = spec.get("minAvailable").filter(|n| !n.is_null());
        let max = spec.get("maxUnavailable").filter(|n| !n.is_null());
        let (field, node, value) = match (min, max) {
            (Some(n), None) => ("minAvailable", n, budget(n)),
            (None, Some(n)) => ("maxUnavailable", n, budget(n)),
            // Both set is `pdb-spec-invalid`'s; neither keeps no pod available.
            _ => continue,
        };
        let Some(value) = value else { continue };
        let written = node.text().unwrap_or_default();
        let mut label = None;
        let mut consequence = "no pod it covers can ever be evicted, so `kubectl drain` and node upgrades wait on it forever";
        let what = match (field, value) {
            ("maxUnavailable", Budget::Int(0) | Budget::Percent(0)) => format!(
                "{} lets no pod be unavailable (`maxUnavailable: {written}`)",
                pdb.display_name()
            ),
            ("minAvailable", Budget::Percent(100)) => format!(
                "{} keeps every pod it selects available (`minAvailable: {written}`)",
                pdb.display_name()
            ),
            ("minAvailable", _) => {
                let Some(Pinned {
                    total,
                    label: at,
                    at_rest,
                }) = pinned_by(ws, pdb, value, &autoscaled)
                else {
                    continue;
                };
                label = at;
                let when = if at_rest {
                    consequence = "then no pod it covers can be evicted, so `kubectl drain` and node upgrades wait until load scales the workload up";
                    " when their autoscaler is at its minimum"
                } else {
                    ""
                };
                let kept = match value {
                    Budget::Percent(p) => format!("{p}% (rounded up: all)"),
                    Budget::Int(_) => written.to_string(),
                };
                format!(
                    "{} keeps {kept} of the {total} {} it selects available{when} (`minAvailable: {written}`)",
                    pdb.display_name(),
                    plural(total, "pod")
                )
            }
            _ => continue,
        };
        let mut d = ctx
            .diag(pdb, node.span, format!("{what}: {consequence}"))
            .with_primary_label("allows no disruption")
            .with_help("allow one disruption at least (`maxUnavailable: 1`, or a `minAvailable` below the replica count); if these pods must never be evicted, say so with a `# kubevet-ignore: pdb-blocks-eviction -- reason` comment");
        if let Some((file, span, text)) = label {
            d = d.with_label(file, span, text);
        }
        ctx.push(d);
    }
}

/// A secondary label: file, span, text.
type Label = (usize, Span, String);

/// What [`pinned_by`] found: the pods the budget selects, the label on the one workload
/// that sets their count, and whether an autoscaler's minimum sets it.
struct Pinned {
    total: i64,
    label: Option<Label>,
    at_rest: bool,
}

/// For a `minAvailable` that depends on the pod count: the count of the pods the budget
/// selects, when it is at most what the budget keeps available, with a label for the
/// workload that sets it, and whether an autoscaler sets the count (at its minimum). Only
/// when the run is the whole picture: every selected pod template in the budget's
/// directory, and no tool completing the files.
fn pinned_by<'a>(
    ws: &Workspace<'a>,
    pdb: &Object<'a>,
    value: Budget,
    autoscaled: &Autoscaled<'a>,
) -> Option<Pinned> {
    let ns = ws.namespace_of(pdb)?;
    if !ws.can_judge_absence(pdb.file, ns) {
        return None;
    }
    // A budget without a selector selects no pod in `policy/v1`; an empty one, every pod of
    // the namespace.
    let sel_node = pdb.spec()?.get("selector").filter(|s| s.is_map())?;
    let sel = LabelSelector::from_selector(sel_node).without_controller_keys();
    let mut total = 0i64;
    let mut label = None;
    let mut count = 0;
    let mut at_rest = false;
    for (obj, _) in ws.templates_selected_by(ns, &sel) {
        if !ws.same_dir(pdb.file, obj.file) {
            return None;
        }
        let (n, at) = replicas(obj)?;
        let scaled = obj.name.and_then(|n| autoscaled.get(&(ns, obj.kind, n)));
        let (n, at) = match scaled {
            // At rest an autoscaled workload runs its autoscaler's minimum.
            Some(&Some((min, scaler, node))) => {
                at_rest = true;
                let text = format!(
                    "{} scales {} down to {min} {}",
                    scaler.display_name(),
                    obj.display_name(),
                    plural(min, "replica")
                );
                (min, (scaler.file, node.map_or(scaler.anchor_span(), |n| n.span), text))
            }
            // An autoscaler kubevet cannot read the minimum of.
            Some(None) => return None,
            None => (n, replica_label(obj, n, at)),
        };
        total = total.saturating_add(n);
        count += 1;
        label = Some(at);
    }
    if total <= 0 {
        return None;
    }
    let desired = match value {
        Budget::Int(m) => m,
        // Rounded up, as `GetScaledValueFromIntOrPercent(.., true)` does.
        Budget::Percent(p) => p.saturating_mul(total).saturating_add(99) / 100,
    };
    if desired < total {
        return None;
    }
    Some(Pinned {
        total,
        label: if count == 1 { label } else { None },
        at_rest,
    })
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// The label on a workload's own replica count.
fn replica_label(obj: &Object<'_>, n: i64, at: Option<&Node>) -> Label {
    match at {
        Some(key) => (
            obj.file,
            key.span,
            format!("{} runs {n} {}", obj.display_name(), plural(n, "replica")),
        ),
        None if obj.kind == "Pod" => (obj.file, obj.anchor_span(), "one pod".to_string()),
        None => (
            obj.file,
            obj.anchor_span(),
            format!("{} runs 1 replica (the default)", obj.display_name()),
        ),
    }
}

/// Workloads an autoscaler resizes, by namespace, kind and name: the autoscaler's minimum
/// replica count (the count at rest) with the autoscaler and the node that sets it, or
/// `None` for an autoscaler whose minimum kubevet cannot read.
type Autoscaled<'a> =
    HashMap<(&'a str, &'a str, &'a str), Option<(i64, &'a Object<'a>, Option<&'a Node>)>>;

fn autoscalers<'a>(ws: &'a Workspace<'a>) -> Autoscaled<'a> {
    let mut out = Autoscaled::new();
    for obj in &ws.objects {
        let Some(target) = obj.spec().and_then(|s| s.get("scaleTargetRef")) else {
            continue;
        };
        let (Some(ns), Some(name)) = (
            ws.namespace_of(obj),
            target.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        let spec = obj.spec();
        let (kind, min) = match (obj.group(), obj.kind) {
            // `minReplicas` defaults to 1.
            ("autoscaling", "HorizontalPodAutoscaler") => {
                let node = spec.and_then(|s| s.get("minReplicas"));
                let min = node.map_or(Some(1), Node::as_i64);
                (target.get("kind").and_then(Node::as_str), min.map(|m| (m, node)))
            }
            // KEDA creates the HPA; its target kind defaults to Deployment and its
            // `minReplicaCount` to 0.
            ("keda.sh", "ScaledObject") => {
                let node = spec.and_then(|s| s.get("minReplicaCount"));
                let min = node.map_or(Some(0), Node::as_i64);
                (
                    Some(target.get("kind").and_then(Node::as_str).unwrap_or("Deployment")),
                    min.map(|m| (m, node)),
                )
            }
            _ => (target.get("kind").and_then(Node::as_str), None),
        };
        let Some(kind) = kind else { continue };
        out.insert((ns, kind, name), min.map(|(m, node)| (m, obj, node)));
    }
    out
}
