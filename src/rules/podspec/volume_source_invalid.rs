//! `volume-source-invalid`: volumes the API server rejects for their own fields
//! (`ValidateVolumes`, `validateKeyToPath`, `validateDownwardAPIVolumeFile`,
//! `validateProjectionSources`): a volume name that is not a DNS label, a file `mode` or
//! `defaultMode` outside 0-0777, an item `path` that is absolute or climbs out with `..`, a
//! downwardAPI field a file cannot hold, a service account token shorter than ten minutes,
//! two sources of a projected volume on one path.

use crate::diagnostics::Severity;
use crate::model::names::dns1123_label;
use crate::model::{Object, PodTemplate};
use crate::rules::podspec::env_var_invalid::{divisor, field_ref_api_version};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "volume-source-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "A volume the API server rejects: a name that is not a DNS label, a file mode outside 0-0777 (often decimal 644 for octal 0644), an item path that is absolute or contains `..`, a downwardAPI field a file cannot hold, a token shorter than 10 minutes, two projections in one source, two projected files on one path",
    fix: false,
    doc: include_str!("../../../rules/volume-source-invalid.md"),
    check: Check::Object(check),
};

/// 0777: the largest file mode the API server accepts.
const MAX_MODE: i64 = 0o777;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    for v in t.volumes() {
        let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
        if let Some(n) = v.get("name") {
            if let Some(problem) = n.as_str().filter(|s| !s.is_empty()).and_then(|s| dns1123_label(s).into_iter().next()) {
                let d = ctx
                    .diag(obj, n.span, format!("volume name `{name}` is not a valid DNS label"))
                    .with_primary_label("not an RFC 1123 label")
                    .with_help(format!("the API server rejects it (`volumes[..].name: Invalid value: \"{name}\": {problem}`); use lowercase letters, digits and '-'"));
                ctx.push(d);
            }
        }
        claim_sources(ctx, obj, v, name);
        for (source, files) in [
            ("secret", "items"),
            ("configMap", "items"),
            ("downwardAPI", "items"),
            ("projected", ""),
        ] {
            let Some(src) = v.get(source).filter(|n| n.is_map()) else { continue };
            mode(ctx, obj, src, "defaultMode", name);
            if source == "projected" {
                duplicate_paths(ctx, obj, src, name);
                for p in src.get("sources").map(Node::items).unwrap_or_default() {
                    projection_count(ctx, obj, p, name);
                    if let Some(token) = p.get("serviceAccountToken").filter(|n| n.is_map()) {
                        token_expiry(ctx, obj, token, name);
                    }
                    for inner in ["secret", "configMap", "downwardAPI"] {
                        if let Some(s) = p.get(inner).filter(|n| n.is_map()) {
                            items(ctx, obj, s, name);
                        }
                    }
                }
            } else if !files.is_empty() {
                items(ctx, obj, src, name);
            }
        }
    }
}

/// Pod fields a downwardAPI volume file can hold (`validVolumeDownwardAPIFieldPathExpressions`);
/// `status.*` is for environment variables only.
const VOLUME_FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "metadata.annotations",
    "metadata.uid",
];

/// The projections a source may set. `clusterTrustBundle` and `podCertificate` are left
/// out: their feature gates (`ClusterTrustBundleProjection`, `PodCertificateRequest`) are
/// off by default through 1.35, and the API server drops both fields before it validates.
const PROJECTIONS: &[&str] = &["secret", "configMap", "downwardAPI", "serviceAccountToken"];

/// The file paths of a projected volume's sources: items of secrets, ConfigMaps and
/// downwardAPI (`validateProjectionSources` collects them in `allPaths`; a service account
/// token's `path` is not among them, and a clash with it is only a warning of the API
/// server's: `pod-spec-warning`; a clusterTrustBundle's is dropped before validation, see
/// [`PROJECTIONS`]).
pub(crate) fn projected_paths(projected: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for p in projected.get("sources").map(Node::items).unwrap_or_default() {
        for inner in ["secret", "configMap", "downwardAPI"] {
            let items = p.get(inner).and_then(|s| s.get("items"));
            out.extend(
                items
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|i| i.get("path"))
                    .filter(|n| n.as_str().is_some_and(|s| !s.is_empty())),
            );
        }
    }
    out
}

