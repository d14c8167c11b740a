//! `pod-security-privileged`: Pod Security `baseline` forbids privileged containers
//! (admission check `privileged`, v1.0).

use super::policy::{self, container_sc, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-privileged",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: containers must not set securityContext.privileged: true",
    fix: false,
    doc: include_str!("../../../rules/pod-security-privileged.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "privileged",
    title: "privileged containers",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "a privileged container has every capability and all host devices, which is root on the node; remove `privileged: true` and add only the capabilities the process needs",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    pod.containers()
        .filter_map(|c| {
            let sc = container_sc(&c)?;
            (sc.get("privileged").and_then(Node::as_bool) == Some(true)).then(|| {
                Violation::new(
                    entry_span(sc, "privileged").unwrap_or(sc.span),
                    format!("{} sets `privileged: true`", c.describe()),
                )
            })
        })
        .collect()
}
