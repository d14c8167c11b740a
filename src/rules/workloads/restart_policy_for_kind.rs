//! `restart-policy-for-kind`: the pod restartPolicy each workload kind accepts.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "restart-policy-for-kind",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A pod template's restartPolicy is not allowed for its workload kind (Always for controllers, OnFailure/Never for Jobs)",
    fix: true,
    doc: include_str!("../../../rules/restart-policy-for-kind.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let allowed: &[&str] = match obj.kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" => {
            &["Always"]
        }
        "Job" | "CronJob" => &["OnFailure", "Never"],
        _ => return,
    };
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(spec) = t.spec.filter(|s| s.is_map()) else {
        return;
    };
    let policy = spec.get("restartPolicy");
    match policy {
        Some(p) => {
            let Some(v) = p.as_str() else { return };
            // Unknown values are `unsupported-value`'s finding.
            if !matches!(v, "Always" | "OnFailure" | "Never") || allowed.contains(&v) {
                return;
            }
            let d = ctx
                .diag(
                    obj,
                    p.span,
                    format!(
                        "a {} pod template cannot have `restartPolicy: {v}`",
                        obj.kind
                    ),
                )
                .with_primary_label(format!("only {} is allowed", list(allowed)))
                .with_help(help(obj.kind))
                .with_fix(
                    format!("use `restartPolicy: {}`", allowed[0]),
                    vec![crate::diagnostics::Edit {
                        span: p.span,
                        new_text: allowed[0].to_string(),
                    }],
                );
            ctx.push(d);
        }
        None if allowed[0] != "Always" => {
            // The pod default is Always, which Jobs reject.
            let span = t.node.entry("spec").map_or(t.node.span, |e| e.key.span);
            let d = ctx
                .diag(
                    obj,
                    span,
                    format!("the {} pod template has no `restartPolicy`, and the default `Always` is rejected for Jobs", obj.kind),
                )
                .with_primary_label("set `restartPolicy: OnFailure` or `Never` here")
                .with_help(help(obj.kind));
            ctx.push(d);
        }
        None => {}
    }
}

fn list(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn help(kind: &str) -> String {
    match kind {
        "Job" | "CronJob" => "the API server requires `OnFailure` or `Never` for Job pods (`spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"`): a Job's pods must be able to finish".into(),
        _ => format!("the API server only accepts `Always` for {kind} pods (`Unsupported value`): the controller keeps pods running; use a Job for run-to-completion work"),
    }
}
