//! `invalid-type`: reported by the schema stage (`src/schema/`); see `rules/invalid-type.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_INVALID_TYPE,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A value of the wrong type, such as a string where a map is expected",
    fix: true,
    doc: include_str!("../../../rules/invalid-type.md"),
    check: Check::Builtin,
};
