//! `probe-on-init-container`: probes (and lifecycle hooks) on init containers that are not
//! sidecars, and on ephemeral containers.

use crate::diagnostics::Severity;
use crate::model::{ContainerKind, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-on-init-container",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "An init container (not a restartPolicy: Always sidecar) or an ephemeral container has probes or lifecycle hooks",
    fix: false,
    doc: include_str!("../../../rules/probe-on-init-container.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers() {
        let help = match c.kind {
            ContainerKind::Regular => continue,
            ContainerKind::Init if c.is_sidecar() => continue,
            ContainerKind::Init => {
                "init containers run to completion one after another, so the API server forbids these fields (`may not be set for init containers without restartPolicy=Always`); remove them, or make the container a sidecar with `restartPolicy: Always` if it should keep running next to the app"
            }
            ContainerKind::Ephemeral => {
                "the API server forbids these fields on ephemeral containers (`cannot be set for an Ephemeral Container`); remove them"
            }
        };
        for field in ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"] {
            let Some(entry) = c.node.entry(field) else { continue };
            if entry.value.is_null() {
                continue;
            }
            let mut d = ctx
                .diag(obj, entry.key.span, format!("{} sets `{field}`, which is not allowed there", c.describe()))
                .with_primary_label("not allowed here")
                .with_help(help);
            if let Some(rp) = c.node.entry("restartPolicy") {
                d = d.with_label(obj.file, rp.value.span, "only `restartPolicy: Always` makes an init container a sidecar");
            }
            ctx.push(d);
        }
    }
}
