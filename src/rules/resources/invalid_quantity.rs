//! `invalid-quantity`: a resource quantity Kubernetes cannot parse (`128MB`, `1K`).

use crate::diagnostics::{Edit, Severity};
use crate::model::quantity::{from_node, quantity_fields, VALID_SUFFIXES};
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "invalid-quantity",
    severity: Severity::Error,
    category: Category::Resources,
    summary: "A resource quantity is not valid Kubernetes quantity syntax (e.g. `128MB` instead of `128M`/`128Mi`), or is negative",
    fix: true,
    doc: include_str!("../../../rules/invalid-quantity.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    for f in quantity_fields(obj) {
        let Some(parsed) = from_node(f.value) else { continue };
        let text = f.value.text().unwrap_or_default();
        if crate::model::fields::is_templated(text) {
            continue;
        }
        match parsed {
            Ok(q) => {
                if q.value < 0.0 {
                    let mut d = ctx
                        .diag(obj, f.value.span, format!("`{}: {text}` in {} is negative", f.resource, f.context))
                        .with_primary_label("negative quantity");
                    // `ValidateLimitRange` compares the bounds but never asks for them to be
                    // non-negative: the server admits the LimitRange.
                    if obj.kind == "LimitRange" {
                        d.severity = crate::diagnostics::Severity::Warning;
                        d = d.with_help("the API server admits it, but no container or claim asks for a negative amount: a negative bound is a typo");
                    } else {
                        d = d.with_help("the API server rejects negative resource quantities (`must be greater than or equal to 0`)");
                    }
                    ctx.push(d);
                }
            }
            Err(e) => {
                let mut d = ctx
                    .diag(
                        obj,
                        f.value.span,
                        format!("`{}: {text}` in {} is not a valid quantity: {}", f.resource, f.context, e.reason),
                    )
                    .with_primary_label("invalid quantity");
                let help = format!(
                    "the API server rejects the object (`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`); valid units are {VALID_SUFFIXES}"
                );
                match e.suggestion {
                    Some(s) => {
                        let single = s.matches('`').count() == 2;
                        d = d.with_help(format!("write {s}; {help}"));
                        if single {
                            let fixed = s.trim_matches('`').to_string();
                            d = d.with_fix(
                                format!("replace with `{fixed}`"),
                                vec![Edit { span: f.value.span, new_text: quote_like(f.value, &fixed) }],
                            );
                        }
                    }
                    None => d = d.with_help(help),
                }
                ctx.push(d);
            }
        }
    }
}

/// Keeps the scalar's quoting style in a replacement.
fn quote_like(node: &crate::yaml::Node, text: &str) -> String {
    match node.scalar().map(|s| s.style) {
        Some(crate::yaml::ScalarStyle::DoubleQuoted) => format!("\"{text}\""),
        Some(crate::yaml::ScalarStyle::SingleQuoted) => format!("'{text}'"),
        _ => text.to_string(),
    }
}
