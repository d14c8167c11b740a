//! `request-exceeds-limit`: a container requests more of a resource than its limit.

use crate::diagnostics::Severity;
use crate::model::quantity::{from_node, greater};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "request-exceeds-limit",
    severity: Severity::Error,
    category: Category::Resources,
    summary: "A resource request is greater than the limit for the same resource",
    fix: false,
    doc: include_str!("../../../rules/request-exceeds-limit.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let mut pairs: Vec<(Option<&Node>, String)> = Vec::new();
    if let Some(t) = PodTemplate::of(obj) {
        for c in t.containers() {
            pairs.push((c.node.get("resources"), c.describe()));
        }
        pairs.push((t.spec.and_then(|s| s.get("resources")), "the pod".into()));
    }
    // A PersistentVolumeClaim's limits are not compared: `ValidatePersistentVolumeClaimSpec`
    // reads only the storage request, and the server admits a request above the limit.
    for (res, who) in pairs {
        let Some(res) = res else { continue };
        let (Some(requests), Some(limits)) = (res.get("requests"), res.get("limits")) else {
            continue;
        };
        for e in requests.entries() {
            let Some(name) = e.key.key_text() else { continue };
            let Some(limit) = limits.get(name) else { continue };
            let (Some(Ok(r)), Some(Ok(l))) = (from_node(&e.value), from_node(limit)) else {
                continue;
            };
            if !greater(r.value, l.value) {
                continue;
            }
            let (rt, lt) = (e.value.text().unwrap_or_default(), limit.text().unwrap_or_default());
            let d = ctx
                .diag(obj, e.value.span, format!("{who} requests {rt} of {name} but is limited to {lt}"))
                .with_primary_label("request above the limit")
                .with_label(obj.file, limit.span, "the limit")
                .with_help(format!(
                    "the API server rejects it (`requests.{name}: Invalid value: \"{rt}\": must be less than or equal to {name} limit of {lt}`); raise the limit or lower the request"
                ));
            ctx.push(d);
        }
    }
}
