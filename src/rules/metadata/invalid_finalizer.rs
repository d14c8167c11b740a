//! `invalid-finalizer`: `metadata.finalizers` as `ValidateFinalizers` (apimachinery
//! `pkg/api/validation/objectmeta.go`) checks them.

use crate::diagnostics::Severity;
use crate::model::names::qualified_name;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-finalizer",
    severity: Severity::Error,
    category: Category::Metadata,
    summary: "A finalizer is not a qualified name, or `orphan` and `foregroundDeletion` are both set",
    fix: false,
    doc: include_str!("../../../rules/invalid-finalizer.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !obj.is_builtin_api_object() {
        return;
    }
    let Some(list) = obj.metadata().and_then(|m| m.get("finalizers")) else {
        return;
    };
    let mut orphan: Option<&Node> = None;
    let mut foreground: Option<&Node> = None;
    for item in list.items() {
        let Some(name) = item.as_str() else { continue };
        match name {
            "orphan" => orphan = orphan.or(Some(item)),
            "foregroundDeletion" => foreground = foreground.or(Some(item)),
            _ => {}
        }
        let errs = qualified_name(name);
        if errs.is_empty() {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                item.span,
                format!(
                    "finalizer `{name}` is not valid: the API server rejects it (metadata.finalizers: Invalid value: {})",
                    errs.join("; ")
                ),
            )
            .with_primary_label("not a qualified name")
            .with_help("a finalizer is a qualified name, usually domain-prefixed: `example.com/cleanup`");
        ctx.push(d);
    }
    if let (Some(o), Some(f)) = (orphan, foreground) {
        let d = ctx
            .diag(
                obj,
                f.span.max(o.span),
                "finalizers `orphan` and `foregroundDeletion` are both set: the API server rejects it (metadata.finalizers: Invalid value: finalizer orphan and foregroundDeletion cannot be both set)",
            )
            .with_primary_label("conflicts")
            .with_label(obj.file, f.span.min(o.span), "with this one")
            .with_help("keep one: `orphan` leaves the dependents, `foregroundDeletion` deletes them first");
        ctx.push(d);
    }
}
