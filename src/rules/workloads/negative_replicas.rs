//! `negative-replicas`: `spec.replicas` must not be negative.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "negative-replicas",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A workload's spec.replicas is negative",
    fix: false,
    doc: include_str!("../../../rules/negative-replicas.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !matches!(
        obj.kind,
        "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
    ) {
        return;
    }
    let Some(node) = obj.spec().and_then(|s| s.get("replicas")) else {
        return;
    };
    let Some(n) = node.as_i64() else { return };
    if n >= 0 {
        return;
    }
    let d = ctx
        .diag(obj, node.span, format!("`replicas: {n}` is negative"))
        .with_primary_label("must be 0 or more")
        .with_help("the API server rejects it (`spec.replicas: Invalid value: must be greater than or equal to 0`); use 0 to scale the workload down");
    ctx.push(d);
}