/// Two sources of one projected volume that write the same file.
fn duplicate_paths(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, projected: &Node, volume: &str) {
    let mut seen: std::collections::HashMap<&str, &Node> = std::collections::HashMap::new();
    for p in projected_paths(projected) {
        let Some(path) = p.as_str() else { continue };
        if let Some(first) = seen.get(path) {
            let d = ctx
                .diag(obj, p.span, format!("two sources of projected volume `{volume}` write the file `{path}`"))
                .with_primary_label("written again")
                .with_label(obj.file, first.span, "first written here")
                .with_help("the API server rejects it (`projected: Invalid value: ...: conflicting duplicate paths`); give each file its own `path`");
            ctx.push(d);
        } else {
            seen.insert(path, p);
        }
    }
}

/// Each entry of `projected.sources` projects one thing.
fn projection_count(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, p: &Node, volume: &str) {
    let set: Vec<_> = p
        .entries()
        .iter()
        .filter(|e| e.key.key_text().is_some_and(|k| PROJECTIONS.contains(&k)) && !e.value.is_null())
        .collect();
    if let [first, second, ..] = set.as_slice() {
        let d = ctx
            .diag(obj, second.key.span, format!("a source of projected volume `{volume}` sets both `{}` and `{}`", first.key.key_text().unwrap_or_default(), second.key.key_text().unwrap_or_default()))
            .with_primary_label("second projection")
            .with_label(obj.file, first.key.span, "first projection")
            .with_help("the API server rejects it (`sources[..]: Forbidden: may not specify more than 1 volume type per source`); give each its own `- ` entry under `sources`");
        ctx.push(d);
    }
}

fn token_expiry(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, token: &Node, volume: &str) {
    let Some(n) = token.get("expirationSeconds") else { return };
    let Some(v) = n.as_i64() else { return };
    let problem = if v < 600 {
        "may not specify a duration less than 10 minutes"
    } else if v > 1 << 32 {
        "may not specify a duration larger than 2^32 seconds"
    } else {
        return;
    };
    let d = ctx
        .diag(obj, n.span, format!("`expirationSeconds: {v}` of the serviceAccountToken in volume `{volume}` is out of range"))
        .with_primary_label(problem)
        .with_help(format!("the API server rejects it (`serviceAccountToken.expirationSeconds: Invalid value: {v}: {problem}`); use at least 600 (the kubelet refreshes the token before it expires)"));
    ctx.push(d);
}

fn volume_field_path(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, p: &Node, volume: &str) {
    let Some(path) = p.as_str() else { return };
    if path.is_empty() || VOLUME_FIELD_PATHS.contains(&path) {
        return;
    }
    let subscripted = ["metadata.labels[", "metadata.annotations["]
        .iter()
        .any(|b| path.starts_with(b) && path.ends_with(']'));
    if subscripted {
        return;
    }
    let env_only = path.starts_with("status.") || path.starts_with("spec.");
    let d = ctx
        .diag(obj, p.span, format!("`fieldPath: {path}` in downwardAPI volume `{volume}` is not a field a volume file can hold"))
        .with_primary_label("unsupported")
        .with_help(format!(
            "the API server rejects it (`fieldRef.fieldPath: Unsupported value: \"{path}\"`); a downwardAPI file can hold {}{}",
            VOLUME_FIELD_PATHS.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "),
            if env_only { "; read this field through an environment variable (`env[].valueFrom.fieldRef`) instead" } else { "" }
        ));
    ctx.push(d);
}

fn items(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, src: &Node, volume: &str) {
    for item in src.get("items").map(Node::items).unwrap_or_default() {
        mode(ctx, obj, item, "mode", volume);
        if let Some(fp) = item.get_path(&["fieldRef", "fieldPath"]) {
            volume_field_path(ctx, obj, fp, volume);
        }
        let whose = format!("an item of downwardAPI volume `{volume}`");
        if let Some(fr) = item.get("fieldRef").filter(|n| n.is_map()) {
            if let Some(d) = field_ref_api_version(ctx, obj, fr, &whose) {
                ctx.push(d);
            }
        }
        if let Some(rf) = item.entry("resourceFieldRef").filter(|e| e.value.is_map()) {
            resource_container(ctx, obj, rf, volume);
            if let Some(d) = divisor(ctx, obj, &rf.value, &whose) {
                ctx.push(d);
            }
        }
        let Some(p) = item.get("path") else { continue };
        let Some(path) = p.as_str() else { continue };
        let problem = if path.starts_with('/') {
            Some("must be a relative path")
        } else if path.split('/').any(|s| s == "..") {
            Some("must not contain '..'")
        } else if path.starts_with("..") {
            Some("must not start with '..'")
        } else {
            None
        };
        if let Some(problem) = problem {
            let d = ctx
                .diag(obj, p.span, format!("`path: {path}` of an item of volume `{volume}` {problem}"))
                .with_primary_label(problem)
                .with_help(format!("the API server rejects it (`items[..].path: Invalid value: \"{path}\": {problem}`); the path is a file name inside the volume, e.g. `{}`", path.trim_start_matches('/').replace("../", "")));
            ctx.push(d);
        }
    }
}

