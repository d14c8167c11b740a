//! `network-policy-selects-nothing`: a NetworkPolicy whose `podSelector` matches no pod
//! template of the run in its namespace.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::selection::{report_selects_nothing, Miss};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "network-policy-selects-nothing",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A NetworkPolicy's podSelector matches no pod template in its namespace",
    fix: false,
    doc: include_str!("../../../rules/network-policy-selects-nothing.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "NetworkPolicy" || obj.group() != "networking.k8s.io" {
        return;
    }
    report_selects_nothing(
        ctx,
        obj,
        &Miss {
            field: "podSelector",
            consequence: "so the policy applies to no pod",
            help: "make `spec.podSelector` match the labels of the pods the policy is meant to isolate",
        },
    );
}
