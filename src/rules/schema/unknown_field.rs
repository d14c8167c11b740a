//! `unknown-field`: reported by the schema stage (`src/schema/`); see `rules/unknown-field.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_UNKNOWN_FIELD,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A field the object's schema does not define",
    fix: true,
    doc: include_str!("../../../rules/unknown-field.md"),
    check: Check::Builtin,
};
