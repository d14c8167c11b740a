//! `volume-unused`: a declared volume that no container mounts.

use std::collections::HashSet;

use crate::diagnostics::Severity;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "volume-unused",
    severity: Severity::Info,
    category: Category::Volumes,
    summary: "A volume is declared but no container mounts it",
    fix: false,
    doc: include_str!("../../../rules/volume-unused.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let mut used: HashSet<&str> = HashSet::new();
    for c in template.containers() {
        for m in c.volume_mounts().chain(all_items(Some(c.node), "volumeDevices")) {
            if let Some(n) = m.get("name").and_then(|n| n.text()) {
                used.insert(n);
            }
        }
    }
    // A mount naming an undeclared volume is volume-mount-undeclared's error, and the
    // unused volume is then most likely its intended target: one finding is enough.
    let declared = crate::model::fields::mountable_names(obj, &template);
    let declared: HashSet<&str> = declared.iter().map(|(n, _)| *n).collect();
    if used.iter().any(|u| !declared.contains(u)) {
        return;
    }
    for volume in template.volumes() {
        let Some(name_node) = volume.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        if used.contains(name) {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                name_node.span,
                format!("volume `{name}` is declared but no container mounts it"),
            )
            .with_primary_label("not mounted")
            .with_help(format!(
                "add a `volumeMounts` entry with `name: {name}` to the container that needs it, or remove the volume"
            ));
        ctx.push(d);
    }
}
