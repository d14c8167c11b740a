//! `runtime-class-invalid`: RuntimeClasses the API server rejects (`ValidateRuntimeClass`): a
//! `handler` that is not a DNS label, an overhead resource pods cannot have, a toleration
//! listed twice; and, as a warning, the deprecated node labels the server warns about
//! (`GetWarningsForRuntimeClass`). The node selector's syntax and the tolerations themselves
//! are `node-selector-invalid`'s and `toleration-invalid`'s.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::fields::is_templated;
use crate::model::names::dns1123_label;
use crate::model::resource_names::container_resource_problem;
use crate::model::Object;
use crate::rules::api::{reject, reject_pair};
use crate::rules::podspec::pod_spec_warning::deprecated_label;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "runtime-class-invalid",
    severity: Severity::Error,
    category: Category::Scheduling,
    summary: "A RuntimeClass the API server rejects: a handler that is not a DNS label, an overhead resource pods cannot have, a toleration listed twice; deprecated node labels in its nodeSelector (a warning)",
    fix: false,
    doc: include_str!("../../../rules/runtime-class-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "RuntimeClass" || obj.group() != "node.k8s.io" {
        return;
    }
    let root = obj.root;
    if let Some(h) = root.get("handler") {
        if let Some(handler) = h.as_str().filter(|s| !is_templated(s)) {
            if let Some(problem) = dns1123_label(handler).into_iter().next() {
                reject(
                    ctx,
                    obj,
                    h,
                    format!("the handler `{handler}` is not a DNS label: {problem}"),
                    &format!("Invalid value: {handler:?}: {problem}"),
                    "the handler names the runtime in the CRI configuration of the nodes (containerd's `runtimes.<handler>`), in lowercase letters, digits and `-` (`runsc`, `kata-qemu`)",
                );
            }
        }
    }
    let pod_fixed = root.get("overhead").and_then(|o| o.get("podFixed"));
    for e in pod_fixed.map(Node::entries).unwrap_or_default() {
        let Some(name) = e.key.key_text().filter(|n| !is_templated(n)) else {
            continue;
        };
        if let Some(problem) = container_resource_problem(name) {
            reject(
                ctx,
                obj,
                &e.key,
                format!("`{name}` in `overhead.podFixed` is not a resource a pod can have"),
                &format!("Invalid value: {name:?}: {problem}"),
                "the overhead is added to each pod's requests: use `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or an extended resource with a domain",
            );
        }
    }
    let scheduling = root.get("scheduling");
    let mut seen: HashMap<(&str, &str, &str, &str), &Node> = HashMap::new();
    let tolerations = scheduling.and_then(|s| s.get("tolerations")).map(Node::items).unwrap_or_default();
    for t in tolerations.iter().filter(|t| t.is_map()) {
        let field = |k: &str| t.get(k).and_then(Node::as_str).unwrap_or("");
        let key = (field("key"), field("operator"), field("value"), field("effect"));
        if let Some(first) = seen.insert(key, t) {
            reject_pair(
                ctx,
                obj,
                t,
                first.span,
                "first listed here".into(),
                "this toleration repeats an earlier one (same key, operator, value and effect)".into(),
                "Duplicate value",
                "a RuntimeClass lists each toleration once; remove the copy",
            );
        }
    }
    let selector = scheduling.and_then(|s| s.get("nodeSelector"));
    for e in selector.map(Node::entries).unwrap_or_default() {
        let Some(key) = e.key.key_text() else { continue };
        if let Some(msg) = deprecated_label(key) {
            crate::rules::api::warn_admitted(
                ctx,
                obj,
                e.key.span,
                format!("the node label `{key}` is deprecated"),
                &format!("scheduling.nodeSelector: {msg}"),
            );
        }
    }
}
