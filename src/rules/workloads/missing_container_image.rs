//! `missing-container-image`: every container needs an `image`.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "missing-container-image",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A container has no image",
    fix: false,
    doc: include_str!("../../../rules/missing-container-image.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for c in t.containers() {
        if !c.node.is_map() {
            continue;
        }
        let span = match c.image() {
            // A non-string image is a type error (schema validation's).
            Some(i)
                if i.as_str().is_some_and(|s| !s.trim().is_empty())
                    || (!i.is_null() && i.as_str().is_none()) =>
            {
                continue
            }
            Some(i) => i.span,
            None => c.node.get("name").map_or(c.node.span, |n| n.span),
        };
        let d = ctx
            .diag(obj, span, format!("{} has no image", c.describe()))
            .with_primary_label("no `image`")
            .with_help("the API server requires `image` on every container (`containers[0].image: Required value`), e.g. `image: nginx:1.27`");
        ctx.push(d);
    }
}
