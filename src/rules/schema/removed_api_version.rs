//! `removed-api-version`: reported by the schema stage (`src/schema/`); see `rules/removed-api-version.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_REMOVED_API_VERSION,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "An apiVersion the target Kubernetes version no longer serves",
    fix: false,
    doc: include_str!("../../../rules/removed-api-version.md"),
    check: Check::Builtin,
};
