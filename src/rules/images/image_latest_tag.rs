//! `image-latest-tag`: an image with no tag or the `latest` tag.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "image-latest-tag",
    severity: Severity::Info,
    category: Category::Images,
    summary: "A container image has no tag or uses `latest`",
    fix: false,
    doc: include_str!("../../../rules/image-latest-tag.md"),
    check: Check::Object(check),
};

/// `(tag, digest)` of an image reference. The tag follows the last `:` after the last `/`.
pub fn split_image(image: &str) -> (Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_segment = rest.rsplit('/').next().unwrap_or(rest);
    (last_segment.split_once(':').map(|(_, t)| t), digest)
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for c in t.containers() {
        let Some(node) = c.image() else { continue };
        let Some(image) = node.as_str() else { continue };
        let image_t = image.trim();
        if image_t.is_empty() || crate::model::fields::is_templated(image_t) {
            continue;
        }
        let (tag, digest) = split_image(image_t);
        if digest.is_some() {
            continue;
        }
        let what = match tag {
            None => "has no tag, so it means `latest`",
            Some("latest") => "uses the `latest` tag",
            Some(_) => continue,
        };
        let policy = c.node.get("imagePullPolicy").and_then(|p| p.as_str());
        let interplay = match policy {
            None => "With no `imagePullPolicy`, Kubernetes defaults it to `Always` for `latest` (and `IfNotPresent` for any other tag), so every container start pulls whatever `latest` is at that moment".to_string(),
            Some("Always") => "`imagePullPolicy: Always` pulls on every start, so each restart may run a different image".to_string(),
            Some(p) => format!("with `imagePullPolicy: {p}` each node keeps the `latest` it pulled first, so nodes can run different versions and a new push is never picked up"),
        };
        let d = ctx
            .diag(obj, node.span, format!("image `{image_t}` of {} {what}", c.describe()))
            .with_primary_label("mutable tag")
            .with_help(format!(
                "{interplay}. Pin a version tag (`{}:1.2.3`) or a digest (`@sha256:...`) so rollouts and rollbacks are reproducible",
                image_t.split('@').next().unwrap_or(image_t).trim_end_matches(":latest")
            ));
        ctx.push(d);
    }
}
