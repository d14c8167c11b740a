//! `duplicate-list-entry`: reported by the schema stage (`src/schema/listmaps.rs`); see
//! `rules/duplicate-list-entry.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_DUPLICATE_LIST_ENTRY,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "Two items of a custom resource's list-map have the same keys (or a list-set holds a value twice)",
    fix: false,
    doc: include_str!("../../../rules/duplicate-list-entry.md"),
    check: Check::Builtin,
};
