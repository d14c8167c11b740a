//! `resources-unset`: a container without cpu/memory requests or limits.

use crate::diagnostics::Severity;
use crate::model::{ContainerKind, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "resources-unset",
    severity: Severity::Info,
    category: Category::Resources,
    summary: "A container does not set cpu and memory requests and limits",
    fix: false,
    doc: include_str!("../../../rules/resources-unset.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    // Pod-level resources (Kubernetes 1.32+) cover the containers.
    if t.spec.and_then(|s| s.get("resources")).is_some_and(|r| r.is_map() && !r.entries().is_empty()) {
        return;
    }
    for c in t.containers() {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let res = c.node.get("resources");
        let has = |list: &str, name: &str| {
            res.and_then(|r| r.get(list)).and_then(|l| l.get(name)).is_some_and(|v| !v.is_null())
        };
        let mut missing = Vec::new();
        for (list, name) in [("requests", "cpu"), ("requests", "memory"), ("limits", "cpu"), ("limits", "memory")] {
            // A limit alone also sets the request to the same amount.
            let set = has(list, name) || (list == "requests" && has("limits", name));
            if !set {
                missing.push(format!("{list}.{name}"));
            }
        }
        if missing.is_empty() {
            continue;
        }
        let anchor = c
            .node
            .entry("resources")
            .map(|e| e.key.span)
            .or_else(|| c.node.get("name").map(|n| n.span))
            .unwrap_or(c.node.span);
        let d = ctx
            .diag(obj, anchor, format!("{} does not set {}", c.describe(), missing.join(", ")))
            .with_primary_label("resources incomplete")
            .with_help("without requests the scheduler places the pod as if it needed nothing and it is first to be evicted under pressure; without a memory limit one container can use all of a node's memory. Set `resources.requests` from observed usage and at least a memory limit (CPU limits are a trade-off: they throttle)");
        ctx.push(d);
    }
}
