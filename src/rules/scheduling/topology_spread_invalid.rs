//! `topology-spread-invalid`: topology spread constraints the API server rejects.

use crate::diagnostics::Severity;
use crate::model::names::{did_you_mean, one_of, qualified_name};
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "topology-spread-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A topology spread constraint has maxSkew < 1, an unknown whenUnsatisfiable, an empty topologyKey, a misused minDomains or a duplicate",
    fix: false,
    doc: include_str!("../../../rules/topology-spread-invalid.md"),
    check: Check::Object(check),
};

const WHEN: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
const POLICIES: &[&str] = &["Honor", "Ignore"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let mut seen: Vec<(&str, &str, Span)> = Vec::new();
    for c in all_items(t.spec, "topologySpreadConstraints") {
        if !c.is_map() {
            continue;
        }
        let mut report_as = |severity: Severity, span: Span, msg: String, help: String| {
            let mut d = ctx.diag(obj, span, msg).with_primary_label("invalid constraint").with_help(help);
            d.severity = severity;
            ctx.push(d);
        };
        if let Some(n) = c.get("maxSkew") {
            if let Some(v) = n.as_i64().filter(|v| *v < 1) {
                report_as(Severity::Error, n.span, format!("`maxSkew: {v}` must be at least 1"), "the API server rejects it (`must be greater than zero`); 1 spreads pods as evenly as possible".into());
            }
        }
        let when_node = c.get("whenUnsatisfiable");
        let when = when_node.and_then(Node::as_str);
        if let (Some(n), Some(w)) = (when_node, when) {
            if !WHEN.contains(&w) {
                let help = match did_you_mean(w, WHEN) {
                    Some(s) => format!("did you mean `{s}`? The values are {}", one_of(WHEN)),
                    None => format!("the values are {}", one_of(WHEN)),
                };
                report_as(Severity::Error, n.span, format!("`whenUnsatisfiable: {w}` is not supported"), help);
            }
        }
        let key_node = c.get("topologyKey");
        let key = key_node.and_then(Node::as_str);
        if let (Some(n), Some(k)) = (key_node, key) {
            if k.is_empty() {
                report_as(Severity::Error, n.span, "`topologyKey` is empty".into(), "use a node label such as `topology.kubernetes.io/zone` or `kubernetes.io/hostname` (`topologyKey: Required value: can not be empty`)".into());
            } else {
                // The API server only requires a key; but no node can carry a label whose
                // key is invalid, so under `DoNotSchedule` no node qualifies (an error:
                // the pod never schedules), and under `ScheduleAnyway` the constraint does
                // nothing (a warning).
                let errs = qualified_name(k);
                if !errs.is_empty() {
                    let blocking = when != Some("ScheduleAnyway");
                    report_as(
                        if blocking { Severity::Error } else { Severity::Warning },
                        n.span,
                        format!("`topologyKey: {k}` is not a valid label key ({}), so no node carries it", errs.join("; ")),
                        if blocking {
                            "the API server admits it, but the scheduler places the pod only on nodes that have the topology key, and no node can have this one: the pod stays Pending; use a node label such as `topology.kubernetes.io/zone`"
                        } else {
                            "the API server admits it, but with `whenUnsatisfiable: ScheduleAnyway` the constraint spreads nothing, as no node can have this key; use a node label such as `topology.kubernetes.io/zone`"
                        }
                        .into(),
                    );
                }
            }
        }
        if let Some(m) = c.entry("minDomains") {
            if let Some(v) = m.value.as_i64() {
                if v < 1 {
                    report_as(Severity::Error, m.value.span, format!("`minDomains: {v}` must be at least 1"), "the API server rejects it (`must be greater than zero`); remove it for the default".into());
                } else if when.is_some_and(|w| w != "DoNotSchedule") {
                    report_as(Severity::Error, m.key.span, "`minDomains` is set but `whenUnsatisfiable` is not `DoNotSchedule`".into(), "the API server rejects it (`can only use minDomains if whenUnsatisfiable=DoNotSchedule`)".into());
                }
            }
        }
        for field in ["nodeAffinityPolicy", "nodeTaintsPolicy"] {
            let Some(n) = c.get(field) else { continue };
            let Some(v) = n.as_str() else { continue };
            if !POLICIES.contains(&v) {
                let help = match did_you_mean(v, POLICIES) {
                    Some(s) => format!("did you mean `{s}`? The values are {}", one_of(POLICIES)),
                    None => format!("the values are {}", one_of(POLICIES)),
                };
                report_as(Severity::Error, n.span, format!("`{field}: {v}` is not supported"), help);
            }
        }
        if let (Some(k), Some(w)) = (key, when) {
            if let Some((_, _, first)) = seen.iter().find(|(sk, sw, _)| *sk == k && *sw == w) {
                let d = ctx
                    .diag(obj, key_node.map_or(c.span, |n| n.span), format!("two topology spread constraints use `topologyKey: {k}` with `whenUnsatisfiable: {w}`"))
                    .with_primary_label("duplicate constraint")
                    .with_label(obj.file, *first, "first constraint")
                    .with_help("the API server rejects duplicate {topologyKey, whenUnsatisfiable} pairs; merge them");
                ctx.push(d);
            } else {
                seen.push((k, w, key_node.map_or(c.span, |n| n.span)));
            }
        }
        super::pod_affinity_invalid::check_selector_expressions(ctx, obj, c.get("labelSelector"), "topology spread label selector");
    }
}
