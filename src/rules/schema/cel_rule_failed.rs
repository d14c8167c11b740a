//! `cel-rule-failed`: reported by the schema stage's CEL evaluator (`src/schema/cel/`); see
//! `rules/cel-rule-failed.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_CEL_RULE_FAILED,
    severity: Severity::Error,
    category: Category::Schema,
    summary: "A custom resource fails a CEL rule (`x-kubernetes-validations`) of its CRD",
    fix: false,
    doc: include_str!("../../../rules/cel-rule-failed.md"),
    check: Check::Builtin,
};
