//! `resource-requirements-invalid`: container resources the API server rejects
//! (`ValidateContainerResourceRequirements`, `validateContainerResourceName`,
//! `ValidateResourceQuantityValue`): a resource name that is not a container resource,
//! extended resources and hugepages whose request differs from the limit or that have no
//! limit, fractional extended resources, hugepages without cpu or memory.
//!
//! A request above its limit is `request-exceeds-limit`'s finding, for every resource.

use crate::diagnostics::Severity;
use crate::model::quantity::{from_node, greater};
use crate::model::resource_names::is_native;
use crate::model::{Container, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "resource-requirements-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "Container resources the API server rejects: an unknown resource name, hugepages or extended resources whose request is not their limit, fractional extended resources, hugepages without cpu or memory",
    fix: false,
    doc: include_str!("../../../rules/resource-requirements-invalid.md"),
    check: Check::Object(check),
};

fn is_hugepages(name: &str) -> bool {
    name.strip_prefix("hugepages-").is_some_and(|s| !s.is_empty())
}

/// Resources whose request must equal the limit: everything but cpu, memory and
/// ephemeral-storage.
fn overcommit_allowed(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage")
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    for c in t.containers() {
        let Some(res) = c.node.entry("resources").filter(|e| e.value.is_map()) else {
            continue;
        };
        container(ctx, obj, &c, &res.key, &res.value);
    }
}

fn container(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, key: &Node, res: &Node) {
    let who = c.describe();
    let requests = res.get("requests").map(Node::entries).unwrap_or_default();
    let limits = res.get("limits").map(Node::entries).unwrap_or_default();
    let mut cpu_or_memory = false;
    let mut hugepages: Option<&Node> = None;
    for (list, entries) in [("requests", requests), ("limits", limits)] {
        for e in entries {
            let Some(name) = e.key.key_text() else { continue };
            if matches!(name, "cpu" | "memory") {
                cpu_or_memory = true;
            }
            if is_hugepages(name) && hugepages.is_none() {
                hugepages = Some(&e.key);
            }
            if !name.contains('/') && !overcommit_allowed(name) && !is_hugepages(name) {
                let hint = match name {
                    "storage" => "; a container's local disk is `ephemeral-storage`".to_string(),
                    "gpu" | "nvidia" => "; a GPU is an extended resource such as `nvidia.com/gpu`".to_string(),
                    _ if name.starts_with("requests.") || name.starts_with("limits.") => format!(
                        "; write `{}:` under `{}:`",
                        name.split_once('.').map_or(name, |x| x.1),
                        name.split_once('.').map_or(list, |x| x.0)
                    ),
                    _ => String::new(),
                };
                let d = ctx
                    .diag(obj, e.key.span, format!("`{name}` in the {list} of {who} is not a container resource"))
                    .with_primary_label("not a standard resource")
                    .with_help(format!(
                        "the API server rejects it (`{list}[{name}]: Invalid value: \"{name}\": must be a standard resource for containers`): use `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`, or an extended resource with a domain (`example.com/foo`){hint}"
                    ));
                ctx.push(d);
                continue;
            }
            if is_hugepages(name) {
                hugepage_multiple(ctx, obj, &who, list, name, &e.value);
            }
            if !is_native(name) {
                if let Some(Ok(q)) = from_node(&e.value) {
                    if q.value.fract() != 0.0 {
                        let text = e.value.text().unwrap_or_default();
                        let d = ctx
                            .diag(obj, e.value.span, format!("`{name}: {text}` in the {list} of {who} is not a whole number"))
                            .with_primary_label("must be an integer")
                            .with_help(format!("extended resources are counted in whole units, so the API server rejects it (`{list}[{name}]: Invalid value: \"{text}\": must be an integer`)"));
                        ctx.push(d);
                    }
                }
            }
        }
    }
    // Defaulting copies a missing request from the limit, so only a request without a
    // limit, or one that differs, is wrong.
    for r in requests {
        let Some(name) = r.key.key_text() else { continue };
        // `IsOvercommitAllowed`: every native resource but hugepages, and a name with a
        // `kubernetes.io/` domain counts as native (`IsPrefixedNativeResource`).
        if overcommit_allowed(name) || (is_native(name) && !is_hugepages(name)) {
            continue;
        }
        match limits.iter().find(|l| l.key.key_text() == Some(name)) {
            None => {
                let d = ctx
                    .diag(obj, r.key.span, format!("{who} requests `{name}` without a limit for it"))
                    .with_primary_label("needs a limit")
                    .with_help(format!(
                        "{name} cannot be overcommitted, so the API server rejects it (`limits[{name}]: Required value: Limit must be set for non overcommitable resources`); set `limits.{name}` to the same amount, or only set the limit (the request defaults to it)"
                    ));
                ctx.push(d);
            }
            Some(l) => {
                let (Some(Ok(rq)), Some(Ok(lq))) = (from_node(&r.value), from_node(&l.value)) else {
                    continue;
                };
                // A larger request is request-exceeds-limit's finding.
                if greater(lq.value, rq.value) {
                    let (rt, lt) = (r.value.text().unwrap_or_default(), l.value.text().unwrap_or_default());
                    let d = ctx
                        .diag(obj, r.value.span, format!("{who} requests {rt} of `{name}` but its limit is {lt}"))
                        .with_primary_label("must equal the limit")
                        .with_label(obj.file, l.value.span, "the limit")
                        .with_help(format!(
                            "{name} cannot be overcommitted, so the API server rejects it (`requests[{name}]: Invalid value: \"{rt}\": must be equal to {name} limit of {lt}`); set both to the same amount"
                        ));
                    ctx.push(d);
                }
            }
        }
    }
    if let Some(h) = hugepages {
        if !cpu_or_memory {
            let name = h.key_text().unwrap_or_default();
            let d = ctx
                .diag(obj, h.span, format!("{who} asks for `{name}` but sets no cpu or memory"))
                .with_primary_label("hugepages without cpu or memory")
                .with_label(obj.file, key.span, "these resources")
                .with_help("the API server rejects it (`resources: Forbidden: HugePages require cpu or memory`); add a `memory` (or `cpu`) request or limit");
            ctx.push(d);
        }
    }
}

