//! `csi-driver-invalid`: `validateCSIDriverSpec` (pkg/apis/storage/validation) on a
//! CSIDriver, after the v1 defaults (`attachRequired: true`, `podInfoOnMount`,
//! `storageCapacity`, `requiresRepublish` and `seLinuxMount` false, `fsGroupPolicy:
//! ReadWriteOnceWithFSType`).

use std::collections::HashSet;

use crate::diagnostics::Severity;
use crate::model::{all_items, Object};
use crate::rules::api::{enum_value, judged_str, reject};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "csi-driver-invalid",
    severity: Severity::Error,
    category: Category::Storage,
    summary: "A CSIDriver the API server rejects: fsGroupPolicy or volumeLifecycleModes values, duplicate token audiences, token lifetimes outside 10 minutes to 2^32 seconds",
    fix: false,
    doc: include_str!("../../../rules/csi-driver-invalid.md"),
    check: Check::Object(check),
};

/// Shortest and longest service account token a CSI driver may ask for, in seconds.
const MIN_EXPIRATION: i64 = 10 * 60;
const MAX_EXPIRATION: i64 = 1 << 32;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "CSIDriver" || obj.group() != "storage.k8s.io" {
        return;
    }
    let Some(spec) = obj.spec().filter(|s| s.is_map()) else { return };
    enum_value(ctx, obj, spec, "fsGroupPolicy", &["ReadWriteOnceWithFSType", "File", "None"]);
    for mode in all_items(Some(spec), "volumeLifecycleModes") {
        let Some(m) = judged_str(mode) else { continue };
        if !matches!(m, "Persistent" | "Ephemeral") {
            let help = match crate::model::names::did_you_mean(m, &["Persistent", "Ephemeral"]) {
                Some(s) => format!("did you mean `{s}`? (values are case-sensitive)"),
                None => "use `Persistent` (volumes from claims) and/or `Ephemeral` (inline CSI volumes in pods)".to_string(),
            };
            reject(ctx, obj, mode, format!("`{m}` is not a volume lifecycle mode"), &format!("Unsupported value: \"{m}\": supported values: \"Persistent\", \"Ephemeral\""), &help);
        }
    }
    let mut audiences = HashSet::new();
    for req in all_items(Some(spec), "tokenRequests").filter(|r| r.is_map()) {
        let audience = req.get("audience").and_then(|a| a.as_str()).unwrap_or("");
        if !audiences.insert(audience) {
            let node = req.get("audience").unwrap_or(req);
            let what = if audience.is_empty() {
                "a second token request without an `audience` (the API server's own)".to_string()
            } else {
                format!("a second token request for the audience `{audience}`")
            };
            reject(ctx, obj, node, what, &format!("Duplicate value: \"{audience}\""), "ask for each audience once; at most one request may leave `audience` empty");
            continue;
        }
        let Some(n) = req.get("expirationSeconds") else { continue };
        let Some(secs) = n.as_i64() else { continue };
        if secs < MIN_EXPIRATION {
            reject(ctx, obj, n, format!("`expirationSeconds: {secs}` is shorter than 10 minutes"), &format!("Invalid value: {secs}: may not specify a duration less than 10 minutes"), "use 600 or more (the kubelet refreshes the token before it expires; set `requiresRepublish` to hand the driver new ones)");
        } else if secs > MAX_EXPIRATION {
            reject(ctx, obj, n, format!("`expirationSeconds: {secs}` is longer than 2^32 seconds"), &format!("Invalid value: {secs}: may not specify a duration larger than 2^32 seconds"), "use a shorter lifetime, such as 3600");
        }
    }
    if let Some(n) = spec.get("nodeAllocatableUpdatePeriodSeconds") {
        if let Some(p) = n.as_i64().filter(|p| *p < 10) {
            reject(ctx, obj, n, format!("`nodeAllocatableUpdatePeriodSeconds: {p}` is under 10 seconds"), &format!("Invalid value: {p}: must be greater than or equal to 10 seconds"), "use 10 or more");
        }
    }
}
