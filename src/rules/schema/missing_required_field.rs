//! `missing-required-field`: reported by the schema stage (`src/schema/`); see `rules/missing-required-field.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_MISSING_REQUIRED_FIELD,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A field the schema requires is absent",
    fix: false,
    doc: include_str!("../../../rules/missing-required-field.md"),
    check: Check::Builtin,
};
