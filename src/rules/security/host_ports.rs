//! `pod-security-host-ports`: Pod Security `baseline` forbids host ports (admission check
//! `hostPorts`, v1.0).

use super::policy::{self, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-security-host-ports",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: containers must not set ports[].hostPort (other than 0)",
    fix: false,
    doc: include_str!("../../../rules/pod-security-host-ports.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "hostPorts",
    title: "host ports",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "a host port binds the port on the node itself, bypassing network policy and limiting scheduling to one pod per node; remove `hostPort` and expose the pod through a Service",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    // With `hostNetwork: true` the API server defaults each port's `hostPort` to its
    // `containerPort` (SetDefaults_PodSpec) before admission sees the pod.
    let host_network = pod.spec.get("hostNetwork").and_then(|n| n.as_bool()) == Some(true);
    for c in pod.containers() {
        for p in c.ports() {
            if host_network && p.get("hostPort").is_none_or(|n| n.is_null()) {
                if let Some(cp) = p.get("containerPort").and_then(|n| n.as_i64()).filter(|n| *n != 0) {
                    out.push(Violation::new(
                        entry_span(p, "containerPort").unwrap_or(p.span),
                        format!(
                            "{} uses host port {cp}: with `hostNetwork: true` the API server sets `hostPort` to the `containerPort`",
                            c.describe()
                        ),
                    ));
                }
                continue;
            }
            let Some(hp) = p.get("hostPort").and_then(|n| n.as_i64()) else {
                continue;
            };
            if hp != 0 {
                out.push(Violation::new(
                    entry_span(p, "hostPort").unwrap_or(p.span),
                    format!("{} uses host port {hp}", c.describe()),
                ));
            }
        }
    }
    out
}
