//! `port-out-of-range`: port numbers must be valid TCP/UDP ports.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "port-out-of-range",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A containerPort, hostPort, Service port or targetPort is outside 1-65535",
    fix: false,
    doc: include_str!("../../../rules/port-out-of-range.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if let Some(t) = PodTemplate::of(obj) {
        for c in t.containers() {
            for p in c.ports() {
                // containerPort 0 is "required"; hostPort 0 means "no host port".
                field(ctx, obj, p, "containerPort", false, &c.describe());
                field(ctx, obj, p, "hostPort", true, &c.describe());
            }
        }
    }
    if let Some(svc) = Service::of(obj) {
        for p in svc.ports() {
            field(ctx, obj, p, "port", false, "the Service");
            // targetPort 0 is defaulted to `port`.
            field(ctx, obj, p, "targetPort", true, "the Service");
        }
    }
}

fn field(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    port: &Node,
    key: &str,
    zero_ok: bool,
    owner: &str,
) {
    let Some(node) = port.get(key) else { return };
    // Strings (named ports, or a wrong type) are other rules' business.
    let Some(n) = node.as_i64() else { return };
    if (1..=65535).contains(&n) || (zero_ok && n == 0) {
        return;
    }
    let d = ctx
        .diag(
            obj,
            node.span,
            format!("`{key}: {n}` of {owner} is not a valid port number: it must be between 1 and 65535"),
        )
        .with_primary_label("out of range");
    ctx.push(d);
}
