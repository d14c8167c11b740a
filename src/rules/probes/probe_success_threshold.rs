//! `probe-success-threshold`: liveness and startup probes need `successThreshold: 1`.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-success-threshold",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "A liveness or startup probe has a successThreshold other than 1",
    fix: true,
    doc: include_str!("../../../rules/probe-success-threshold.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        for (field, probe) in c.probes() {
            if field == "readinessProbe" {
                continue;
            }
            let Some(node) = probe.get("successThreshold") else { continue };
            let Some(v) = node.as_i64() else { continue };
            // 0 is defaulted to 1; negatives are probe-timing-invalid's.
            if v <= 1 {
                continue;
            }
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!("the {field} of {} has `successThreshold: {v}`; it must be 1", c.describe()),
                )
                .with_primary_label("must be 1")
                .with_help(format!(
                    "the API server rejects it (`{field}.successThreshold: Invalid value: {v}: must be 1`): one success is what ends a failure streak for a {} probe; raise `failureThreshold` or `periodSeconds` to make it more tolerant",
                    if field == "livenessProbe" { "liveness" } else { "startup" }
                ))
                .with_fix(
                    "set it to 1",
                    vec![crate::diagnostics::Edit { span: node.span, new_text: "1".into() }],
                );
            ctx.push(d);
        }
    }
}
