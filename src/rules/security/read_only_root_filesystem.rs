//! `read-only-root-filesystem`: a container whose root filesystem is writable (opt-in
//! hardening check).

use super::hardening;
use super::policy::{container_anchor, container_sc};
use crate::diagnostics::Severity;
use crate::model::{ContainerKind, Object};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "read-only-root-filesystem",
    severity: Severity::Info,
    category: Category::Security,
    summary: "Opt-in hardening: a container does not set readOnlyRootFilesystem: true",
    fix: false,
    doc: include_str!("../../../rules/read-only-root-filesystem.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = hardening::pod_template(ctx, obj) else { return };
    for c in t.containers() {
        if c.kind == ContainerKind::Ephemeral || !c.node.is_map() {
            continue;
        }
        let ro = container_sc(&c)
            .and_then(|sc| sc.get("readOnlyRootFilesystem"))
            .and_then(Node::as_bool);
        if ro == Some(true) {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                container_anchor(&c),
                format!("{} has a writable root filesystem", c.describe()),
            )
            .with_primary_label("`readOnlyRootFilesystem` is not true")
            .with_help("with `securityContext.readOnlyRootFilesystem: true` an attacker cannot drop binaries or alter the image's files; mount an emptyDir where the process must write (/tmp, caches)");
        ctx.push(d);
    }
}
