//! `pod-security-host-namespaces`: Pod Security `baseline` forbids sharing the host's
//! network, PID or IPC namespace (admission check `hostNamespaces`, v1.0).

use super::policy::{self, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-host-namespaces",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: hostNetwork, hostPID and hostIPC must be unset or false",
    fix: false,
    doc: include_str!("../../../rules/pod-security-host-namespaces.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "hostNamespaces",
    title: "host namespaces",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "sharing the host's network, PID or IPC namespace lets the pod see and reach the node's processes and interfaces; remove the field or set it to false",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|k| pod.spec.get(k).and_then(Node::as_bool) == Some(true))
        .filter_map(|k| {
            let span = entry_span(pod.spec, k)?;
            Some(Violation::new(span, format!("the pod sets `{k}: true`")))
        })
        .collect()
}
