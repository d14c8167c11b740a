//! `hpa-target-sets-replicas`: a Deployment, StatefulSet, ReplicaSet or ReplicationController
//! that a HorizontalPodAutoscaler of the run scales, and that sets `spec.replicas` itself.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "hpa-target-sets-replicas",
    severity: Severity::Warning,
    category: Category::Autoscaling,
    summary: "A workload scaled by a HorizontalPodAutoscaler also sets spec.replicas: each apply resets the count the HPA chose",
    fix: false,
    doc: include_str!("../../../rules/hpa-target-sets-replicas.md"),
    check: Check::Workspace(check),
};

/// An autoscaler's reading of its target: the `scaleTargetRef` name node, and the range.
struct Scaler<'w, 'a> {
    hpa: &'w Object<'a>,
    name_node: &'a Node,
    min: i64,
    max: Option<i64>,
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    // Each workload's autoscalers, in run order: one finding per workload, however many
    // alternative autoscalers a directory holds for it.
    let mut scalers: HashMap<(&str, &str, &str), Vec<Scaler<'_, '_>>> = HashMap::new();
    for hpa in ws.of_kind("HorizontalPodAutoscaler") {
        if hpa.group() != "autoscaling" {
            continue;
        }
        let Some(spec) = hpa.spec() else { continue };
        let Some(target_ref) = spec.get("scaleTargetRef") else {
            continue;
        };
        let (Some(kind), Some(name_node), Some(ns)) = (
            target_ref.get("kind").and_then(Node::as_str),
            target_ref.get("name").filter(|n| n.as_str().is_some()),
            ws.namespace_of(hpa),
        ) else {
            continue;
        };
        let name = name_node.as_str().unwrap_or_default();
        scalers.entry((ns, kind, name)).or_default().push(Scaler {
            hpa,
            name_node,
            // `minReplicas` defaults to 1 (autoscaling defaults.go).
            min: spec.get("minReplicas").and_then(Node::as_i64).unwrap_or(1),
            max: spec.get("maxReplicas").and_then(Node::as_i64),
        });
    }
    if scalers.is_empty() {
        return;
    }
    // How many workloads of each name the run holds: counted once, not looked up per
    // workload (a name repeated across many namespaces would make that quadratic).
    let mut copies: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for o in &ws.objects {
        if let (true, Some(ns), Some(name)) = (o.is_replicated_workload(), ws.namespace_of(o), o.name) {
            *copies.entry((ns, o.kind, name)).or_default() += 1;
        }
    }
    for target in &ws.objects {
        if !target.is_replicated_workload() {
            continue;
        }
        let (Some(ns), Some(name)) = (ws.namespace_of(target), target.name) else {
            continue;
        };
        let Some(candidates) = scalers.get(&(ns, target.kind, name)) else {
            continue;
        };
        let Some(entry) = target.spec().and_then(|s| s.entry("replicas")) else {
            continue;
        };
        let Some(replicas) = entry.value.as_i64() else {
            continue;
        };
        // Several workloads of that name are variants of one (examples, test cases): only
        // an autoscaler in the workload's own file is surely its. A kustomize overlay or
        // Helm values beside one of two files may drop the field from what is applied; two
        // files of one directory are built together.
        let variants = copies.get(&(ns, target.kind, name)).is_some_and(|&n| n > 1);
        let Some(s) = candidates.iter().find(|s| {
            if variants {
                s.hpa.file == target.file
            } else {
                ws.same_dir(s.hpa.file, target.file)
                    || !(ws.is_open(s.hpa.file) || ws.is_open(target.file))
            }
        }) else {
            continue;
        };
        // An autoscaler pinned to that very count has nothing to fight over.
        if s.min == replicas && s.max == Some(replicas) {
            continue;
        }
        let range = match s.max {
            Some(max) => format!("between {} and {max}", s.min),
            None => format!("from {} up", s.min),
        };
        let d = ctx
            .diag(
                target,
                entry.key.span.cover(entry.value.span),
                format!(
                    "{} sets `replicas: {replicas}`, but {} scales it: every apply of this manifest resets it to {replicas} {}, whatever the autoscaler chose",
                    target.display_name(),
                    s.hpa.display_name(),
                    if replicas == 1 { "pod" } else { "pods" }
                ),
            )
            .with_primary_label("fixed replica count")
            .with_label(s.hpa.file, s.name_node.span, "the autoscaler that owns the count")
            .with_help(format!(
                "remove `spec.replicas` from {}: the HorizontalPodAutoscaler keeps it {range} (Kubernetes' advice when migrating a workload to autoscaling)",
                target.display_name()
            ));
        ctx.push(d);
    }
}
