//! `helm-chart-not-rendered`: reported by the project stage; see
//! `rules/helm-chart-not-rendered.md`.

use crate::diagnostics::Severity;
use crate::rules::{Category, Check, Rule};

pub static RULE: Rule = Rule {
    id: crate::project::RULE_HELM_CHART,
    severity: Severity::Info,
    category: Category::Syntax,
    summary: "A Helm chart's templates were skipped: they are not YAML until rendered",
    fix: false,
    doc: include_str!("../../../rules/helm-chart-not-rendered.md"),
    check: Check::Builtin,
};
