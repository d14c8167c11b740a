//! `unused-suppression`: reported by the suppression stage (`src/suppress`); see
//! `rules/unused-suppression.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::suppress::RULE_UNUSED,
    severity: Severity::Info,
    category: Category::Syntax,
    summary: "A kubevet-ignore comment or annotation that suppresses nothing",
    fix: false,
    doc: include_str!("../../../rules/unused-suppression.md"),
    check: Check::Builtin,
};
