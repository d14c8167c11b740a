//! `pod-security-seccomp-profile-baseline`: Pod Security `baseline` forbids the
//! `Unconfined` seccomp profile (admission check `seccompProfile_baseline`: annotations
//! before v1.19, the fields from v1.19; at `restricted`, `seccompProfile_restricted`
//! replaces it).

use super::policy::{self, container_sc, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-seccomp-profile-baseline",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: the seccomp profile must not be Unconfined",
    fix: false,
    doc: include_str!("../../../rules/pod-security-seccomp-profile-baseline.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "seccompProfile_baseline",
    title: "an Unconfined seccomp profile",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: Some(19),
    check: violations,
    help: "`Unconfined` runs the container without any syscall filter; use `seccompProfile: {type: RuntimeDefault}` (or a `Localhost` profile)",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn unconfined(sc: Option<&Node>) -> Option<&Node> {
    let ty = sc?.get("seccompProfile")?.get("type")?;
    (ty.text() == Some("Unconfined")).then_some(ty)
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    if version < 19 {
        let annotations = pod.template.metadata.and_then(|m| m.get("annotations"));
        let Some(annotations) = annotations else {
            return out;
        };
        if let Some(e) = annotations.entry("seccomp.security.alpha.kubernetes.io/pod") {
            if e.value.text() == Some("unconfined") {
                out.push(Violation::new(
                    e.key.span.cover(e.value.span),
                    "the pod's seccomp annotation is `unconfined`",
                ));
            }
        }
        for c in pod.containers() {
            let Some(name) = c.name() else { continue };
            let key = format!("container.seccomp.security.alpha.kubernetes.io/{name}");
            if let Some(e) = annotations.entry(&key) {
                if e.value.text() == Some("unconfined") {
                    out.push(Violation::new(
                        e.key.span.cover(e.value.span),
                        format!("the seccomp annotation of {} is `unconfined`", c.describe()),
                    ));
                }
            }
        }
        return out;
    }
    if let Some(ty) = unconfined(pod.security_context()) {
        out.push(Violation::new(ty.span, "the pod sets seccomp profile type `Unconfined`"));
    }
    for c in pod.containers() {
        if let Some(ty) = unconfined(container_sc(&c)) {
            out.push(Violation::new(
                ty.span,
                format!("{} sets seccomp profile type `Unconfined`", c.describe()),
            ));
        }
    }
    out
}
