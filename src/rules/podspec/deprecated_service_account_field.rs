//! `deprecated-service-account-field`: a pod spec's `serviceAccount`, the deprecated alias of
//! `serviceAccountName` (pkg/apis/core/v1/conversion.go: "If both are specified,
//! ServiceAccountName (the new field) wins").

use crate::diagnostics::{Edit, Severity};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "deprecated-service-account-field",
    severity: Severity::Warning,
    category: Category::PodSpec,
    summary: "A pod spec sets the deprecated serviceAccount: ignored when serviceAccountName differs (warning), an alias to rename otherwise (info)",
    fix: true,
    doc: include_str!("../../../rules/deprecated-service-account-field.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !crate::model::is_builtin_group(obj.group()) {
        return;
    }
    let Some(spec) = PodTemplate::of(obj).and_then(|t| t.spec) else {
        return;
    };
    let Some(old) = spec.entry("serviceAccount") else {
        return;
    };
    let Some(old_name) = old.value.as_str().filter(|s| !s.is_empty()) else {
        return;
    };
    let current = spec.entry("serviceAccountName");
    match current.and_then(|e| Some((e, e.value.as_str().filter(|s| !s.is_empty())?))) {
        Some((_, name)) if name == old_name => {}
        Some((e, name)) => {
            let d = ctx
                .diag(
                    obj,
                    old.key.span.cover(old.value.span),
                    format!("`serviceAccount: {old_name}` is ignored: `serviceAccountName: {name}` wins, so the pods run as `{name}`"),
                )
                .with_primary_label("ignored")
                .with_label(obj.file, e.key.span.cover(e.value.span), "this one is used")
                .with_help("remove the deprecated `serviceAccount`, and set `serviceAccountName` to the account the pods need");
            ctx.push(d);
        }
        None => {
            let mut d = ctx
                .diag(
                    obj,
                    old.key.span,
                    "`serviceAccount` is the deprecated alias of `serviceAccountName`",
                )
                .with_primary_label("deprecated field")
                .with_help("rename it to `serviceAccountName` (the API server copies it there; its value is the same)")
                .with_fix(
                    "rename to `serviceAccountName`",
                    vec![Edit {
                        span: old.key.span,
                        new_text: "serviceAccountName".to_string(),
                    }],
                );
            d.severity = Severity::Info;
            ctx.push(d);
        }
    }
}
