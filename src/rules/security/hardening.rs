//! What the hardening rules share: they are opt-in (`--hardening`, or naming the rule in
//! `--select`), because on real manifests most workloads trip them. Not a rule itself.

use crate::model::{Object, PodTemplate};
use crate::rules::Ctx;
use crate::yaml::Node;

/// Whether an opt-in hardening rule runs.
pub fn enabled(ctx: &Ctx<'_, '_>) -> bool {
    ctx.config.hardening || ctx.config.only.contains(ctx.rule.id)
}

/// The pod template a hardening rule judges, when the rule runs and `obj` has one.
pub fn pod_template<'a>(ctx: &Ctx<'_, '_>, obj: &Object<'a>) -> Option<PodTemplate<'a>> {
    enabled(ctx).then(|| PodTemplate::of(obj)).flatten()
}

/// The pod's ServiceAccount field (`serviceAccountName`, or the deprecated
/// `serviceAccount`) and the name it resolves to: `default` when neither is set.
pub fn service_account(spec: &Node) -> (Option<&Node>, &str) {
    let field = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"));
    (field, field.and_then(Node::as_str).unwrap_or("default"))
}
