//! `pod-security-run-as-user`: Pod Security `restricted` forbids `runAsUser: 0` (admission
//! check `runAsUser`, v1.23; user-namespaced pods exempt from v1.35).

use super::policy::{self, container_sc, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-security-run-as-user",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: runAsUser must not be 0",
    fix: false,
    doc: include_str!("../../../rules/pod-security-run-as-user.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "runAsUser",
    title: "running as root (runAsUser: 0)",
    level: Level::Restricted,
    since: 23,
    overridden_in_restricted_from: None,
    check: violations,
    help: "UID 0 is root; run as a non-zero UID the image supports (e.g. `runAsUser: 1000`)",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn root(sc: Option<&Node>) -> Option<Span> {
    let sc = sc?;
    (sc.get("runAsUser")?.as_i64()? == 0).then(|| entry_span(sc, "runAsUser")).flatten()
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    if version >= 35 && pod.in_user_namespace() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(span) = root(pod.security_context()) {
        out.push(Violation::new(span, "the pod sets `runAsUser: 0`"));
    }
    for c in pod.containers() {
        if let Some(span) = root(container_sc(&c)) {
            out.push(Violation::new(span, format!("{} sets `runAsUser: 0`", c.describe())));
        }
    }
    out
}
