//! `not-a-kubernetes-object`: reported by the input stage; see `rules/not-a-kubernetes-object.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: "not-a-kubernetes-object",
    severity: Severity::Error,
    category: Category::Syntax,
    summary: "A document is not a Kubernetes object (no apiVersion/kind, or not a mapping)",
    fix: false,
    doc: include_str!("../../../rules/not-a-kubernetes-object.md"),
    check: Check::Builtin,
};
