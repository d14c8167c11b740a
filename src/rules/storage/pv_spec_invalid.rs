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
    sources_fields(ctx, obj, spec);
    node_affinity(ctx, obj, spec);
    mount_options_annotation(ctx, obj, spec);
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

/// `pkg/volume/validation` `checkMountOption`: the deprecated mount-options annotation only
/// on the sources whose plugins took mount options (not `csi`, `local`, `hostPath`, ...;
/// `spec.mountOptions` itself is not checked).
fn mount_options_annotation(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    const WITH_MOUNT_OPTIONS: &[&str] = &[
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "glusterfs",
        "nfs",
        "rbd",
        "quobyte",
        "iscsi",
        "cinder",
        "cephfs",
        "azureFile",
        "vsphereVolume",
        "azureDisk",
        "photonPersistentDisk",
    ];
    let Some(ann) = obj
        .root
        .get_path(&["metadata", "annotations"])
        .and_then(|a| a.entry("volume.beta.kubernetes.io/mount-options"))
    else {
        return;
    };
    let supported = WITH_MOUNT_OPTIONS
        .iter()
        .any(|k| spec.get(k).is_some_and(|n| !n.is_null()));
    if supported {
        return;
    }
    let source = spec
        .entries()
        .iter()
        .find(|e| e.key.key_text().is_some_and(|k| SOURCES.contains(&k)) && !e.value.is_null());
    let Some(source) = source else { return };
    let name = source.key.key_text().unwrap_or_default();
    reject_pair(
        ctx,
        obj,
        &ann.key,
        source.key.span,
        format!("the volume source is `{name}`"),
        format!("the mount-options annotation is set on a `{name}` PersistentVolume, whose plugin takes no mount options"),
        "Forbidden: may not specify mount options for this volume type",
        "remove the annotation; for a CSI volume put the options in `spec.mountOptions`",
    );
}

/// `validateVolumeNodeAffinity`: `required` with at least one node selector term, each
/// term checked as pods' required node affinity is.
fn node_affinity(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(na) = spec.get("nodeAffinity").filter(|n| n.is_map()) else {
        return;
    };
    let Some(req) = na.get("required").filter(|n| !n.is_null()) else {
        reject(
            ctx,
            obj,
            na,
            "the PersistentVolume's `nodeAffinity` has no `required` terms".into(),
            "Required value: must specify required node constraints",
            "add `required.nodeSelectorTerms` selecting the nodes that can reach the volume",
        );
        return;
    };
    if !req.is_map() {
        return;
    }
    let terms = req.get("nodeSelectorTerms");
    if terms.is_none_or(|t| t.is_null() || (t.is_seq() && t.items().is_empty())) {
        reject(
            ctx,
            obj,
            terms.unwrap_or(req),
            "the PersistentVolume's `nodeAffinity.required` has no node selector terms".into(),
            "Required value: must have at least one node selector term",
            "add a term, e.g. `matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]`",
        );
        return;
    }
    for term in terms.map(Node::items).unwrap_or_default() {
        crate::rules::scheduling::node_affinity_invalid::check_term(ctx, obj, term, true);
    }
}

/// The fields of the common volume sources: `hostPath` (path, no `..`, not `/` with
/// `Recycle`), `nfs` (server, absolute path), `local` (path, no `..`), `csi` (driver name,
/// volume handle).
fn sources_fields(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    if let Some(hp) = spec.get("hostPath").filter(|n| n.is_map()) {
        if let Some(path) = required_str(ctx, obj, hp, "path", "hostPath") {
            no_backsteps(ctx, obj, hp, path);
            let recycle = spec
                .get("persistentVolumeReclaimPolicy")
                .filter(|n| n.as_str() == Some("Recycle"));
            if let (Some(r), true) = (recycle, clean_is_root(path)) {
                let p = hp.get("path").map_or(hp.span, |n| n.span);
                reject_pair(
                    ctx,
                    obj,
                    r,
                    p,
                    "the host path is `/`".into(),
                    "`persistentVolumeReclaimPolicy: Recycle` on a hostPath volume of `/`".into(),
                    "Forbidden: may not be 'recycle' for a hostPath mount of '/'",
                    "recycling scrubs the volume's files: never on the node's root; use `Retain`",
                );
            }
        }
    }
    if let Some(nfs) = spec.get("nfs").filter(|n| n.is_map()) {
        required_str(ctx, obj, nfs, "server", "nfs");
        if let Some(path) = required_str(ctx, obj, nfs, "path", "nfs") {
            if !path.starts_with('/') {
                if let Some(n) = nfs.get("path") {
                    reject(ctx, obj, n, format!("the NFS path `{path}` is not absolute"), "Invalid value: must be an absolute path", "write the export's absolute path, e.g. `/exports/data`");
                }
            }
        }
    }
    if let Some(local) = spec.get("local").filter(|n| n.is_map()) {
        if let Some(path) = required_str(ctx, obj, local, "path", "local") {
            no_backsteps(ctx, obj, local, path);
        }
    }
    if let Some(csi) = spec.get("csi").filter(|n| n.is_map()) {
        if let Some(driver) = required_str(ctx, obj, csi, "driver", "csi") {
            let mut errs = dns1123_subdomain(&driver.to_ascii_lowercase());
            if driver.len() > 63 {
                errs.push(format!("is {} characters long, more than 63", driver.len()));
            }
            if let (false, Some(n)) = (errs.is_empty(), csi.get("driver")) {
                reject(ctx, obj, n, format!("the CSI driver name `{driver}` is invalid: {}", errs.join("; ")), "Invalid value: a DNS-1123 subdomain of at most 63 characters", "use the driver's registered name, e.g. `ebs.csi.aws.com`");
            }
        }
        required_str(ctx, obj, csi, "volumeHandle", "csi");
    }
}

/// `map.key` as a judged string; reports it when present but empty (absence is the schema's).
fn required_str<'n>(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    map: &'n Node,
    key: &str,
    source: &str,
) -> Option<&'n str> {
    let node = map.get(key)?;
    let v = node.as_str()?;
    if v.is_empty() {
        reject(
            ctx,
            obj,
            node,
            format!("`{source}.{key}` is empty"),
            "Required value",
            &format!("set `{key}`"),
        );
        return None;
    }
    judged_str(node)
}

fn no_backsteps(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, path: &str) {
    if path.split(['/', '\\']).any(|seg| seg == "..") {
        if let Some(n) = map.get("path") {
            reject(ctx, obj, n, format!("the path `{path}` contains `..`"), "Invalid value: must not contain '..'", "write the path without `..` segments");
        }
    }
}

/// Whether `path.Clean(p)` is `/`.
fn clean_is_root(p: &str) -> bool {
    if !p.starts_with('/') {
        return false;
    }
    let mut depth = 0usize;
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => depth = depth.saturating_sub(1),
            _ => depth += 1,
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::clean_is_root;

    #[test]
    fn paths_that_clean_to_the_root() {
        for p in ["/", "//", "/.", "/data/..", "/../"] {
            assert!(clean_is_root(p), "{p}");
        }
        for p in ["/data", "data", "", "/data/../x"] {
            assert!(!clean_is_root(p), "{p}");
        }
    }
}
