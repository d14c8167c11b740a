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
    legacy_sources(ctx, obj, spec);
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

/// The in-tree block and file sources still validated on create: iSCSI (`targetPortal`, an
/// `iqn.`/`eui.`/`naa.` IQN, `lun` 0-255, a `secretRef` with CHAP), Fibre Channel
/// (`targetWWNs` or `wwids`, a `lun` 0-255 with WWNs), RBD and CephFS monitors, the
/// `partition` of GCE and AWS disks, FlexVolume options outside `kubernetes.io` and its
/// subdomains.
fn legacy_sources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    if let Some(iscsi) = spec.get("iscsi").filter(|n| n.is_map()) {
        required_str(ctx, obj, iscsi, "targetPortal", "iscsi");
        if let Some(iqn) = required_str(ctx, obj, iscsi, "iqn", "iscsi") {
            if !valid_iqn(iqn) {
                if let Some(n) = iscsi.get("iqn") {
                    reject(ctx, obj, n, format!("`iqn: {iqn}` is not an iSCSI qualified name"), "Invalid value: must be valid format starting with iqn, eui, or naa", "write e.g. `iqn.2001-04.com.example:storage.disk1`, `eui.02004567A425678D` or `naa.` and 32 hex digits");
                }
            }
        }
        lun(ctx, obj, iscsi.get("lun"));
        let chap = ["chapAuthDiscovery", "chapAuthSession"]
            .iter()
            .find_map(|k| iscsi.get(k).filter(|n| n.as_bool() == Some(true)));
        if let (Some(c), None) = (chap, iscsi.get("secretRef").filter(|n| !n.is_null())) {
            reject(ctx, obj, c, "CHAP authentication is on but the iSCSI source has no `secretRef`".into(), "Required value: iscsi secret ref required when CHAP auth enabled", "add `secretRef` naming the Secret with the CHAP credentials");
        }
    }
    if let Some(fc) = spec.get("fc").filter(|n| n.is_map()) {
        let wwns = fc.get("targetWWNs").filter(|n| !n.items().is_empty());
        let wwids = fc.get("wwids").filter(|n| !n.items().is_empty());
        match (wwns, wwids) {
            (None, None) if fc.get("targetWWNs").is_none_or(|n| n.is_seq() || n.is_null()) && fc.get("wwids").is_none_or(|n| n.is_seq() || n.is_null()) => {
                reject(ctx, obj, fc, "the Fibre Channel source has neither `targetWWNs` nor `wwids`".into(), "Required value: must specify either targetWWNs or wwids, but not both", "list the target WWNs (with `lun`) or the volume's WWIDs");
            }
            (Some(a), Some(b)) => reject_pair(ctx, obj, a, b.span, "`wwids` is set here".into(), "the Fibre Channel source sets both `targetWWNs` and `wwids`".into(), "Invalid value: targetWWNs and wwids can not be specified simultaneously", "keep one of them"),
            (Some(a), None) => match fc.get("lun").filter(|n| !n.is_null()) {
                None => reject(ctx, obj, a, "the Fibre Channel source lists `targetWWNs` without a `lun`".into(), "Required value: lun is required if targetWWNs is specified", "add the `lun` of the volume"),
                Some(l) => lun(ctx, obj, Some(l)),
            },
            _ => {}
        }
    }
    for source in ["rbd", "cephfs"] {
        let Some(src) = spec.get(source).filter(|n| n.is_map()) else { continue };
        if let Some(m) = src.get("monitors").filter(|m| m.is_seq() && m.items().is_empty()) {
            reject(ctx, obj, m, format!("the `{source}` source lists no monitors"), "Required value", "list the Ceph monitors, e.g. `[10.0.0.1:6789]`");
        }
        if source == "rbd" {
            required_str(ctx, obj, src, "image", "rbd");
        }
    }
    for source in ["gcePersistentDisk", "awsElasticBlockStore"] {
        let Some(src) = spec.get(source).filter(|n| n.is_map()) else { continue };
        if let Some(p) = src.get("partition") {
            if let Some(v) = p.as_i64().filter(|v| !(0..=255).contains(v)) {
                reject(ctx, obj, p, format!("`partition: {v}` is outside 0-255"), "Invalid value: must be between 0 and 255, inclusive", "give the partition number, or 0 for the whole disk");
            }
        }
    }
    if let Some(flex) = spec.get("flexVolume").filter(|n| n.is_map()) {
        required_str(ctx, obj, flex, "driver", "flexVolume");
        for e in flex.get("options").map(Node::entries).unwrap_or_default() {
            let Some(k) = e.key.key_text() else { continue };
            let domain = k.split_once('/').map_or(k, |(d, _)| d);
            if format!(".{}", domain.to_ascii_lowercase()).ends_with(".kubernetes.io") {
                reject(ctx, obj, &e.key, format!("the FlexVolume option `{k}` uses the reserved `{domain}` prefix"), "Invalid value: kubernetes.io and subdomains are reserved for system options", "rename the option without a `kubernetes.io` prefix");
            }
        }
    }
}

