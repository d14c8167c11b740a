//! Findings that the repository layout makes wrong: a kustomize patch "missing" the fields
//! its base has, a selector kustomize will write, a placeholder a later tool substitutes, a
//! value or a block that SOPS's decryption replaces.

use std::collections::HashSet;
use std::path::Path;

use super::{paths, sops, Partial, Project, Role, RULE_HELM_CHART};
use crate::diagnostics::{Diagnostic, Severity};
use crate::schema;
use crate::source::SourceFile;
use crate::yaml::{ParsedFile, Span, RULE_DUPLICATE_KEY, RULE_LIMITS, RULE_SYNTAX};

const MISSING_REQUIRED: &str = "missing-required-field";
const UNKNOWN_FIELD: &str = "unknown-field";
const SERVICE_WITHOUT_SELECTOR: &str = "service-without-selector";
const IMAGE_LATEST_TAG: &str = "image-latest-tag";

/// Drops the findings that do not apply to the file as the repository uses it.
pub fn retain_applicable(
    diags: &mut Vec<Diagnostic>,
    files: &[SourceFile],
    parsed: &[ParsedFile],
    project: &Project,
) {
    let before = blocked_documents(diags);
    let sops = sops::Metadata::of(parsed);
    diags.retain(|d| {
        let Some(file) = files.get(d.file) else {
            return true;
        };
        if is_about_the_text(d.rule) {
            return true;
        }
        let text = file.text.get(d.span.range()).unwrap_or_default();
        // `${VAR}` (clusterctl, envsubst, Flux post-build) and `{{ }}` stand for values a
        // later tool writes in: the value kubevet sees is not the one the cluster gets.
        if text.contains("${") || text.contains("{{") {
            return false;
        }
        // An encrypted value, and SOPS's own metadata, are gone once the file is decrypted.
        if sops::is_ciphertext(text) || sops.contains(d.file, d.span) {
            return false;
        }
        match project.role(d.file) {
            Role::Partial(kind) => {
                // A partial object sets some fields; what it leaves out comes from elsewhere,
                // so neither its absence nor a CEL rule reading it is a finding.
                if d.rule == MISSING_REQUIRED || schema::is_cel_absent_field_failure(d) {
                    return false;
                }
                // `$patch`, `$setElementOrder/...` are strategic-merge directives; chainsaw
                // keys such as `(length(x))` are expressions.
                let expression =
                    text.starts_with('$') || (kind == Partial::TestStep && text.starts_with('('));
                !(expression && (d.rule == UNKNOWN_FIELD || kind == Partial::TestStep))
            }
            // kustomize writes `commonLabels` into workload and Service selectors, creating
            // them where the base has none.
            // An `images` entry of the kustomization sets the tag the base leaves out.
            Role::Manifest if d.rule == IMAGE_LATEST_TAG => {
                let name = image_name(text);
                !project
                    .transforms(&file.path)
                    .is_some_and(|t| t.pinned_images.iter().any(|i| i == name))
            }
            Role::Manifest => {
                let selector_missing = d.rule == SERVICE_WITHOUT_SELECTOR
                    || (d.rule == MISSING_REQUIRED
                        && d.message.starts_with("missing required field `selector`"));
                !(selector_missing
                    && project
                        .transforms(&file.path)
                        .is_some_and(|t| t.fills_selectors))
            }
            _ => true,
        }
    });
    // The note that a custom resource's CEL rules were not evaluated falls with the schema
    // errors that explain it when they are dropped here (a patch's missing field, a
    // placeholder's type); not when configuration hid them, as those errors stand.
    let after = blocked_documents(diags);
    diags.retain(|d| {
        !schema::is_cel_blocked_note(d)
            || after.contains(&(d.file, d.document))
            || !before.contains(&(d.file, d.document))
    });
}

/// The documents with a schema error that keeps the API server from running CEL rules.
fn blocked_documents(diags: &[Diagnostic]) -> HashSet<(usize, Option<usize>)> {
    diags
        .iter()
        .filter(|d| schema::blocks_cel(d))
        .map(|d| (d.file, d.document))
        .collect()
}

/// Findings about the text itself stand whatever the file is used for.
fn is_about_the_text(rule: &str) -> bool {
    matches!(rule, RULE_SYNTAX | RULE_DUPLICATE_KEY | RULE_LIMITS)
        || rule == crate::source::RULE_UNREADABLE
}

/// One note per Helm chart whose templates were skipped, on its `Chart.yaml` when the run
/// has it, else on the first template.
pub fn chart_notes(project: &Project, files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (root, templates) in &project.charts {
        let chart_yaml = root.join("Chart.yaml");
        let anchor = files
            .iter()
            .position(|f| paths::normalize(Path::new(&f.path)) == chart_yaml)
            .or_else(|| templates.first().copied());
        let Some(id) = anchor else { continue };
        let Some(file) = files.get(id) else { continue };
        let first_line = file.text.find('\n').unwrap_or(file.text.len());
        let name = chart_name(&file.text).unwrap_or_else(|| {
            root.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let dir = if root.as_os_str().is_empty() {
            ".".to_string()
        } else {
            root.display().to_string()
        };
        let n = templates.len();
        out.push(
            Diagnostic::new(
                RULE_HELM_CHART,
                Severity::Info,
                id,
                Span::new(0, first_line.min(file.text.len())),
                format!(
                    "Helm chart `{name}`: {n} template{} not checked: templates are not YAML until Helm renders them",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_help(format!(
                "check what the chart renders: `helm template {dir} | kubevet check -` (add `-f <values file>` for the values you deploy with)"
            )),
        );
    }
    out
}

/// `name:` of a `Chart.yaml`, read without parsing (the file is not checked).
fn chart_name(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("name:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
}

/// `registry:5000/app:1.2@sha256:...` -> `registry:5000/app`, as kustomize's `images[].name`
/// matches.
fn image_name(image: &str) -> &str {
    let image = image.trim();
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rfind('/').map_or(0, |i| i + 1);
    match image[last..].find(':') {
        Some(colon) => &image[..last + colon],
        None => image,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_names_drop_tag_and_digest_only() {
        assert_eq!(super::image_name("nginx"), "nginx");
        assert_eq!(super::image_name("nginx:1.27"), "nginx");
        assert_eq!(
            super::image_name("localhost:5000/app:1"),
            "localhost:5000/app"
        );
        assert_eq!(super::image_name("ghcr.io/a/b@sha256:00"), "ghcr.io/a/b");
    }
}