fn mode(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, key: &str, volume: &str) {
    let Some(n) = map.get(key) else { return };
    let Some(v) = n.as_i64() else { return };
    if (0..=MAX_MODE).contains(&v) {
        return;
    }
    let text = n.text().unwrap_or_default();
    // `644` written for `0644`: the digits are an octal mode read as a decimal number.
    let as_octal = i64::from_str_radix(text, 8)
        .ok()
        .filter(|m| (0..=MAX_MODE).contains(m));
    let help = if let Some(octal) = as_octal {
        format!("`{text}` is read as a decimal number ({v} = 0{v:o} octal); write the octal mode with a leading zero, `0{text}`, or its decimal value {octal}")
    } else {
        "use a mode between 0 and 0777 (octal, e.g. `0644`) or 0-511 in decimal".to_string()
    };
    let d = ctx
        .diag(obj, n.span, format!("`{key}: {text}` of volume `{volume}` is not a file mode"))
        .with_primary_label("must be between 0 and 0777 (octal)")
        .with_help(format!("the API server rejects it (`{key}: Invalid value: {v}: must be a number between 0 and 0777 (octal), both inclusive`); {help}"));
    ctx.push(d);
}

/// A volume file reads the resources of one container, which it must name: unlike an
/// environment variable there is no container to default to.
fn resource_container(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rf: &crate::yaml::Entry, volume: &str) {
    let name = rf.value.get("containerName");
    if name.is_some_and(|n| n.as_str().is_none_or(|s| !s.is_empty())) {
        return;
    }
    let span = name.map_or(rf.key.span, |n| n.span);
    let d = ctx
        .diag(obj, span, format!("the resourceFieldRef of an item of downwardAPI volume `{volume}` names no `containerName`"))
        .with_primary_label("`containerName` required")
        .with_help("the API server rejects it (`resourceFieldRef.containerName: Required value`); name the container whose requests or limits the file holds");
    ctx.push(d);
}

/// `validatePersistentClaimVolumeSource` (`claimName` not empty) and
/// `validateEphemeralVolumeSource` (a `volumeClaimTemplate`; its spec is `pvc-spec-invalid`'s).
fn claim_sources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, v: &Node, volume: &str) {
    if let Some(pvc) = v.get("persistentVolumeClaim").filter(|n| n.is_map()) {
        let claim = pvc.get("claimName");
        if claim.is_none_or(|c| c.as_str() == Some("") || c.is_null()) {
            let span = claim.map_or(pvc.span, |c| c.span);
            let d = ctx
                .diag(obj, span, format!("the persistentVolumeClaim volume `{volume}` names no claim"))
                .with_primary_label("`claimName` required")
                .with_help("the API server rejects it (`persistentVolumeClaim.claimName: Required value`); set `claimName` to the name of the PersistentVolumeClaim to mount");
            ctx.push(d);
        }
    }
    if let Some(eph) = v.entry("ephemeral").filter(|e| e.value.is_map()) {
        let template = eph.value.get("volumeClaimTemplate");
        if template.is_none_or(Node::is_null) {
            let span = template.map_or(eph.key.span, |t| t.span);
            let d = ctx
                .diag(obj, span, format!("the ephemeral volume `{volume}` has no `volumeClaimTemplate`"))
                .with_primary_label("`volumeClaimTemplate` required")
                .with_help("the API server rejects it (`ephemeral.volumeClaimTemplate: Required value`); add `volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}`");
            ctx.push(d);
        }
    }
}
