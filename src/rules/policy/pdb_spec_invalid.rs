//! `pdb-spec-invalid`: `ValidatePodDisruptionBudgetSpec` (pkg/apis/policy/validation).

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, int_or_percent, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pdb-spec-invalid",
    severity: Severity::Error,
    category: Category::Policy,
    summary: "A PodDisruptionBudget with both minAvailable and maxUnavailable, or a value that is neither a non-negative integer nor a percentage up to 100%",
    fix: false,
    doc: include_str!("../../../rules/pdb-spec-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "PodDisruptionBudget" || obj.group() != "policy" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let min = spec.get("minAvailable").filter(|n| !n.is_null());
    let max = spec.get("maxUnavailable").filter(|n| !n.is_null());
    if let (Some(min), Some(max)) = (min, max) {
        reject_pair(
            ctx,
            obj,
            max,
            min.span,
            "`minAvailable` is set here".into(),
            "`minAvailable` and `maxUnavailable` are both set".into(),
            "Invalid value: minAvailable and maxUnavailable cannot be both set",
            "a budget is expressed one way: keep one of them",
        );
    }
    int_or_percent(ctx, obj, spec, "minAvailable", true);
    int_or_percent(ctx, obj, spec, "maxUnavailable", true);
    enum_value(
        ctx,
        obj,
        spec,
        "unhealthyPodEvictionPolicy",
        &["IfHealthyBudget", "AlwaysAllow"],
    );
}
