//! `pod-security-proc-mount`: Pod Security forbids unmasking `/proc` (admission checks
//! `procMount`, baseline, v1.0, relaxed for user-namespaced pods from v1.35, and
//! `procMount_restricted`, which keeps it strict at `restricted`).

use super::policy::{self, container_sc, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};


pub static RULE: Rule = Rule {
    id: "pod-security-proc-mount",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: securityContext.procMount must be unset or Default",
    fix: false,
    doc: include_str!("../../../rules/pod-security-proc-mount.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "procMount",
    title: "an unmasked /proc",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "`procMount: Unmasked` exposes the host's /proc paths the runtime masks by default; remove it (from policy v1.35, baseline allows it in a pod with `hostUsers: false`, restricted never does)",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, level: Level, version: u32) -> Vec<Violation> {
    if level == Level::Baseline && version >= 35 && pod.in_user_namespace() {
        return Vec::new();
    }
    pod.containers()
        .filter_map(|c| {
            let sc = container_sc(&c)?;
            let pm = sc.get("procMount").filter(|n| !n.is_null())?;
            let v = pm.text().unwrap_or_default();
            (v != "Default").then(|| {
                Violation::new(
                    entry_span(sc, "procMount").unwrap_or(pm.span),
                    format!("{} sets `procMount: {v}`", c.describe()),
                )
            })
        })
        .collect()
}

