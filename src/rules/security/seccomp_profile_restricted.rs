//! `pod-security-seccomp-profile-restricted`: Pod Security `restricted` requires a seccomp
//! profile of type `RuntimeDefault` or `Localhost` for every container (admission check
//! `seccompProfile_restricted`, v1.19; Windows pods exempt from v1.25).

use super::policy::{self, container_sc, pod_fix, quote_list, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-security-seccomp-profile-restricted",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: seccompProfile.type must be RuntimeDefault or Localhost",
    fix: true,
    doc: include_str!("../../../rules/pod-security-seccomp-profile-restricted.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "seccompProfile_restricted",
    title: "a missing or unconfined seccomp profile",
    level: Level::Restricted,
    since: 19,
    overridden_in_restricted_from: None,
    check: violations,
    help: "set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (every container inherits it) or on each container",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

/// `Some(Ok(()))` for a valid profile, `Some(Err((span, type)))` for a bad one, `None` when
/// `sc` sets none.
fn profile(sc: Option<&Node>) -> Option<Result<(), (Span, String)>> {
    let p = sc?.get("seccompProfile").filter(|p| !p.is_null())?;
    let ty = p.get("type");
    let t = ty.and_then(Node::text).unwrap_or_default();
    Some(if matches!(t, "RuntimeDefault" | "Localhost") {
        Ok(())
    } else {
        Err((ty.map_or(p.span, |n| n.span), t.to_string()))
    })
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    if version >= 25 && pod.is_windows() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let pod_profile = profile(pod.security_context());
    if let Some(Err((span, t))) = &pod_profile {
        out.push(Violation::new(*span, format!("the pod sets seccomp profile type `{t}`")));
    }
    let pod_set = matches!(pod_profile, Some(Ok(())));
    let mut implicit = Vec::new();
    for c in pod.containers() {
        match profile(container_sc(&c)) {
            Some(Ok(())) => {}
            Some(Err((span, t))) => out.push(Violation::new(
                span,
                format!("{} sets seccomp profile type `{t}`", c.describe()),
            )),
            None if !pod_set => implicit.push(c.name().unwrap_or("?").to_string()),
            None => {}
        }
    }
    if !implicit.is_empty() {
        let who = if implicit.len() == 1 { "container" } else { "containers" };
        let fix = pod_profile.is_none().then(|| {
            pod_fix(
                pod,
                "set the pod's `seccompProfile.type: RuntimeDefault`",
                &["seccompProfile:", "  type: RuntimeDefault"],
            )
        });
        out.push(
            Violation::new(
                pod.anchor(),
                format!(
                    "neither the pod nor {who} {} set `securityContext.seccompProfile.type` to `RuntimeDefault` or `Localhost`",
                    quote_list(&implicit)
                ),
            )
            .with_fix(fix.flatten()),
        );
    }
    out
}
