//! `duplicate-key`: reported by the input stage; see `rules/duplicate-key.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Error,
    category: Category::Syntax,
    summary: "A mapping has the same key twice",
    fix: false,
    doc: include_str!("../../../rules/duplicate-key.md"),
    check: Check::Builtin,
};
