//! `yaml-limits`: reported by the input stage; see `rules/yaml-limits.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "yaml-limits",
    severity: Severity::Error,
    category: Category::Syntax,
    summary: "A document is refused as pathological: too deep, too many aliases, or too many documents",
    fix: false,
    doc: include_str!("../../../rules/yaml-limits.md"),
    check: Check::Builtin,
};
