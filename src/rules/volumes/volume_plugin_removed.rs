//! `volume-plugin-removed`: a pod volume or a PersistentVolume of an in-tree volume type
//! whose plugin Kubernetes removed (the API server's pod warnings, pkg/api/pod/warnings.go:
//! "deprecated in v1.X, non-functional in v1.Y+").

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::api::target_minor;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Entry;

pub static RULE: Rule = Rule {
    id: "volume-plugin-removed",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A volume of an in-tree type whose plugin Kubernetes removed (cephfs, rbd, glusterfs, quobyte, storageos, flocker, scaleIO, photonPersistentDisk): the kubelet cannot mount it",
    fix: false,
    doc: include_str!("../../../rules/volume-plugin-removed.md"),
    check: Check::Object(check),
};

/// The volume type, the minor release that deprecated it and the one from which it is
/// non-functional, as the API server's warnings state them.
const REMOVED: &[(&str, u32, u32)] = &[
    ("photonPersistentDisk", 11, 16),
    ("scaleIO", 16, 22),
    ("flocker", 22, 25),
    ("storageos", 22, 25),
    ("quobyte", 22, 25),
    ("glusterfs", 25, 26),
    ("cephfs", 28, 31),
    ("rbd", 28, 31),
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !crate::model::is_builtin_group(obj.group()) {
        return;
    }
    let sources: Vec<(&Entry, String)> = if obj.kind == "PersistentVolume" && obj.group().is_empty() {
        obj.spec()
            .map(|s| s.entries().iter().map(|e| (e, "this PersistentVolume".to_string())).collect())
            .unwrap_or_default()
    } else if let Some(t) = PodTemplate::of(obj) {
        t.volumes()
            .flat_map(|v| {
                let name = v.get("name").and_then(|n| n.as_str()).unwrap_or("?").to_string();
                v.entries().iter().map(move |e| (e, format!("volume `{name}`")))
            })
            .collect()
    } else {
        return;
    };
    // No target version: the newest release, where every one of them is gone.
    let minor = target_minor(ctx).unwrap_or(u32::MAX);
    for (entry, what) in sources {
        let Some(key) = entry.key.key_text() else { continue };
        let Some(&(_, deprecated, removed)) = REMOVED.iter().find(|(k, ..)| *k == key) else {
            continue;
        };
        if entry.value.is_null() || minor < deprecated {
            continue;
        }
        let gone = minor >= removed;
        let message = if gone {
            format!("{what} is of type `{key}`, whose in-tree plugin is gone since Kubernetes 1.{removed}: the kubelet cannot mount it")
        } else {
            format!("{what} is of type `{key}`, deprecated since Kubernetes 1.{deprecated} and gone from 1.{removed}")
        };
        let mut d = ctx
            .diag(obj, entry.key.span, message)
            .with_primary_label(if gone { "no plugin for this type" } else { "deprecated type" })
            .with_help(format!(
                "use the storage's CSI driver (a `csi` volume, or a PersistentVolumeClaim of a StorageClass with that provisioner); the API server warns `{key}: deprecated in v1.{deprecated}, non-functional in v1.{removed}+`{}",
                if gone { ", and a pod using it stays in ContainerCreating" } else { "" }
            ));
        if !gone {
            d.severity = Severity::Warning;
        }
        ctx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Severity;
    use crate::{check_text, Options};

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n  volumes:\n  - name: v\n    cephfs:\n      monitors: [\"10.0.0.1:6789\"]\n";

    /// The severity of the finding when targeting `version`, if any.
    fn at(version: Option<&str>) -> Option<Severity> {
        let mut opts = Options::default();
        opts.config.kubernetes_version = version.map(str::to_string);
        opts.config.only.insert(super::RULE.id.to_string());
        let report = check_text("pod.yaml", POD, &opts);
        let found: Vec<_> = report.diagnostics.iter().filter(|d| d.rule == super::RULE.id).collect();
        assert!(found.len() <= 1, "{found:?}");
        found.first().map(|d| d.severity)
    }

    #[test]
    fn follows_the_target_release() {
        assert_eq!(at(Some("1.27")), None, "before its deprecation");
        assert_eq!(at(Some("1.28")), Some(Severity::Warning), "deprecated");
        assert_eq!(at(Some("1.30")), Some(Severity::Warning), "deprecated");
        assert_eq!(at(Some("1.31")), Some(Severity::Error), "non-functional");
        assert_eq!(at(None), Some(Severity::Error), "the newest release");
    }
}
