//! `duplicate-env-var`: a container sets the same environment variable twice.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "duplicate-env-var",
    severity: Severity::Warning,
    category: Category::Workloads,
    summary: "A container's env list sets the same variable twice",
    fix: false,
    doc: include_str!("../../../rules/duplicate-env-var.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for c in t.containers() {
        let mut seen: HashMap<&str, &Node> = HashMap::new();
        for e in c.env() {
            let Some(node) = e.get("name") else { continue };
            let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            // Redefining a variable in terms of itself (`PATH: $(PATH):/opt/bin`) is the
            // one accepted pattern (no API warning).
            let reference = format!("$({name})");
            let extends = e.get("valueFrom").is_none()
                && e.get("value")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v != reference && v.contains(&reference));
            if extends {
                continue;
            }
            if let Some(first) = seen.get(name) {
                let d = ctx
                    .diag(
                        obj,
                        node.span,
                        format!("{} sets the environment variable `{name}` twice; the last value wins", c.describe()),
                    )
                    .with_primary_label("set again here")
                    .with_label(obj.file, first.span, "first set here")
                    .with_help(format!("the API server warns `hides previous definition of \"{name}\", which may be dropped when using apply`; remove one of the two entries"));
                ctx.push(d);
            } else {
                seen.insert(name, node);
            }
        }
    }
}