/// `validateResourceQuantityHugePageValue`: a hugepages quantity is a whole number of
/// pages of the size in its name (`hugepages-2Mi`: multiples of 2Mi).
fn hugepage_multiple(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, who: &str, list: &str, name: &str, value: &Node) {
    let Some(size) = name.strip_prefix("hugepages-") else { return };
    let Ok(page) = crate::model::quantity::parse(size) else { return };
    let Some(Ok(q)) = from_node(value) else { return };
    if page.value < 1.0 || page.value.fract() != 0.0 || q.value < 0.0 || q.value > 9.0e15 {
        return;
    }
    // `Quantity.Value()` rounds up to a whole number of bytes.
    let bytes = q.value.ceil() as u64;
    let page = page.value as u64;
    if bytes.is_multiple_of(page) {
        return;
    }
    let text = value.text().unwrap_or_default();
    let d = ctx
        .diag(obj, value.span, format!("`{name}: {text}` in the {list} of {who} is not a whole number of {size} pages"))
        .with_primary_label(format!("not a multiple of {size}"))
        .with_help(format!(
            "the API server rejects it (`{list}[{name}]: Invalid value: \"{text}\": {text} is not positive integer multiple of {name}`); use a multiple of {size}, e.g. `{}`",
            format_pages(bytes.div_ceil(page), size)
        ));
    ctx.push(d);
}

fn format_pages(pages: u64, size: &str) -> String {
    let digits: String = size.chars().take_while(char::is_ascii_digit).collect();
    let unit = &size[digits.len()..];
    match digits.parse::<u64>() {
        Ok(n) => format!("{}{unit}", n * pages.max(1)),
        Err(_) => size.to_string(),
    }
}
