//! `duplicate-port-name`: a container declares two ports with the same name.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "duplicate-port-name",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A container declares two ports with the same name",
    fix: false,
    doc: include_str!("../../../rules/duplicate-port-name.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for c in t.containers() {
        let mut seen: HashMap<&str, &Node> = HashMap::new();
        for p in c.ports() {
            let Some(node) = p.get("name") else { continue };
            let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            if let Some(first) = seen.get(name) {
                let d = ctx
                    .diag(
                        obj,
                        node.span,
                        format!("{} declares the port name `{name}` twice", c.describe()),
                    )
                    .with_primary_label("declared again here")
                    .with_label(obj.file, first.span, "first declared here")
                    .with_help("the API server rejects it (`ports[1].name: Duplicate value`); give each port its own name");
                ctx.push(d);
            } else {
                seen.insert(name, node);
            }
        }
    }
}
