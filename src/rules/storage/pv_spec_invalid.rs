//! `pv-spec-invalid`: `ValidatePersistentVolumeSpec` (pkg/apis/core/validation), after
//! `SetDefaults_PersistentVolume` (reclaim policy `Retain`, volume mode `Filesystem`).

use crate::diagnostics::Severity;
use crate::model::names::{did_you_mean, dns1123_subdomain};
use crate::model::{quantity, Object};
use crate::rules::api::{enum_value, judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pv-spec-invalid",
    severity: Severity::Error,
    category: Category::Storage,
    summary: "A PersistentVolume without capacity, access modes or exactly one volume source, or a local volume without nodeAffinity",
    fix: false,
    doc: include_str!("../../../rules/pv-spec-invalid.md"),
    check: Check::Object(check),
};

const ACCESS_MODES: &[&str] = &["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

/// The volume sources of `PersistentVolumeSource`.
const SOURCES: &[&str] = &[
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "hostPath",
    "glusterfs",
    "nfs",
    "rbd",
    "quobyte",
    "cephfs",
    "iscsi",
    "cinder",
    "fc",
    "flocker",
    "flexVolume",
    "azureFile",
    "vsphereVolume",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "local",
    "storageos",
    "csi",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "PersistentVolume" || obj.group() != "" {
        return;
    }
    let Some(spec) = obj.spec().filter(|s| s.is_map()) else {
        return;
    };
    access_modes(ctx, obj, spec);
    capacity(ctx, obj, spec);
    enum_value(ctx, obj, spec, "persistentVolumeReclaimPolicy", &["Retain", "Recycle", "Delete"]);
    enum_value(ctx, obj, spec, "volumeMode", &["Filesystem", "Block"]);
    if let Some(class) = spec.get("storageClassName") {
        if let Some(v) = judged_str(class) {
            let errs = dns1123_subdomain(v);
            if !errs.is_empty() {
                reject(ctx, obj, class, format!("`storageClassName: {v}` {}", errs.join("; ")), "Invalid value: a lowercase RFC 1123 subdomain", "use the name of a StorageClass");
            }
        }
    }
    let sources: Vec<_> = spec
        .entries()
        .iter()
        .filter(|e| e.key.key_text().is_some_and(|k| SOURCES.contains(&k)) && !e.value.is_null())
        .collect();
    match sources.as_slice() {
        [] => reject(
            ctx,
            obj,
            spec,
            "the PersistentVolume has no volume source".into(),
            "Required value: must specify a volume type",
            "add the storage it stands for, e.g. `csi`, `nfs`, `hostPath` or `local`",
        ),
        [_] => {}
        [first, second, ..] => reject_pair(
            ctx,
            obj,
            &second.key,
            first.key.span,
            "the first volume source".into(),
            format!(
                "the PersistentVolume sets several volume sources (`{}` and `{}`)",
                first.key.key_text().unwrap_or(""),
                second.key.key_text().unwrap_or("")
            ),
            "Forbidden: may not specify more than 1 volume type",
            "a PersistentVolume is one piece of storage: keep one source",
        ),
    }
    if let Some(local) = spec.entry("local").filter(|e| !e.value.is_null()) {
        if spec.get("nodeAffinity").is_none_or(Node::is_null) {
            reject(
                ctx,
                obj,
                &local.key,
                "a `local` PersistentVolume has no `nodeAffinity`".into(),
                "Required value: Local volume requires node affinity",
                "add `nodeAffinity.required` selecting the node whose disk this is",
            );
        }
    }
}

fn access_modes(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let modes = spec.get("accessModes");
    match modes {
        Some(m) if !m.items().is_empty() => {
            for mode in m.items() {
                if let Some(v) = judged_str(mode).filter(|v| !ACCESS_MODES.contains(v)) {
                    let hint = did_you_mean(v, ACCESS_MODES).map_or_else(
                        || "use `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` or `ReadWriteOncePod`".to_string(),
                        |s| format!("did you mean `{s}`? (values are case-sensitive)"),
                    );
                    reject(ctx, obj, mode, format!("`{v}` is not an access mode"), &format!("Unsupported value: \"{v}\""), &hint);
                }
            }
            let once_pod = m.items().iter().find(|n| n.as_str() == Some("ReadWriteOncePod"));
            if let (Some(op), true) = (once_pod, m.items().len() > 1) {
                reject(ctx, obj, op, "`ReadWriteOncePod` is listed with other access modes".into(), "Forbidden: may not use ReadWriteOncePod with other access modes", "`ReadWriteOncePod` must be the only access mode");
            }
        }
        Some(m) if !m.is_seq() && !m.is_null() => {}
        _ => reject(
            ctx,
            obj,
            modes.unwrap_or(spec),
            "the PersistentVolume has no `accessModes`".into(),
            "Required value",
            "add e.g. `accessModes: [ReadWriteOnce]`",
        ),
    }
}

fn capacity(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let cap = spec.get("capacity");
    let Some(cap) = cap.filter(|c| c.is_map() && !c.entries().is_empty()) else {
        if cap.is_none_or(|c| c.is_null() || c.is_map()) {
            reject(
                ctx,
                obj,
                cap.unwrap_or(spec),
                "the PersistentVolume has no `capacity`".into(),
                "Required value",
                "add `capacity: {storage: 10Gi}` with the volume's size",
            );
        }
        return;
    };
    for e in cap.entries() {
        let k = e.key.key_text().unwrap_or("");
        if k != "storage" {
            reject(
                ctx,
                obj,
                &e.key,
                format!("`capacity.{k}` is not a PersistentVolume resource"),
                &format!("Unsupported value: \"{k}\": supported values: \"storage\""),
                "a PersistentVolume's capacity has only `storage`",
            );
        } else if let Some(Ok(q)) = quantity::from_node(&e.value) {
            if q.value <= 0.0 {
                reject(ctx, obj, &e.value, format!("`capacity.storage: {}` is not positive", e.value.text().unwrap_or("")), "Invalid value: must be greater than zero", "give the volume's real size, e.g. `10Gi`");
            }
        }
    }
    if cap.get("storage").is_none() {
        reject(ctx, obj, cap, "the PersistentVolume's `capacity` has no `storage`".into(), "Unsupported value: supported values: \"storage\"", "add `storage: <size>`");
    }
}
