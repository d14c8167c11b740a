//! `duplicate-env-var`: a container sets the same environment variable twice.


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
        // Sorted rather than hashed: a container may hold a million variables, and a
        // sorted vector of them takes half the memory of a hash map (and no hashing).
        let mut named: Vec<(&str, usize, &Node)> = Vec::new();
        for (i, e) in c.env().enumerate() {
            let Some(node) = e.get("name") else { continue };
            let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            // Redefining a variable in terms of itself (`PATH: $(PATH):/opt/bin`) is the
            // one accepted pattern (no API warning).
            let extends = e.get("valueFrom").is_none()
                && e.get("value")
                    .and_then(Node::as_str)
                    .is_some_and(|v| extends_itself(v, name));
            if !extends {
                named.push((name, i, node));
            }
        }
        named.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        for group in named.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(_, _, first)) = group.first() else {
                continue;
            };
            for &(name, _, node) in &group[1..] {
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
            }
        }
    }
}

/// True when `value` holds `$(name)` and is more than just that.
fn extends_itself(value: &str, name: &str) -> bool {
    let refers = |at: usize| {
        value[at + 2..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(')'))
    };
    value.len() != name.len() + 3 && value.match_indices("$(").any(|(at, _)| refers(at))
}
