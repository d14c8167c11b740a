//! `default-service-account`: a pod runs as its namespace's `default` ServiceAccount
//! (opt-in hardening check).

use super::hardening;
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "default-service-account",
    severity: Severity::Info,
    category: Category::Security,
    summary: "Opt-in hardening: a pod runs as the namespace's default ServiceAccount",
    fix: false,
    doc: include_str!("../../../rules/default-service-account.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = hardening::pod_template(ctx, obj) else { return };
    let Some(spec) = t.spec.filter(|s| s.is_map()) else { return };
    let (field, name) = hardening::service_account(spec);
    if name != "default" {
        return;
    }
    let span = field.map_or_else(|| t.node.entry("spec").map_or(spec.span, |e| e.key.span), |f| f.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!("{} as the `default` ServiceAccount", pods_of(obj, "runs", "run")),
        )
        .with_primary_label("default ServiceAccount")
        .with_help("every pod of the namespace that names no ServiceAccount shares `default`, so permissions granted to it leak to all of them; give the workload its own ServiceAccount (`serviceAccountName`)");
    ctx.push(d);
}

/// "Pod/web gets" or "the pods of Deployment/web get".
fn pods_of(obj: &Object<'_>, one: &str, many: &str) -> String {
    if obj.kind == "Pod" {
        format!("{} {one}", obj.display_name())
    } else {
        format!("the pods of {} {many}", obj.display_name())
    }
}
