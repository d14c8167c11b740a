//! `pod-security-host-path-volumes`: Pod Security `baseline` forbids hostPath volumes
//! (admission check `hostPathVolumes`, v1.0; at `restricted`, `restrictedVolumes` replaces
//! it).

use super::policy::{self, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-host-path-volumes",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: hostPath volumes are forbidden",
    fix: false,
    doc: include_str!("../../../rules/pod-security-host-path-volumes.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "hostPathVolumes",
    title: "hostPath volumes",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: Some(0),
    check: violations,
    help: "a hostPath volume exposes the node's filesystem to the pod; use an emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim instead",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    pod.template
        .volumes()
        .filter_map(|v| {
            let e = v.entry("hostPath").filter(|e| !e.value.is_null())?;
            let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
            let path = e.value.get("path").and_then(Node::as_str).unwrap_or("?");
            Some(Violation::new(
                e.key.span,
                format!("volume `{name}` mounts the host path `{path}`"),
            ))
        })
        .collect()
}
