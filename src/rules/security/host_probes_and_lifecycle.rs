//! `pod-security-host-probes-and-lifecycle`: Pod Security `baseline` forbids a `host` in
//! probes and lifecycle handlers (admission check `hostProbesAndHostLifecycle`, v1.34).

use super::policy::{self, entry_span, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-security-host-probes-and-lifecycle",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline (v1.34+): probes and lifecycle handlers must not set a host",
    fix: false,
    doc: include_str!("../../../rules/pod-security-host-probes-and-lifecycle.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "hostProbesAndHostLifecycle",
    title: "probe or lifecycle hosts",
    level: Level::Baseline,
    since: 34,
    overridden_in_restricted_from: None,
    check: violations,
    help: "the kubelet connects to that host from the node's network, which lets a pod make the node reach other addresses; remove `host` so the kubelet targets the pod's IP",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in pod.containers() {
        let mut handlers: Vec<(String, &crate::yaml::Node)> = ["livenessProbe", "readinessProbe", "startupProbe"]
            .into_iter()
            .filter_map(|k| c.node.get(k).map(|n| (k.to_string(), n)))
            .collect();
        if let Some(l) = c.node.get("lifecycle") {
            for k in ["postStart", "preStop"] {
                if let Some(h) = l.get(k) {
                    handlers.push((format!("lifecycle.{k}"), h));
                }
            }
        }
        for (field, h) in handlers {
            for kind in ["httpGet", "tcpSocket"] {
                let Some(action) = h.get(kind) else { continue };
                let Some(host) = action.get("host") else { continue };
                let v = host.text().unwrap_or_default();
                if v.is_empty() {
                    continue;
                }
                out.push(Violation::new(
                    entry_span(action, "host").unwrap_or(host.span),
                    format!("{} sets `{field}.{kind}.host: {v}`", c.describe()),
                ));
            }
        }
    }
    out
}
