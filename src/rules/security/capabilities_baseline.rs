//! `pod-security-capabilities-baseline`: Pod Security `baseline` allows adding only the
//! container runtime's default capabilities (admission check `capabilities_baseline`, v1.0;
//! at `restricted` from v1.22, `capabilities_restricted` replaces it).

use super::policy::{self, container_sc, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-security-capabilities-baseline",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: capabilities.add may only list the runtime's default capabilities",
    fix: false,
    doc: include_str!("../../../rules/pod-security-capabilities-baseline.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "capabilities_baseline",
    title: "non-default capabilities",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: Some(22),
    check: violations,
    help: "baseline allows adding only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT (names without the `CAP_` prefix); remove the others",
};

/// `capabilities_allowed_1_0`.
pub const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in pod.containers() {
        let Some(add) = container_sc(&c).and_then(|sc| sc.get_path(&["capabilities", "add"]))
        else {
            continue;
        };
        for item in add.items() {
            let cap = item.text().unwrap_or_default();
            if !ALLOWED.contains(&cap) {
                out.push(Violation::new(
                    item.span,
                    format!("{} adds capability `{cap}`, which is not in the baseline set", c.describe()),
                ));
            }
        }
    }
    out
}