fn lun(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: Option<&Node>) {
    let Some(n) = node else { return };
    if let Some(v) = n.as_i64().filter(|v| !(0..=255).contains(v)) {
        reject(ctx, obj, n, format!("`lun: {v}` is outside 0-255"), "Invalid value: must be between 0 and 255, inclusive", "give the volume's logical unit number, 0 to 255");
    }
}

/// The IQN forms `validateISCSIPersistentVolumeSource` accepts: `iqn.yyyy-mm.<name>:<id>`
/// (its pattern is anchored at the end only), `eui.` and 16, or `naa.` and 32 alphanumerics.
/// The `:<id>` part is taken as optional here, so a doubtful IQN is never reported.
fn valid_iqn(iqn: &str) -> bool {
    let alnum = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_alphanumeric());
    if let Some(rest) = iqn.strip_prefix("eui") {
        return rest.chars().next().is_some() && alnum(&rest[rest.chars().next().map_or(0, char::len_utf8)..], 16);
    }
    if let Some(rest) = iqn.strip_prefix("naa") {
        return rest.chars().next().is_some() && alnum(&rest[rest.chars().next().map_or(0, char::len_utf8)..], 32);
    }
    if !iqn.starts_with("iqn") {
        return false;
    }
    // Somewhere `iqn.dddd-dd.<name>` then optionally `:<id>` to the end.
    iqn.match_indices("iqn.").any(|(i, _)| {
        let s = &iqn[i + 4..];
        let b = s.as_bytes();
        if b.len() < 9
            || !b[..4].iter().all(u8::is_ascii_digit)
            || b[4] != b'-'
            || !b[5..7].iter().all(u8::is_ascii_digit)
            || b[7] != b'.'
        {
            return false;
        }
        let tail = &s[8..];
        let (name, id) = match tail.find(':') {
            Some(j) => (&tail[..j], Some(&tail[j + 1..])),
            None => (tail, None),
        };
        let name_ok = !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let id_ok = id.is_none_or(|id| {
            !id.is_empty() && !id.chars().any(|c| ",;*&$|".contains(c) || c.is_whitespace())
        });
        name_ok && id_ok
    })
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
    // As `validatePathNoBacksteps` splits it on a Linux API server: at `/` only.
    if path.split('/').any(|seg| seg == "..") {
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
    use super::{clean_is_root, valid_iqn};

    #[test]
    fn iscsi_qualified_names() {
        for ok in [
            "iqn.2001-04.com.example:storage.disk1",
            "iqn.2015-02.example.com:test",
            "iqn.2001-04.com.example",
            "eui.02004567A425678D",
            "naa.60014055f78ee4bd8b4e4d4c8fc2a8b5",
        ] {
            assert!(valid_iqn(ok), "{ok}");
        }
        for bad in ["iqn.2001-04", "iqn.01-04.com.example", "example.com", "eui.123", "iqn.2001-04.com.ex ample"] {
            assert!(!valid_iqn(bad), "{bad}");
        }
    }

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
