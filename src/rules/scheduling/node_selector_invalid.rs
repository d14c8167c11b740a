//! `node-selector-invalid`: `nodeSelector` keys and values that are not valid label syntax.

use crate::diagnostics::Severity;
use crate::model::names::{label_value, qualified_name};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "node-selector-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A nodeSelector key or value is not valid label syntax",
    fix: false,
    doc: include_str!("../../../rules/node-selector-invalid.md"),
    check: Check::Object(check),
};

/// The `nodeSelector` of a pod template, or of a RuntimeClass's `scheduling` (which the
/// pods of the class get), and what the API server rejects when it is wrong.
fn node_selector<'a>(obj: &Object<'a>) -> Option<(&'a Node, &'static str, &'static str)> {
    if obj.kind == "RuntimeClass" && obj.group() == "node.k8s.io" {
        let sel = obj.root.get("scheduling")?.get("nodeSelector")?;
        return Some((sel, "the RuntimeClass", "scheduling.nodeSelector"));
    }
    let sel = PodTemplate::of(obj)?.spec?.get("nodeSelector")?;
    Some((sel, "the pod", "spec.nodeSelector"))
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some((sel, what, path)) = node_selector(obj) else {
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
                d = d.with_help(format!("the API server rejects {what} (`{path}: Invalid value`); node label keys look like `kubernetes.io/os` or `disktype`"));
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
                .with_help(format!("the API server rejects {what}; a node label value is at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"));
            ctx.push(d);
        }
    }
}
