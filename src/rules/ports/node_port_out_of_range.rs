//! `node-port-out-of-range`: a Service `nodePort` must lie in the cluster's node port range.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "node-port-out-of-range",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A Service nodePort is outside the node port range (default 30000-32767)",
    fix: false,
    doc: include_str!("../../../rules/node-port-out-of-range.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    // Node ports are allocated, and their range checked, only for these types; another
    // type keeps a `nodePort` unused (ClusterIP rejects one: `service-type-conflict`).
    if !matches!(svc.service_type(), "NodePort" | "LoadBalancer") {
        return;
    }
    let (lo, hi) = ctx.config.node_port_range;
    for p in svc.ports() {
        let Some(node) = p.get("nodePort") else {
            continue;
        };
        let Some(n) = node.as_i64() else { continue };
        // 0 means "allocate one".
        if n == 0 || (lo..=hi).contains(&n) {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                node.span,
                format!("`nodePort: {n}` is outside the node port range {lo}-{hi}"),
            )
            .with_primary_label("out of range")
            .with_help(format!(
                "the API server only allocates node ports from its `--service-node-port-range` ({lo}-{hi} here; set kubevet's `--node-port-range` if your cluster uses another); remove `nodePort` to get one allocated"
            ));
        ctx.push(d);
    }
}
