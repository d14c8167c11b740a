//! `probe-timing-invalid`: negative probe timings and thresholds, a non-positive
//! `terminationGracePeriodSeconds`, or one set on a readiness probe.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-timing-invalid",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "A probe has a negative delay, timeout, period or threshold, or an invalid terminationGracePeriodSeconds",
    fix: false,
    doc: include_str!("../../../rules/probe-timing-invalid.md"),
    check: Check::Object(check),
};

const NON_NEGATIVE: &[&str] = &[
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        for (field, probe) in c.probes() {
            for key in NON_NEGATIVE {
                let Some(node) = probe.get(key) else { continue };
                let Some(v) = node.as_i64() else { continue };
                if v < 0 {
                    let d = ctx
                        .diag(obj, node.span, format!("`{key}: {v}` in the {field} of {} is negative", c.describe()))
                        .with_primary_label("must be >= 0")
                        .with_help(format!(
                            "the API server rejects it (`{field}.{key}: must be greater than or equal to 0`); leave the field out for the default"
                        ));
                    ctx.push(d);
                }
            }
            let Some(entry) = probe.entry("terminationGracePeriodSeconds") else { continue };
            if entry.value.is_null() {
                continue;
            }
            if field == "readinessProbe" {
                let d = ctx
                    .diag(obj, entry.key.span, format!("the readinessProbe of {} sets `terminationGracePeriodSeconds`", c.describe()))
                    .with_primary_label("not allowed on a readiness probe")
                    .with_help("a readiness failure never kills the container, so the API server rejects this (`must not be set for readinessProbes`); remove it, or move it to the liveness or startup probe");
                ctx.push(d);
            } else if let Some(v) = entry.value.as_i64().filter(|v| *v <= 0) {
                let d = ctx
                    .diag(obj, entry.value.span, format!("`terminationGracePeriodSeconds: {v}` in the {field} of {} must be positive", c.describe()))
                    .with_primary_label("must be > 0")
                    .with_help("the API server rejects it (`must be greater than 0`); use at least 1, or remove it to use the pod's grace period");
                ctx.push(d);
            }
        }
    }
}
