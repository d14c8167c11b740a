//! `invalid-owner-reference`: `metadata.ownerReferences` as `ValidateOwnerReferences`
//! (apimachinery `pkg/api/validation/objectmeta.go`) checks them.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-owner-reference",
    severity: Severity::Error,
    category: Category::Metadata,
    summary: "An owner reference lacks apiVersion, kind, name or uid, names an Event, or two are controllers",
    fix: false,
    doc: include_str!("../../../rules/invalid-owner-reference.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !obj.is_builtin_api_object() {
        return;
    }
    let Some(list) = obj.metadata().and_then(|m| m.get("ownerReferences")) else {
        return;
    };
    let mut controller: Option<&Node> = None;
    for item in list.items() {
        if !item.is_map() {
            continue; // a type error, reported by schema validation
        }
        let mut missing = Vec::new();
        for field in ["apiVersion", "kind", "name", "uid"] {
            let value = item.get(field).and_then(Node::as_str).unwrap_or("");
            // `apiVersion: apps/` has no version: the server parses it as group "apps".
            let empty = if field == "apiVersion" {
                value.is_empty() || value.ends_with('/')
            } else {
                value.is_empty()
            };
            if empty {
                missing.push(field);
            }
        }
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let d = ctx
                .diag(obj, item.span, format!("owner reference without {list}: the API server rejects it (metadata.ownerReferences.{}: Invalid value: must not be empty)", missing[0]))
                .with_primary_label(format!("{list} missing"))
                .with_help("an owner reference names a live object by apiVersion, kind, name and uid; the uid is only known in the cluster, so let the controller set owner references");
            ctx.push(d);
        }
        if item.get("apiVersion").and_then(Node::as_str) == Some("v1")
            && item.get("kind").and_then(Node::as_str) == Some("Event")
        {
            let d = ctx
                .diag(obj, item.span, "an Event cannot own objects: the API server rejects it (metadata.ownerReferences: Invalid value: /v1, Kind=Event is disallowed from being an owner)")
                .with_primary_label("Event as owner");
            ctx.push(d);
        }
        if item.get("controller").and_then(Node::as_bool) == Some(true) {
            if let Some(first) = controller {
                let d = ctx
                    .diag(obj, item.span, "two owner references have `controller: true`: the API server rejects it (metadata.ownerReferences: Invalid value: Only one reference can have Controller set to true)")
                    .with_primary_label("second controller")
                    .with_label(obj.file, first.span, "first controller")
                    .with_help("an object has at most one managing controller; set `controller: false` on the others");
                ctx.push(d);
            } else {
                controller = Some(item);
            }
        }
    }
}
