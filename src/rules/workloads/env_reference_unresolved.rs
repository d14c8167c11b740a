//! `env-reference-unresolved`: a `$(NAME)` in an env value, `command` or `args` that the
//! kubelet leaves as written, because no variable of that name is defined where it looks.
//!
//! The kubelet expands `$(NAME)` from the container's own variables only: those of `envFrom`,
//! then each `env` entry in order, a value seeing the entries above it; `command` and `args`
//! see them all. Service links (`*_SERVICE_HOST`, `*_PORT`) count too; the image's
//! environment does not. A reference it cannot resolve stays as written, `$(` and all
//! (`third_party/forked/golang/expansion`, `kubelet_pods.go`).

use crate::diagnostics::Severity;
use crate::model::{Container, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "env-reference-unresolved",
    severity: Severity::Warning,
    category: Category::Workloads,
    summary: "A `$(VAR)` in an env value, command or args names no variable of the container (or, in an env value, one defined only below it): Kubernetes passes it on as written",
    fix: false,
    doc: include_str!("../../../rules/env-reference-unresolved.md"),
    check: Check::Object(check),
};

/// The names `$(NAME)` refers to in `text`, with their byte offsets, as the kubelet's
/// expansion reads them: `$$` is an escaped `$`, and a `$(` without `)` is literal.
fn references(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            b'$' => i += 2,
            b'(' => match text[i + 2..].find(')') {
                Some(len) => {
                    out.push((i, &text[i + 2..i + 2 + len]));
                    i += len + 3;
                }
                None => break,
            },
            _ => i += 1,
        }
    }
    out
}

/// Names written the way variables are (`POD_IP`): shell command substitution in `args`
/// (`$(date +%s)`, `$(hostname)`) is not a reference anyone meant.
fn variable_like(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The service link variables the kubelet adds (`REDIS_SERVICE_HOST`, `REDIS_PORT_6379_TCP`).
fn service_link(name: &str) -> bool {
    name.contains("_SERVICE_") || name.ends_with("_PORT") || name.contains("_PORT_")
}

/// The span of `$(name)` at byte `at` of `value`, inside the scalar `node`, when the source
/// holds it as written; else the scalar's.
fn reference_span(ctx: &Ctx<'_, '_>, obj: &Object<'_>, node: &Node, value: &str, at: usize, name: &str) -> Span {
    let written = &value[at..at + name.len() + 3];
    let source = ctx.ws.file(obj.file).text.get(node.span.range()).unwrap_or("");
    match source.find(written) {
        Some(off) => {
            let start = node.span.start as usize + off;
            Span::new(start, start + written.len())
        }
        None => node.span,
    }
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    // kustomize's `vars` substitute `$(NAME)` in these very fields.
    if ctx.ws.is_open(obj.file) {
        return;
    }
    let Some(t) = PodTemplate::of(obj) else { return };
    for c in t.containers() {
        container(ctx, obj, &c);
    }
}

fn container(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>) {
    // Keys of a ConfigMap or Secret kubevet cannot list may define anything.
    if c.node.get("envFrom").is_some_and(|e| !e.items().is_empty()) {
        return;
    }
    let env: Vec<&Node> = c.env().filter(|e| e.is_map()).collect();
    let names: Vec<Option<&str>> = env
        .iter()
        .map(|e| e.get("name").and_then(Node::as_str))
        .collect();
    for (i, e) in env.iter().enumerate() {
        let Some(node) = e.get("value").filter(|_| e.get("valueFrom").is_none()) else {
            continue;
        };
        let Some(value) = node.as_str() else { continue };
        let this = names[i].unwrap_or("?");
        for (at, name) in references(value) {
            if !variable_like(name) || service_link(name) || names[..i].contains(&Some(name)) {
                continue;
            }
            let span = reference_span(ctx, obj, node, value, at, name);
            let later = names[i + 1..].contains(&Some(name));
            let (message, help) = if later {
                (
                    format!("`$({name})` in the value of `{this}` is passed on as written: `{name}` is defined below `{this}` in the env of {}", c.describe()),
                    format!("a value can only use the variables defined above it; move `{name}` above `{this}`"),
                )
            } else if name == this {
                (
                    format!("`$({name})` in the value of `{this}` is passed on as written: the image's own `{name}` is not visible to Kubernetes"),
                    format!("Kubernetes expands references to the container's `env` only, so `{name}` becomes the text as written; set the whole value (for `PATH`, the image's value with your addition)"),
                )
            } else {
                (
                    format!("`$({name})` in the value of `{this}` is passed on as written: {} has no variable `{name}`", c.describe()),
                    format!("define `{name}` in `env` above `{this}` (for the pod's IP or name, with `valueFrom.fieldRef`), or write `$$({name})` for the literal text"),
                )
            };
            let d = ctx
                .diag(obj, span, message)
                .with_primary_label("not expanded")
                .with_help(help);
            ctx.push(d);
        }
    }
    for field in ["command", "args"] {
        for item in c.node.get(field).map(Node::items).unwrap_or_default() {
            let Some(value) = item.as_str() else { continue };
            for (at, name) in references(value) {
                if !variable_like(name) || service_link(name) || names.contains(&Some(name)) {
                    continue;
                }
                let span = reference_span(ctx, obj, item, value, at, name);
                let d = ctx
                    .diag(obj, span, format!("`$({name})` in the {field} of {} is passed on as written: the container has no variable `{name}`", c.describe()))
                    .with_primary_label("not expanded")
                    .with_help(format!("Kubernetes expands `$(NAME)` in `{field}` from the container's `env` only (not the image's environment); define `{name}` there (for the pod's IP or name, with `valueFrom.fieldRef`), or write `$$({name})` for the literal text"));
                ctx.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn references_as_the_kubelet_reads_them() {
        assert_eq!(references("a $(X) b $(Y_1)"), vec![(2, "X"), (9, "Y_1")]);
        // `$$` escapes; a `$(` with no `)` is literal; a lone `$` is text.
        assert_eq!(references("$$(X) $ $(Y"), Vec::<(usize, &str)>::new());
        assert_eq!(references("$$$(X)"), vec![(2, "X")]);
        assert_eq!(references("$(date +%s)"), vec![(0, "date +%s")]);
    }
}
