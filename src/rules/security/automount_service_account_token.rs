//! `automount-service-account-token`: a pod gets an API token mounted although neither it
//! nor its ServiceAccount opts out (opt-in hardening check).

use super::hardening;
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "automount-service-account-token",
    severity: Severity::Info,
    category: Category::Security,
    summary: "Opt-in hardening: a pod mounts a ServiceAccount token it may not need",
    fix: false,
    doc: include_str!("../../../rules/automount-service-account-token.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = hardening::pod_template(ctx, obj) else { return };
    let Some(spec) = t.spec.filter(|s| s.is_map()) else { return };
    if spec.get("automountServiceAccountToken").and_then(Node::as_bool).is_some() {
        return;
    }
    let (_, sa) = hardening::service_account(spec);
    let ns = ctx.namespace_of(obj);
    let sa_opts_out = ctx
        .ws
        .find("ServiceAccount", ns, sa)
        .and_then(|o| o.root.get("automountServiceAccountToken"))
        .and_then(Node::as_bool)
        .is_some();
    if sa_opts_out {
        return;
    }
    let span = t.node.entry("spec").map_or(spec.span, |e| e.key.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} the API token of ServiceAccount `{sa}` mounted: neither the pod nor the ServiceAccount sets `automountServiceAccountToken`",
                pods_of(obj, "gets", "get")
            ),
        )
        .with_primary_label("token mounted by default")
        .with_help("a process that never calls the Kubernetes API does not need a token, and a stolen one acts with the ServiceAccount's permissions; set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount), or set it to `true` to say the pod needs it");
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
