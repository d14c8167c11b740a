//! `storage-class-invalid`: `ValidateStorageClass` (pkg/apis/storage/validation):
//! provisioner syntax, `reclaimPolicy`, `volumeBindingMode`.

use crate::diagnostics::Severity;
use crate::model::names::qualified_name;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "storage-class-invalid",
    severity: Severity::Error,
    category: Category::Storage,
    summary: "A StorageClass with an invalid provisioner name, reclaimPolicy or volumeBindingMode",
    fix: false,
    doc: include_str!("../../../rules/storage-class-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "StorageClass" || obj.group() != "storage.k8s.io" {
        return;
    }
    let root = obj.root;
    if let Some(p) = root.get("provisioner") {
        if let Some(v) = judged_str(p) {
            // The server checks the lower-cased name.
            let errs = qualified_name(&v.to_ascii_lowercase());
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    p,
                    format!("the provisioner `{v}` is not a valid name: {}", errs.join("; ")),
                    "Invalid value: a qualified name",
                    "use the CSI driver's name, e.g. `ebs.csi.aws.com`, or `kubernetes.io/no-provisioner`",
                );
            }
        }
    }
    if let Some(r) = root.get("reclaimPolicy").and_then(judged_str) {
        if r == "Recycle" {
            if let Some(node) = root.get("reclaimPolicy") {
                reject(
                    ctx,
                    obj,
                    node,
                    "`reclaimPolicy: Recycle` is not allowed for a StorageClass".into(),
                    "Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
                    "use `Delete` or `Retain` (Recycle is deprecated and only for statically created PersistentVolumes)",
                );
            }
        } else {
            enum_value(ctx, obj, root, "reclaimPolicy", &["Delete", "Retain"]);
        }
    }
    enum_value(ctx, obj, root, "volumeBindingMode", &["Immediate", "WaitForFirstConsumer"]);
}
