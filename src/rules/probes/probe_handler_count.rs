//! `probe-handler-count`: a probe must set exactly one handler.

use crate::diagnostics::Severity;
use crate::model::fields::{probe_handlers, PROBE_HANDLERS};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-handler-count",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "A probe sets no handler (exec, httpGet, tcpSocket, grpc) or more than one",
    fix: false,
    doc: include_str!("../../../rules/probe-handler-count.md"),
    check: Check::Object(check),
};

const PROBE_FIELDS: &[&str] = &[
    "exec",
    "httpGet",
    "tcpSocket",
    "grpc",
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
    "terminationGracePeriodSeconds",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        for (field, probe) in c.probes() {
            let handlers = probe_handlers(probe);
            let probe_key = c.node.entry(field).map_or(probe.span, |e| e.key.span);
            match handlers.as_slice() {
                [] => {
                    // A misspelt handler is reported by the schema as an unknown field.
                    let unknown = probe
                        .entries()
                        .iter()
                        .any(|e| e.key.key_text().is_some_and(|k| !PROBE_FIELDS.contains(&k)));
                    if unknown {
                        continue;
                    }
                    let d = ctx
                        .diag(obj, probe_key, format!("the {field} of {} has no handler", c.describe()))
                        .with_primary_label("no exec, httpGet, tcpSocket or grpc")
                        .with_help(format!(
                            "add exactly one of {}; the API server rejects the pod (`{field}: Required value: must specify a handler type`)",
                            PROBE_HANDLERS.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
                        ));
                    ctx.push(d);
                }
                [_] => {}
                [first, rest @ ..] => {
                    let names: Vec<String> = handlers
                        .iter()
                        .map(|e| format!("`{}`", e.key.key_text().unwrap_or_default()))
                        .collect();
                    let mut d = ctx
                        .diag(
                            obj,
                            rest[0].key.span,
                            format!("the {field} of {} sets {} handlers: {}", c.describe(), names.len(), names.join(", ")),
                        )
                        .with_primary_label("second handler")
                        .with_label(obj.file, first.key.span, "first handler")
                        .with_help("a probe has exactly one handler (`may not specify more than 1 handler type`); keep the one that tests what you mean");
                    for e in &rest[1..] {
                        d = d.with_label(obj.file, e.key.span, "another handler");
                    }
                    ctx.push(d);
                }
            }
        }
    }
}
