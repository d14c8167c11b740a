//! `pod-security-allow-privilege-escalation`: Pod Security `restricted` requires
//! `allowPrivilegeEscalation: false` on every container (admission check
//! `allowPrivilegeEscalation`, v1.8; Windows pods exempt from v1.25).

use super::policy::{self, container_anchor, container_fix, container_sc, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-allow-privilege-escalation",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: containers must set allowPrivilegeEscalation: false",
    fix: true,
    doc: include_str!("../../../rules/pod-security-allow-privilege-escalation.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "allowPrivilegeEscalation",
    title: "privilege escalation",
    level: Level::Restricted,
    since: 8,
    overridden_in_restricted_from: None,
    check: violations,
    help: "without `allowPrivilegeEscalation: false` a process can gain more privileges than its parent (setuid binaries); set it in each container's securityContext",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    if version >= 25 && pod.is_windows() {
        return Vec::new();
    }
    pod.containers()
        .filter_map(|c| {
            let sc = container_sc(&c);
            let value = sc.and_then(|sc| sc.get("allowPrivilegeEscalation"));
            match value.and_then(Node::as_bool) {
                Some(false) => None,
                Some(true) => Some(Violation::new(
                    sc.and_then(|sc| entry_span(sc, "allowPrivilegeEscalation"))
                        .unwrap_or(c.node.span),
                    format!("{} sets `allowPrivilegeEscalation: true`", c.describe()),
                )),
                None => Some(
                    Violation::new(
                        container_anchor(&c),
                        format!(
                            "{} does not set `securityContext.allowPrivilegeEscalation: false`",
                            c.describe()
                        ),
                    )
                    .with_fix(value.is_none().then(|| {
                        container_fix(
                            pod.text,
                            &c,
                            "set `allowPrivilegeEscalation: false`",
                            &["allowPrivilegeEscalation: false"],
                        )
                    }).flatten()),
                ),
            }
        })
        .collect()
}
