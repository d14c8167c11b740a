//! `duplicate-crd`: reported by the schema stage (`src/schema/`); see `rules/duplicate-crd.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_DUPLICATE_CRD,
    severity: Severity::Warning,
    category: Category::Schema,
    summary: "Two different definitions of one CustomResourceDefinition in a run",
    fix: false,
    doc: include_str!("../../../rules/duplicate-crd.md"),
    check: Check::Builtin,
};
