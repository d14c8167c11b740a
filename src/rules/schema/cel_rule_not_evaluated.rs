//! `cel-rule-not-evaluated`: reported by the schema stage's CEL evaluator
//! (`src/schema/cel/`); see `rules/cel-rule-not-evaluated.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::schema::RULE_CEL_RULE_NOT_EVALUATED,
    severity: Severity::Info,
    category: Category::Schema,
    summary: "A CEL rule of a CRD that kubevet cannot evaluate (a function or type it does not implement)",
    fix: false,
    doc: include_str!("../../../rules/cel-rule-not-evaluated.md"),
    check: Check::Builtin,
};
