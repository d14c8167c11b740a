//! `storage-spec-warning`: what the API server warns about when it admits a
//! PersistentVolume, a PersistentVolumeClaim or a StorageClass (pkg/api/persistentvolume,
//! persistentvolumeclaim and storage `warnings`): the beta storage-class annotation, the
//! Recycle reclaim policy, deprecated node labels in a volume's node affinity or a class's
//! allowed topologies.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::podspec::pod_spec_warning::deprecated_label;
use crate::rules::api::admitted_with_warning;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "storage-spec-warning",
    severity: Severity::Warning,
    category: Category::Storage,
    summary: "What the API server warns about on a PersistentVolume, claim or StorageClass (kubectl prints `Warning:`): the beta storage-class annotation, the Recycle reclaim policy, deprecated node labels in node affinity or allowed topologies",
    fix: false,
    doc: include_str!("../../../rules/storage-spec-warning.md"),
    check: Check::Object(check),
};

const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let pv = match (obj.group(), obj.kind) {
        ("", "PersistentVolume") => true,
        ("", "PersistentVolumeClaim") => false,
        ("storage.k8s.io", "StorageClass") => return storage_class(ctx, obj),
        _ => return,
    };
    let mut found: Vec<(Span, String, String)> = Vec::new();
    let annotations = obj
        .metadata()
        .and_then(|m| m.get("annotations"))
        .map(Node::entries)
        .unwrap_or_default();
    if let Some(e) = annotations.iter().find(|e| e.key.key_text() == Some(BETA_CLASS)) {
        found.push((
            e.key.span,
            format!("the annotation `{BETA_CLASS}` is deprecated"),
            format!("metadata.annotations[{BETA_CLASS}]: deprecated since v1.8; use \"storageClassName\" attribute instead"),
        ));
    }
    let spec = obj.spec().filter(|s| s.is_map());
    if let (true, Some(spec)) = (pv, spec) {
        if let Some(p) = spec
            .get("persistentVolumeReclaimPolicy")
            .filter(|p| p.as_str() == Some("Recycle"))
        {
            found.push((
                p.span,
                "the `Recycle` reclaim policy is deprecated".to_string(),
                "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.".to_string(),
            ));
        }
        let terms = spec
            .get("nodeAffinity")
            .and_then(|n| n.get("required"))
            .and_then(|r| r.get("nodeSelectorTerms"))
            .map(Node::items)
            .unwrap_or_default();
        for (i, term) in terms.iter().enumerate() {
            let expressions = term.get("matchExpressions").map(Node::items).unwrap_or_default();
            for (j, expr) in expressions.iter().enumerate() {
                let Some(key_node) = expr.get("key") else { continue };
                let Some(key) = key_node.as_str() else { continue };
                if let Some(msg) = deprecated_label(key) {
                    found.push((
                        key_node.span,
                        format!("the node affinity uses the deprecated node label `{key}`"),
                        format!("spec.nodeAffinity.required.nodeSelectorTerms[{i}].matchExpressions[{j}].key: {key} is {msg}"),
                    ));
                }
            }
        }
    }
    for (span, message, server) in found {
        admitted_with_warning(ctx, obj, span, message, &server);
    }
}

/// `GetWarningsForStorageClass`: deprecated node labels in `allowedTopologies`, which
/// decide where the class's volumes are provisioned.
fn storage_class(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let topologies = obj.root.get("allowedTopologies").map(Node::items).unwrap_or_default();
    for (i, t) in topologies.iter().enumerate() {
        let expressions = t.get("matchLabelExpressions").map(Node::items).unwrap_or_default();
        for (j, expr) in expressions.iter().enumerate() {
            let Some(key_node) = expr.get("key") else { continue };
            let Some(key) = key_node.as_str() else { continue };
            if let Some(msg) = deprecated_label(key) {
                admitted_with_warning(
                    ctx,
                    obj,
                    key_node.span,
                    format!("the allowed topologies use the deprecated node label `{key}`"),
                    &format!("allowedTopologies[{i}].matchLabelExpressions[{j}].key: {msg}"),
                );
            }
        }
    }
}
