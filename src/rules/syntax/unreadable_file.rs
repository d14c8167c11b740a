//! `unreadable-file`: reported by the input stage; see `rules/unreadable-file.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "unreadable-file",
    severity: Severity::Error,
    category: Category::Syntax,
    summary: "A file cannot be read: missing permissions, invalid UTF-8, or over the size limit",
    fix: false,
    doc: include_str!("../../../rules/unreadable-file.md"),
    check: Check::Builtin,
};
