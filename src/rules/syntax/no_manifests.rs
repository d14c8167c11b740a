//! `no-manifests`: reported by the input stage; see `rules/no-manifests.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "no-manifests",
    severity: Severity::Warning,
    category: Category::Syntax,
    summary: "A directory given on the command line holds no YAML or JSON files, or none with a Kubernetes object",
    fix: false,
    doc: include_str!("../../../rules/no-manifests.md"),
    check: Check::Builtin,
};
