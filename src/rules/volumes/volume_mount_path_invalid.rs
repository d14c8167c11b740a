//! `volume-mount-path-invalid`: an empty `mountPath`, or a `subPath`/`subPathExpr` that is
//! absolute or climbs out with `..`, or both set.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "volume-mount-path-invalid",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A volumeMount has an empty mountPath, or a subPath that is absolute or contains `..`",
    fix: false,
    doc: include_str!("../../../rules/volume-mount-path-invalid.md"),
    check: Check::Object(check),
};

/// Why Kubernetes' `validateLocalDescendingPath` rejects `path`, if it does.
pub fn descending_path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some("must be a relative path");
    }
    // `validatePathNoBacksteps` splits `filepath.ToSlash(path)` at `/`; on the (Linux) API
    // server `ToSlash` changes nothing, so a `\` is a character of a name, not a separator.
    if path.split('/').any(|p| p == "..") {
        return Some("must not contain '..'");
    }
    None
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for container in template.containers() {
        let who = container.describe();
        for mount in container.volume_mounts() {
            let mount_name = mount.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            if let Some(entry) = mount.entry("mountPath") {
                if entry.value.as_str() == Some("") {
                    let d = ctx
                        .diag(
                            obj,
                            entry.value.span,
                            format!("{who} mounts volume `{mount_name}` with an empty `mountPath`"),
                        )
                        .with_primary_label("empty")
                        .with_help("the API server rejects the pod (`mountPath: Required value`); give the directory inside the container, such as `/data`");
                    ctx.push(d);
                }
            }
            let sub_path = mount.get("subPath");
            let sub_expr = mount.get("subPathExpr");
            for (field, node) in [("subPath", sub_path), ("subPathExpr", sub_expr)] {
                let Some(node) = node else { continue };
                let Some(value) = node.as_str() else { continue };
                if let Some(problem) = descending_path_problem(value) {
                    let help = if problem.contains("relative") {
                        format!("`{field}` is a path inside the volume; drop the leading `/` (`{}`)", value.trim_start_matches('/'))
                    } else {
                        format!("`{field}` must stay inside the volume; remove the `..` segments")
                    };
                    let d = ctx
                        .diag(
                            obj,
                            node.span,
                            format!("`{field}: {value}` of {who}'s mount of `{mount_name}` {problem}"),
                        )
                        .with_primary_label(problem)
                        .with_help(format!("{help}; the API server rejects the pod otherwise"));
                    ctx.push(d);
                }
            }
            if let (Some(a), Some(b)) = (sub_path, sub_expr) {
                let non_empty = |n: &crate::yaml::Node| n.as_str().is_some_and(|s| !s.is_empty());
                if non_empty(a) && non_empty(b) {
                    let d = ctx
                        .diag(
                            obj,
                            b.span,
                            format!("{who}'s mount of `{mount_name}` sets both `subPath` and `subPathExpr`"),
                        )
                        .with_primary_label("subPathExpr")
                        .with_label(obj.file, a.span, "subPath")
                        .with_help("they are mutually exclusive (`subPathExpr and subPath are mutually exclusive`); keep one");
                    ctx.push(d);
                }
            }
        }
    }
}
