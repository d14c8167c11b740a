//! `yaml-syntax`: reported by the input stage; see `rules/yaml-syntax.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    category: Category::Syntax,
    summary: "The file is not valid YAML",
    fix: false,
    doc: include_str!("../../../rules/yaml-syntax.md"),
    check: Check::Builtin,
};
