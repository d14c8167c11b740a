//! `node-selector-invalid`: `nodeSelector` keys and values that are not valid label syntax.

use crate::diagnostics::Severity;
use crate::model::names::{label_value, qualified_name};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "node-selector-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A nodeSelector key or value is not valid label syntax",
    fix: false,
    doc: include_str!("../../../rules/node-selector-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(sel) = t.spec.and_then(|s| s.get("nodeSelector")) else {
        return;
    };
    for e in sel.entries() {
        let Some(key) = e.key.key_text() else { continue };
        let errs = qualified_name(key);
        if !errs.is_empty() {
            let mut d = ctx
                .diag(obj, e.key.span, format!("nodeSelector key `{key}` is not a valid label key: {}", errs.join("; ")))
                .with_primary_label("invalid label key");
            if key.contains(':') && e.value.is_null() {
                d = d.with_help("a `:` without a space after it does not separate key and value; write `key: value`");
            } else {
                d = d.with_help("the API server rejects the pod (`spec.nodeSelector: Invalid value`); node label keys look like `kubernetes.io/os` or `disktype`");
            }
            ctx.push(d);
        }
        // Booleans and numbers are the schema's type errors.
        let Some(value) = e.value.as_str() else { continue };
        let errs = label_value(value);
        if !errs.is_empty() {
            let d = ctx
                .diag(obj, e.value.span, format!("nodeSelector value `{value}` for `{key}` is not a valid label value: {}", errs.join("; ")))
                .with_primary_label("invalid label value")
                .with_help("the API server rejects the pod; a node label value is at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit");
            ctx.push(d);
        }
    }
}
