//! `invalid-container-name`: container names must be DNS-1123 labels, unique in the pod.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::names::dns1123_label;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-container-name",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A container name is not a DNS-1123 label, or is used twice in the pod",
    fix: false,
    doc: include_str!("../../../rules/invalid-container-name.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for c in t.containers() {
        let Some(node) = c.node.get("name") else {
            continue;
        };
        let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        let errs = dns1123_label(name);
        if !errs.is_empty() {
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!(
                        "container name `{name}` is not valid: it {}",
                        errs.join("; ")
                    ),
                )
                .with_primary_label("invalid container name")
                .with_help(format!(
                    "container names are RFC 1123 labels, for example `{}`",
                    suggest(name)
                ));
            ctx.push(d);
        }
        if let Some(first) = seen.get(name) {
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!("the container name `{name}` is used twice in the pod"),
                )
                .with_primary_label("used again here")
                .with_label(obj.file, first.span, "first used here")
                .with_help("names must be unique across containers, initContainers and ephemeralContainers (`Duplicate value`); rename one");
            ctx.push(d);
        } else {
            seen.insert(name, node);
        }
    }
}

/// A valid label close to `name`: lowercase, other characters turned into `-`.
fn suggest(name: &str) -> String {
    let mut s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    let s: String = s.chars().take(63).collect();
    if s.is_empty() {
        "app".into()
    } else {
        s.trim_end_matches('-').to_string()
    }
}
