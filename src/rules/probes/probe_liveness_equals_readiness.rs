//! `probe-liveness-equals-readiness`: identical liveness and readiness probes.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-liveness-equals-readiness",
    severity: Severity::Warning,
    category: Category::Probes,
    summary: "A container's liveness probe is identical to its readiness probe",
    fix: false,
    doc: include_str!("../../../rules/probe-liveness-equals-readiness.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        let (Some(live), Some(ready)) = (c.node.entry("livenessProbe"), c.node.entry("readinessProbe")) else {
            continue;
        };
        if !live.value.is_map() || live.value.entries().is_empty() || live.value.to_json() != ready.value.to_json() {
            continue;
        }
        let d = ctx
            .diag(obj, live.key.span, format!("the livenessProbe of {} is identical to its readinessProbe", c.describe()))
            .with_primary_label("same as the readiness probe")
            .with_label(obj.file, ready.key.span, "readiness probe")
            .with_help("when the check fails under load, the pod is taken out of the Service and restarted at the same moment, so a slow pod is killed instead of being given time to recover; give the liveness probe a cheaper endpoint or a larger `failureThreshold`/`periodSeconds`");
        ctx.push(d);
    }
}
