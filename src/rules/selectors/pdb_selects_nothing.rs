//! `pdb-selects-nothing`: a PodDisruptionBudget whose selector matches no pod template of the
//! run in its namespace.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::selection::{report_selects_nothing, Miss};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pdb-selects-nothing",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A PodDisruptionBudget's selector matches no pod template in its namespace",
    fix: false,
    doc: include_str!("../../../rules/pdb-selects-nothing.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "PodDisruptionBudget" || obj.group() != "policy" {
        return;
    }
    report_selects_nothing(
        ctx,
        obj,
        &Miss {
            field: "selector",
            consequence: "so the budget protects nothing",
            help: "make the selector match the labels of the pods the budget is meant to protect",
        },
    );
}
