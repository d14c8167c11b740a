//! `volume-claim-shared`: a claim only one node (ReadWriteOnce) or one pod (ReadWriteOncePod)
//! may use, mounted by a workload that runs several pods, one per node, or a rollout that
//! needs two at once.
//!
//! ReadWriteOnce lets one node attach the volume: a second pod elsewhere waits in
//! `ContainerCreating` ("Multi-Attach error"). ReadWriteOncePod lets one pod use it: the
//! scheduler keeps any other `Pending`, and a Deployment's rolling update, which starts the
//! new pod before stopping the old, never completes.

use foldhash::{HashMap, HashMapExt};

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate, Workspace};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "volume-claim-shared",
    severity: Severity::Warning,
    category: Category::Volumes,
    summary: "A ReadWriteOnce or ReadWriteOncePod claim is mounted by a workload of several pods (replicas, an autoscaler, a DaemonSet), or a ReadWriteOncePod one by a Deployment whose rolling update starts a second pod",
    fix: false,
    doc: include_str!("../../../rules/volume-claim-shared.md"),
    check: Check::Workspace(check),
};

const RWO: &str = "ReadWriteOnce";
const RWOP: &str = "ReadWriteOncePod";

/// The most replicas an autoscaler of the run gives each `(namespace, kind, name)`.
fn autoscaled_max<'a>(ws: &'a Workspace<'a>) -> HashMap<(&'a str, &'a str, &'a str), i64> {
    let mut out = HashMap::new();
    for hpa in ws.of_kind("HorizontalPodAutoscaler") {
        if hpa.group() != "autoscaling" {
            continue;
        }
        let spec = hpa.spec();
        let target = spec.and_then(|s| s.get("scaleTargetRef"));
        let (Some(ns), Some(kind), Some(name), Some(max)) = (
            ws.namespace_of(hpa),
            target.and_then(|t| t.get("kind")).and_then(Node::as_str),
            target.and_then(|t| t.get("name")).and_then(Node::as_str),
            spec.and_then(|s| s.get("maxReplicas")).and_then(Node::as_i64),
        ) else {
            continue;
        };
        let e = out.entry((ns, kind, name)).or_insert(max);
        *e = (*e).max(max);
    }
    out
}

/// How many pods the workload runs at once, and the words for it; `None` for one.
fn several(obj: &Object<'_>, autoscaled: Option<i64>) -> Option<String> {
    if obj.kind == "DaemonSet" {
        return Some(format!("{} runs a pod on every node", obj.display_name()));
    }
    let replicas = obj
        .spec()
        .and_then(|s| s.get("replicas"))
        .and_then(Node::as_i64)
        .unwrap_or(1);
    if replicas > 1 {
        return Some(format!("{} runs {replicas} pods", obj.display_name()));
    }
    autoscaled
        .filter(|&max| max > 1)
        .map(|max| format!("{} is autoscaled up to {max} pods", obj.display_name()))
}

/// A Deployment whose rolling update adds a pod before removing one: `maxSurge` above zero
/// (its default is 25%, rounded up).
fn surges(obj: &Object<'_>) -> bool {
    let strategy = obj.spec().and_then(|s| s.get("strategy"));
    if strategy.and_then(|s| s.get("type")).and_then(Node::as_str) == Some("Recreate") {
        return false;
    }
    let surge = strategy.and_then(|s| s.get_path(&["rollingUpdate", "maxSurge"]));
    match surge {
        None => true,
        Some(n) => match (n.as_i64(), n.as_str()) {
            (Some(v), _) => v > 0,
            (_, Some(s)) => s.trim_end_matches('%').parse::<f64>().map_or(true, |v| v > 0.0),
            _ => true,
        },
    }
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    let autoscaled = autoscaled_max(ws);
    for obj in &ws.objects {
        if !(obj.is_replicated_workload() || (obj.kind == "DaemonSet" && obj.group() == "apps")) {
            continue;
        }
        let (Some(t), Some(ns)) = (PodTemplate::of(obj), ws.namespace_of(obj)) else {
            continue;
        };
        let mut volumes = t.volumes().peekable();
        if volumes.peek().is_none() {
            continue;
        }
        let max = obj.name.and_then(|n| autoscaled.get(&(ns, obj.kind, n)).copied());
        for v in volumes {
            let Some(claim_node) = v.get_path(&["persistentVolumeClaim", "claimName"]) else {
                continue;
            };
            let Some(claim_name) = claim_node.as_str() else {
                continue;
            };
            // The claim beside the workload: other directories hold other variants.
            let Some(claim) = ws
                .find_all("PersistentVolumeClaim", Some(ns), claim_name)
                .find(|c| c.group().is_empty() && ws.same_dir(c.file, obj.file))
            else {
                continue;
            };
            let Some(modes_node) = claim.spec().and_then(|s| s.get("accessModes")) else {
                continue;
            };
            let modes: Vec<&str> = modes_node.items().iter().filter_map(Node::as_str).collect();
            if modes.is_empty() || modes.iter().any(|m| *m != RWO && *m != RWOP) {
                continue;
            }
            let mode = if modes.contains(&RWO) { RWO } else { RWOP };
            let (message, help) = match several(obj, max) {
                Some(many) => (
                    format!("{many}, all mounting claim `{claim_name}`, which is {mode}: {}", if mode == RWO {
                        "only one node can attach it, so pods on other nodes never start"
                    } else {
                        "only one pod can use it, so the others stay Pending"
                    }),
                    "give each pod a claim of its own (a StatefulSet's `volumeClaimTemplates`), use a storage class that offers `ReadWriteMany`, or run one pod",
                ),
                None if mode == RWOP && obj.kind == "Deployment" && surges(obj) => (
                    format!("claim `{claim_name}` is {RWOP}, and the rolling update of {} starts the new pod while the old one still uses it: the new pod stays Pending and the rollout never completes", obj.display_name()),
                    "set `strategy.type: Recreate` (or `rollingUpdate.maxSurge: 0`), so that the old pod stops first",
                ),
                None => continue,
            };
            let d = ctx
                .diag(obj, claim_node.span, message)
                .with_primary_label(format!("a {mode} claim"))
                .with_label(claim.file, modes_node.span, format!("{} allows {}", claim.display_name(), modes.join(", ")))
                .with_help(help);
            ctx.push(d);
        }
    }
}
