//! `deprecated-api-version`: reported by the schema stage (`src/schema/`); see `rules/deprecated-api-version.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_DEPRECATED_API_VERSION,
    severity: Severity::Warning,
    category: Category::Schema,
    summary: "An apiVersion a later Kubernetes release stops serving",
    fix: false,
    doc: include_str!("../../../rules/deprecated-api-version.md"),
    check: Check::Builtin,
};
