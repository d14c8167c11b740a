//! `unknown-kind`: reported by the schema stage (`src/schema/`); see `rules/unknown-kind.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_UNKNOWN_KIND,
    severity: Severity::Info,
    category: Category::Schema,
    summary: "No schema and no CRD for the apiVersion/kind: the object is not validated",
    fix: false,
    doc: include_str!("../../../rules/unknown-kind.md"),
    check: Check::Builtin,
};
