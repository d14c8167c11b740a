//! `duplicate-mount-path`: a container mounts two volumes at the same path.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "duplicate-mount-path",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A container has two volumeMounts with the same mountPath",
    fix: false,
    doc: include_str!("../../../rules/duplicate-mount-path.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for container in template.containers() {
        // Per `volumeMounts` list: the API server sees only one of duplicated keys.
        for entry in container
            .node
            .entries()
            .iter()
            .filter(|e| e.key.key_text() == Some("volumeMounts"))
        {
            let mut seen: HashMap<&str, crate::yaml::Span> = HashMap::new();
            for mount in entry.value.items() {
                let Some(path_node) = mount.get("mountPath") else {
                    continue;
                };
                let Some(path) = path_node.as_str() else {
                    continue;
                };
                if path.is_empty() {
                    continue;
                }
                if let Some(first) = seen.get(path) {
                    let d = ctx
                        .diag(
                            obj,
                            path_node.span,
                            format!(
                                "{} mounts two volumes at `{path}`",
                                container.describe()
                            ),
                        )
                        .with_primary_label("same mountPath again")
                        .with_label(obj.file, *first, "first mounted here")
                        .with_help(
                            "the API server rejects the pod (`volumeMounts[1].mountPath: Invalid value: must be unique`); mount the second volume elsewhere, or use `subPath` to place single files under one directory",
                        );
                    ctx.push(d);
                } else {
                    seen.insert(path, path_node.span);
                }
            }
        }
    }
}
