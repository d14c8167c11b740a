//! `image-without-digest`: a container image not pinned by digest (opt-in hardening check).

use super::hardening;
use crate::diagnostics::Severity;
use crate::model::fields::is_templated;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "image-without-digest",
    severity: Severity::Info,
    category: Category::Security,
    summary: "Opt-in hardening: a container image is referenced by tag, not by digest",
    fix: false,
    doc: include_str!("../../../rules/image-without-digest.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = hardening::pod_template(ctx, obj) else { return };
    for c in t.containers() {
        let Some(node) = c.image() else { continue };
        let Some(image) = node.as_str().map(str::trim) else { continue };
        if image.is_empty() || is_templated(image) || image.contains("@sha256:") {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                node.span,
                format!("image `{image}` of {} is not pinned by digest", c.describe()),
            )
            .with_primary_label("a tag can be moved")
            .with_help("a tag can be re-pushed to point at other content; `image: name:tag@sha256:<digest>` runs exactly what was reviewed (tools such as crane or skopeo print the digest)");
        ctx.push(d);
    }
}
