//! `invalid-enum-value`: reported by the schema stage (`src/schema/`); see `rules/invalid-enum-value.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_INVALID_ENUM_VALUE,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A value outside the set the schema allows",
    fix: true,
    doc: include_str!("../../../rules/invalid-enum-value.md"),
    check: Check::Builtin,
};
