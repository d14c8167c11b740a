//! `volume-mount-undeclared`: a container mounts a volume the pod does not declare.

use std::collections::HashSet;

use crate::diagnostics::Severity;
use crate::model::fields::{mountable_names, pod_spec_path};
use crate::model::names::did_you_mean;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "volume-mount-undeclared",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A volumeMount names a volume that the pod does not declare",
    fix: false,
    doc: include_str!("../../../rules/volume-mount-undeclared.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let declared = mountable_names(obj, &template);
    let names: Vec<&str> = declared.iter().map(|(n, _)| *n).collect();
    let known: HashSet<&str> = names.iter().copied().collect();
    let spec_path = pod_spec_path(obj.kind);
    // Suggestions compare a name with every declared one: bounded per object, so a pod
    // with thousands of undeclared mounts and volumes stays linear.
    let mut suggestions_left = 64usize;
    for container in template.containers() {
        // A `volumes` list written inside the container (wrong indentation) is the usual
        // cause; point at it.
        let misplaced = container.node.entry("volumes");
        for mount in container.volume_mounts() {
            let Some(name_node) = mount.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if name.is_empty() || known.contains(name) {
                continue;
            }
            let why = if names.is_empty() {
                format!("the pod declares no volumes in `{spec_path}.volumes`")
            } else {
                format!("`{spec_path}.volumes` has no volume named `{name}`")
            };
            let mut d = ctx
                .diag(
                    obj,
                    name_node.span,
                    format!(
                        "{} mounts volume `{name}`, but {why}",
                        container.describe()
                    ),
                )
                .with_primary_label("no such volume");
            if let Some(entry) = misplaced {
                d = d
                    .with_label(
                        obj.file,
                        entry.key.span,
                        "this `volumes` list is inside the container, where Kubernetes ignores it",
                    )
                    .with_help(format!(
                        "move `volumes` out of the container to `{spec_path}.volumes` (the same indentation as `containers`)"
                    ));
            } else if let Some(suggestion) = suggest(name, &names, &mut suggestions_left) {
                let decl = declared
                    .iter()
                    .find(|(n, _)| *n == suggestion)
                    .map(|(_, node)| node.span);
                if let Some(span) = decl {
                    d = d.with_label(obj.file, span, format!("volume `{suggestion}` is declared here"));
                }
                d = d.with_help(format!("did you mean `{suggestion}`?"));
            } else {
                d = d.with_help(format!(
                    "declare the volume in `{spec_path}.volumes` (for example `- name: {name}` with `emptyDir: {{}}`), or fix the mount's name; the API server rejects the pod (`volumeMounts[].name: Not found`)"
                ));
            }
            ctx.push(d);
        }
    }
}

/// A declared volume name close to `name`, while the object's suggestion budget lasts.
fn suggest<'a>(name: &str, names: &[&'a str], budget: &mut usize) -> Option<&'a str> {
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    did_you_mean(name, names).or_else(|| {
        // `ca` for `ca-certs`: a declared name that is part of the mount's name.
        names
            .iter()
            .copied()
            .find(|n| n.len() >= 2 && (name.starts_with(n) || n.starts_with(name)))
    })
}
