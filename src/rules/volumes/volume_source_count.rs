//! `volume-source-count`: a volume sets several volume types (an error), or names one with no
//! value, which defaulting turns into an emptyDir (a warning).

use crate::diagnostics::Severity;
use crate::model::fields::volume_sources;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "volume-source-count",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A volume sets more than one volume type, or one with no value (which becomes an emptyDir)",
    fix: false,
    doc: include_str!("../../../rules/volume-source-count.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for volume in template.volumes() {
        if !volume.is_map() {
            continue;
        }
        let name = volume.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        let anchor = volume.entry("name").map_or(volume.span, |e| e.key.span);
        let sources = volume_sources(volume);
        match sources.as_slice() {
            [] => {
                // `SetDefaults_Volume` turns a volume with no type into an `emptyDir`, so none
                // is valid. A type key written with no value (`configMap:`) decodes to "not
                // set" and gets the same emptyDir: accepted, but not the volume the author
                // asked for. `emptyDir:` itself is exactly what the default gives.
                let Some(null_source) = volume.entries().iter().find(|e| {
                    e.key.key_text().is_some_and(|k| {
                        k != "emptyDir" && crate::model::fields::VOLUME_SOURCES.contains(&k)
                    }) && e.value.is_null()
                }) else {
                    continue;
                };
                let key = null_source.key.key_text().unwrap_or_default();
                let mut d = ctx
                    .diag(
                        obj,
                        null_source.key.span,
                        format!(
                            "volume `{name}` has `{key}:` with no value, so Kubernetes sees no \
                             volume type and makes it an empty `emptyDir`"
                        ),
                    )
                    .with_primary_label("null, not a map")
                    .with_label(obj.file, anchor, "this volume")
                    .with_help(format!(
                        "give `{key}` its fields (for example `{key}: {{name: ...}}`); \
                         as written the pod starts with an empty directory instead"
                    ));
                d.severity = Severity::Warning;
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
