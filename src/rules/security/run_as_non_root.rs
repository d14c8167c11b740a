//! `pod-security-run-as-non-root`: Pod Security `restricted` requires `runAsNonRoot: true`
//! for every container (admission check `runAsNonRoot`, v1.0; user-namespaced pods exempt
//! from v1.35).

use super::policy::{self, container_sc, entry_span, quote_list, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-run-as-non-root",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: runAsNonRoot must be true (pod or every container)",
    fix: false,
    doc: include_str!("../../../rules/pod-security-run-as-non-root.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "runAsNonRoot",
    title: "containers that may run as root",
    level: Level::Restricted,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "set `securityContext.runAsNonRoot: true` on the pod (or on every container); the kubelet then refuses to start a container whose image runs as UID 0, so make sure the image sets a non-root USER or set `runAsUser`",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    if version >= 35 && pod.in_user_namespace() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let pod_sc = pod.security_context();
    let pod_value = pod_sc.and_then(|sc| sc.get("runAsNonRoot")).and_then(Node::as_bool);
    if pod_value == Some(false) {
        out.push(Violation::new(
            pod_sc.and_then(|sc| entry_span(sc, "runAsNonRoot")).unwrap_or(pod.anchor()),
            "the pod sets `runAsNonRoot: false`",
        ));
    }
    let mut implicit = Vec::new();
    for c in pod.containers() {
        let sc = container_sc(&c);
        match sc.and_then(|sc| sc.get("runAsNonRoot")).and_then(Node::as_bool) {
            Some(true) => {}
            Some(false) => out.push(Violation::new(
                sc.and_then(|sc| entry_span(sc, "runAsNonRoot")).unwrap_or(c.node.span),
                format!("{} sets `runAsNonRoot: false`", c.describe()),
            )),
            None if pod_value != Some(true) => implicit.push(c.name().unwrap_or("?").to_string()),
            None => {}
        }
    }
    if !implicit.is_empty() {
        let who = if implicit.len() == 1 { "container" } else { "containers" };
        out.push(Violation::new(
            pod.anchor(),
            format!(
                "neither the pod nor {who} {} set `securityContext.runAsNonRoot: true`",
                quote_list(&implicit)
            ),
        ));
    }
    out
}
