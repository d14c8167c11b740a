//! `pod-security-restricted-volumes`: Pod Security `restricted` allows only the volume
//! types that need no host or node access (admission check `restrictedVolumes`, v1.0).

use super::policy::{self, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::fields::volume_sources;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-restricted-volumes",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes",
    fix: false,
    doc: include_str!("../../../rules/pod-security-restricted-volumes.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "restrictedVolumes",
    title: "restricted volume types",
    level: Level::Restricted,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes; reach other storage through a PersistentVolumeClaim",
};

/// The volume sources `restrictedVolumes` accepts (`image` since Kubernetes 1.33, at every
/// policy version).
pub const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    pod.template
        .volumes()
        .filter_map(|v| {
            let sources = volume_sources(v);
            if sources
                .iter()
                .any(|e| e.key.key_text().is_some_and(|k| ALLOWED.contains(&k)))
            {
                return None;
            }
            // A volume with no source at all is defaulted to an emptyDir before admission.
            let e = sources.first()?;
            let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
            Some(Violation::new(
                e.key.span,
                format!(
                    "volume `{name}` is a `{}` volume",
                    e.key.key_text().unwrap_or("?")
                ),
            ))
        })
        .collect()
}
