//! `storage-class-invalid`: `ValidateStorageClass` (pkg/apis/storage/validation):
//! provisioner syntax, `parameters` limits, `reclaimPolicy`, `volumeBindingMode`,
//! `allowedTopologies` terms.

use crate::diagnostics::Severity;
use crate::model::names::qualified_name;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject, reject_pair};
use crate::yaml::Node;
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
    if let Some(p) = root.get("parameters").filter(|n| n.is_map()) {
        parameters(ctx, obj, p);
    }
    if let Some(t) = root.get("allowedTopologies").filter(|n| n.is_seq()) {
        allowed_topologies(ctx, obj, t);
    }
}

/// `validateParameters`: at most 512 entries, keys not empty, keys and values together at
/// most 256 KiB.
fn parameters(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, params: &Node) {
    let entries = params.entries();
    if entries.len() > 512 {
        reject(
            ctx,
            obj,
            params,
            format!("the StorageClass has {} parameters, more than 512", entries.len()),
            "Too long: may not have more than 512 items",
            "keep the provisioner's parameters only",
        );
        return;
    }
    let mut size = 0usize;
    for e in entries {
        let k = e.key.key_text().unwrap_or("");
        if k.is_empty() && e.key.as_str().is_some() {
            reject(ctx, obj, &e.key, "a StorageClass parameter has an empty name".into(), "Invalid value: field can not be empty.", "name the parameter, or remove it");
        }
        size += k.len() + e.value.text().map_or(0, str::len);
    }
    if size > 256 * 1024 {
        reject(
            ctx,
            obj,
            params,
            format!("the StorageClass parameters hold {size} bytes, more than 256 KiB"),
            "Too long: may not be more than 262144 bytes",
            "keep large configuration in a Secret or ConfigMap the driver reads",
        );
    }
}

/// A topology term as the server compares terms: each key with its set of values, sorted.
type TermSets = Vec<(String, Vec<String>)>;

/// `validateAllowedTopologies`: each term's expressions have values (no duplicate), a
/// label-name key, no key twice; no two terms alike.
fn allowed_topologies(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, terms: &Node) {
    let mut seen: Vec<(TermSets, &Node)> = Vec::new();
    for term in terms.items() {
        let exprs = term.get("matchLabelExpressions").filter(|n| n.is_seq());
        let mut map: TermSets = Vec::new();
        let mut judged = true;
        for expr in exprs.map(Node::items).unwrap_or_default() {
            let key_node = expr.get("key");
            let key = key_node.and_then(Node::as_str).unwrap_or("");
            if let (Some(k), Some(kn)) = (key_node.and_then(judged_str), key_node) {
                let errs = crate::model::names::qualified_name(k);
                if !errs.is_empty() {
                    reject(ctx, obj, kn, format!("the topology key `{k}` is not a valid label key: {}", errs.join("; ")), "Invalid value: a qualified name", "use a node label key such as `topology.kubernetes.io/zone`");
                }
            } else {
                judged = false;
            }
            let values = expr.get("values");
            let items = values.map(Node::items).unwrap_or_default();
            if values.is_none_or(|v| v.is_null() || (v.is_seq() && items.is_empty())) {
                reject(ctx, obj, values.unwrap_or(expr), format!("the topology expression for `{key}` has no values"), "Required value", "list the label values allowed, e.g. `values: [us-east-1a]`");
            }
            let mut vals: Vec<String> = Vec::new();
            for v in items {
                let Some(s) = v.as_str() else { judged = false; continue };
                if vals.iter().any(|x| x == s) {
                    reject(ctx, obj, v, format!("the topology value `{s}` is listed twice"), "Duplicate value", "list each value once");
                }
                vals.push(s.to_string());
            }
            vals.sort();
            vals.dedup();
            if let Some((_, _)) = map.iter().find(|(k, _)| k == key) {
                if let Some(kn) = key_node {
                    reject(ctx, obj, kn, format!("the topology key `{key}` appears twice in one term"), "Duplicate value", "merge the values into one expression (the expressions of a term are ANDed)");
                }
            }
            map.retain(|(k, _)| k != key);
            map.push((key.to_string(), vals));
        }
        if !judged {
            continue;
        }
        map.sort();
        if let Some((_, first)) = seen.iter().find(|(m, _)| *m == map) {
            if let Some(e) = exprs {
                reject_pair(ctx, obj, e, first.span, "the same term".into(), "two `allowedTopologies` terms are identical".into(), "Duplicate value", "remove the repeated term");
            }
        }
        seen.push((map, term));
    }
}
