//! `invalid-value`: reported by the schema stage (`src/schema/`); see `rules/invalid-value.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_INVALID_VALUE,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A value that breaks a schema constraint (range, pattern, length)",
    fix: false,
    doc: include_str!("../../../rules/invalid-value.md"),
    check: Check::Builtin,
};
