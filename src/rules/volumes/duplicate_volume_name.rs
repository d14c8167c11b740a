//! `duplicate-volume-name`: two volumes of a pod share a name.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::fields::pod_spec_path;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "duplicate-volume-name",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "Two volumes of a pod have the same name",
    fix: false,
    doc: include_str!("../../../rules/duplicate-volume-name.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let Some(spec) = template.spec else {
        return;
    };
    let path = pod_spec_path(obj.kind);
    // Each `volumes` list on its own: a duplicated `volumes` key is the loader's finding.
    for entry in spec.entries().iter().filter(|e| e.key.key_text() == Some("volumes")) {
        let mut seen: HashMap<&str, crate::yaml::Span> = HashMap::new();
        for volume in entry.value.items() {
            let Some(name_node) = volume.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if let Some(first) = seen.get(name) {
                let d = ctx
                    .diag(
                        obj,
                        name_node.span,
                        format!("volume name `{name}` is used twice in `{path}.volumes`"),
                    )
                    .with_primary_label("duplicate name")
                    .with_label(obj.file, *first, "first declared here")
                    .with_help(
                        "the API server rejects the pod (`volumes[1].name: Duplicate value`); rename one volume and update the mounts that should use it",
                    );
                ctx.push(d);
            } else {
                seen.insert(name, name_node.span);
            }
        }
    }
}
