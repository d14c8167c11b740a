//! `pod-security-windows-host-process`: Pod Security `baseline` forbids Windows HostProcess
//! containers (admission check `windowsHostProcess`, v1.0).

use super::policy::{self, container_sc, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-security-windows-host-process",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: windowsOptions.hostProcess must be unset or false",
    fix: false,
    doc: include_str!("../../../rules/pod-security-windows-host-process.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "windowsHostProcess",
    title: "Windows HostProcess containers",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "a HostProcess container runs directly on the Windows node with host access; remove `hostProcess: true`",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn host_process(sc: Option<&Node>) -> Option<Span> {
    let opts = sc?.get("windowsOptions")?;
    let e = opts.entry("hostProcess")?;
    (e.value.as_bool() == Some(true)).then(|| e.key.span.cover(e.value.span))
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(span) = host_process(pod.security_context()) {
        out.push(Violation::new(span, "the pod sets `windowsOptions.hostProcess: true`"));
    }
    for c in pod.containers() {
        if let Some(span) = host_process(container_sc(&c)) {
            out.push(Violation::new(
                span,
                format!("{} sets `windowsOptions.hostProcess: true`", c.describe()),
            ));
        }
    }
    out
}
