//! `affinity-weight-range`: preferred affinity weights must be 1-100.

use crate::diagnostics::Severity;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "affinity-weight-range",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A preferred node or pod affinity term's weight is outside 1-100",
    fix: false,
    doc: include_str!("../../../rules/affinity-weight-range.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(aff) = t.spec.and_then(|s| s.get("affinity")) else {
        return;
    };
    for kind in ["nodeAffinity", "podAffinity", "podAntiAffinity"] {
        for p in all_items(aff.get(kind), "preferredDuringSchedulingIgnoredDuringExecution") {
            let Some(w) = p.get("weight") else { continue };
            let Some(v) = w.as_i64() else { continue };
            if (1..=100).contains(&v) {
                continue;
            }
            let d = ctx
                .diag(obj, w.span, format!("{kind} preference `weight: {v}` is outside 1-100"))
                .with_primary_label("must be 1-100")
                .with_help("the API server rejects it (`weight: Invalid value: must be in the range 1-100`); weights only rank preferences against each other, so scale them into 1-100");
            ctx.push(d);
        }
    }
}
