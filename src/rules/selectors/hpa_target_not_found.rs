//! `hpa-target-not-found`: a HorizontalPodAutoscaler whose `scaleTargetRef` names no object of
//! the run, when the run has objects of that kind in the namespace.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "hpa-target-not-found",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A HorizontalPodAutoscaler's scaleTargetRef names no object in the run",
    fix: false,
    doc: include_str!("../../../rules/hpa-target-not-found.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" || obj.group() != "autoscaling" {
        return;
    }
    let Some(target) = obj.spec().and_then(|s| s.get("scaleTargetRef")) else {
        return;
    };
    let (Some(kind), Some(name_node)) = (
        target.get("kind").and_then(Node::as_str),
        target.get("name").filter(|n| n.as_str().is_some()),
    ) else {
        return;
    };
    let name = name_node.as_str().unwrap_or_default();
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return;
    };
    if ws.find(kind, Some(ns), name).is_some() {
        return;
    }
    // Only when the HPA's directory holds objects of that kind there: otherwise the target
    // is simply defined elsewhere.
    let candidates: Vec<&str> = ws
        .of_kind_near(kind, ns, obj.file)
        .filter_map(|o| o.name)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let near = typo_of(name, &candidates);
    // Without a near miss, only a run that is the whole picture can say the target does
    // not exist (an operator, a Helm release or kustomize may create it).
    if near.is_none() && !ws.can_judge_absence(obj.file, ns) {
        return;
    }
    let mut d = ctx
        .diag(
            obj,
            name_node.span,
            format!(
                "{} scales {kind} `{name}`, which is not in namespace `{ns}` in this run",
                obj.display_name()
            ),
        )
        .with_primary_label("no such target");
    d = match near {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!(
            "the run has these {kind}s in namespace `{ns}`: {}",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    ctx.push(d);
}
