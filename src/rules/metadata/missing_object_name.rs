//! `missing-object-name`: an object needs `metadata.name` or `metadata.generateName`.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "missing-object-name",
    severity: Severity::Error,
    category: Category::Metadata,
    summary: "An object has neither metadata.name nor metadata.generateName",
    fix: false,
    doc: include_str!("../../../rules/missing-object-name.md"),
    check: Check::Object(check),
};

fn non_empty(meta: Option<&Node>, key: &str) -> bool {
    meta.and_then(|m| m.get(key))
        .and_then(Node::as_str)
        .is_some_and(|s| !s.is_empty())
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    // Custom resources and tools' own files are judged by their CRD / tool, and a name
    // may be set by a tool completing the object (a kustomize patch target, an operator).
    if !obj.is_builtin_api_object() {
        return;
    }
    let meta = obj.metadata();
    // A non-string name is a type error, reported by schema validation.
    if meta.and_then(|m| m.get("name")).is_some_and(|n| n.as_str().is_none() && !n.is_null()) {
        return;
    }
    if non_empty(meta, "name") || non_empty(meta, "generateName") {
        return;
    }
    let (span, label) = match meta.and_then(|m| m.get("name")) {
        Some(n) => (n.span, "the name is empty"),
        None => match meta {
            Some(m) if m.is_map() && !m.entries().is_empty() => (m.span, "no `name` here"),
            _ => (obj.root.get("kind").map_or(obj.root.span, |k| k.span), "this object has no name"),
        },
    };
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} has no `metadata.name`: the API server rejects it (metadata.name: Required value: name or generateName is required)",
                obj.kind
            ),
        )
        .with_primary_label(label)
        .with_help("add `metadata.name` (or `metadata.generateName` for `kubectl create`; `kubectl apply` needs a name)");
    ctx.push(d);
}
