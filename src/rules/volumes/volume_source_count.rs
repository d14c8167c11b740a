//! `volume-source-count`: a volume sets no volume type, or several.

use crate::diagnostics::Severity;
use crate::model::fields::{pod_spec_path, volume_sources};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "volume-source-count",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A volume sets no volume type (emptyDir, configMap, ...) or more than one",
    fix: false,
    doc: include_str!("../../../rules/volume-source-count.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let path = pod_spec_path(obj.kind);
    for volume in template.volumes() {
        if !volume.is_map() {
            continue;
        }
        let name = volume.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        let anchor = volume.entry("name").map_or(volume.span, |e| e.key.span);
        let sources = volume_sources(volume);
        match sources.as_slice() {
            [] => {
                // `emptyDir:` with no value decodes to null: no source at all.
                let null_source = volume.entries().iter().find(|e| {
                    e.key.key_text().is_some_and(|k| crate::model::fields::VOLUME_SOURCES.contains(&k))
                        && e.value.is_null()
                });
                // Only unknown keys: the schema reports them; stay silent unless the shape
                // is otherwise plain.
                let unknown = volume.entries().iter().any(|e| {
                    e.key.key_text().is_some_and(|k| k != "name" && !crate::model::fields::VOLUME_SOURCES.contains(&k))
                });
                if unknown && null_source.is_none() {
                    continue;
                }
                let mut d = match null_source {
                    Some(e) => {
                        let key = e.key.key_text().unwrap_or_default();
                        ctx.diag(
                            obj,
                            e.key.span,
                            format!("volume `{name}` has `{key}:` with no value, which Kubernetes reads as no volume type at all"),
                        )
                        .with_primary_label("null, not an empty map")
                        .with_help(format!("write `{key}: {{}}`; the API server rejects a volume without a type (`must specify a volume type`)"))
                    }
                    None => ctx
                        .diag(
                            obj,
                            anchor,
                            format!("volume `{name}` in `{path}.volumes` has no volume type"),
                        )
                        .with_primary_label("no emptyDir, configMap, secret, persistentVolumeClaim, ...")
                        .with_help("add exactly one source, for example `emptyDir: {}`; the API server rejects the pod (`must specify a volume type`)"),
                };
                if null_source.is_some() {
                    d = d.with_label(obj.file, anchor, "this volume");
                }
                ctx.push(d);
            }
            [_] => {}
            [first, rest @ ..] => {
                let keys: Vec<String> = sources
                    .iter()
                    .map(|e| format!("`{}`", e.key.key_text().unwrap_or_default()))
                    .collect();
                let mut d = ctx
                    .diag(
                        obj,
                        rest[0].key.span,
                        format!("volume `{name}` sets {} volume types: {}", keys.len(), keys.join(", ")),
                    )
                    .with_primary_label("second volume type")
                    .with_label(obj.file, first.key.span, "first volume type")
                    .with_help("a volume has exactly one source (`may not specify more than 1 volume type`); split it into separate volumes, or use a `projected` volume to combine configMaps, secrets and downward API files");
                for e in &rest[1..] {
                    d = d.with_label(obj.file, e.key.span, "another volume type");
                }
                ctx.push(d);
            }
        }
    }
}
