//! `mount-path-not-absolute`: a `mountPath` that is not an absolute path.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "mount-path-not-absolute",
    severity: Severity::Warning,
    category: Category::Volumes,
    summary: "A volumeMount's mountPath is not an absolute path",
    fix: true,
    doc: include_str!("../../../rules/mount-path-not-absolute.md"),
    check: Check::Object(check),
};

/// `C:\data`, `C:/data`, `\\.\pipe\x`: Windows container paths.
fn is_windows_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
        || p.starts_with("\\\\")
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for container in template.containers() {
        for mount in container.volume_mounts() {
            let Some(node) = mount.get("mountPath") else { continue };
            let Some(path) = node.as_str() else { continue };
            if path.is_empty()
                || path.starts_with('/')
                || is_windows_absolute(path)
                || crate::model::fields::is_templated(path)
            {
                continue;
            }
            let fixed = format!("/{path}");
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!("`mountPath: {path}` of {} is not an absolute path", container.describe()),
                )
                .with_primary_label("relative path")
                .with_help(format!(
                    "the API server accepts it, but container runtimes expect an absolute mount destination and resolve or reject a relative one; write `{fixed}`"
                ))
                .with_fix(
                    format!("make it `{fixed}`"),
                    vec![crate::diagnostics::Edit {
                        span: crate::yaml::Span::empty(node.span.start as usize + quote_len(node)),
                        new_text: "/".into(),
                    }],
                );
            ctx.push(d);
        }
    }
}

/// 1 when the scalar is quoted (the edit goes after the quote), else 0.
fn quote_len(node: &crate::yaml::Node) -> usize {
    node.scalar().map_or(0, |s| usize::from(s.style.is_quoted()))
}
