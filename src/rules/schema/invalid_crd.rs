//! `invalid-crd`: reported by the schema stage (`src/schema/`); see `rules/invalid-crd.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_INVALID_CRD,
    severity: Severity::Warning,
    category: Category::Schema,
    summary: "A CustomResourceDefinition whose schema kubevet cannot use",
    fix: false,
    doc: include_str!("../../../rules/invalid-crd.md"),
    check: Check::Builtin,
};
