//! The schema stage of a run: registers the CRDs of the run, then validates every input
//! document against the bundled schemas or its CRD.

use rayon::prelude::*;

use super::{is_crd, SchemaSet};
use crate::check::StageTimer;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::yaml::{self, ParsedFile};

/// How the stage treats the documents of one file (the project stage decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocMode {
    /// Not validated, and its CRDs not registered (not a manifest, or from `--crd`, whose
    /// CRDs are registered but whose documents are not validated).
    Skip,
    /// Partial objects (patches, test steps): validated, but a partial CRD is no definition.
    Partial,
    /// Validated in full; `fragments`: documents without `apiVersion` and `kind` too, field by
    /// field (only for files named explicitly: a walked file's fragment is not a manifest).
    Full { fragments: bool },
}

/// A `--crd` file that is a JSON Schema (kubeconform's CRD catalog holds them) rather than a
/// CustomResourceDefinition would otherwise add nothing without a word, leaving its custom
/// resources unvalidated. Only that mistake is named: a `--crd` directory also holds
/// kustomizations and patches, which are fine to pass over.
fn crd_files_without_crds(
    files: &[SourceFile],
    parsed: &[ParsedFile],
    n_inputs: usize,
    crds: &[(usize, &yaml::Document)],
) -> Vec<Diagnostic> {
    let with: std::collections::HashSet<usize> = crds.iter().map(|(i, _)| *i).collect();
    (n_inputs..files.len())
        .filter(|i| !with.contains(i) && !files[*i].text.is_empty())
        .filter(|&i| parsed[i].diagnostics.is_empty())
        .filter(|&i| parsed[i].documents.iter().any(|d| is_json_schema(&d.root)))
        .map(|i| {
            Diagnostic::new(
                crate::source::RULE_NO_MANIFESTS,
                Severity::Warning,
                files[i].id,
                yaml::Span::empty(0),
                format!(
                    "{} is a JSON Schema, not a CustomResourceDefinition: `--crd` takes no schema from it",
                    files[i].path
                ),
            )
            .with_help("pass the CustomResourceDefinition manifest itself (`kind: CustomResourceDefinition`, YAML or JSON), as `kubectl get crd NAME -o yaml` prints it")
        })
        .collect()
}

/// A root with `$schema`, or an object schema's `type` and `properties`, and no `kind`.
fn is_json_schema(root: &yaml::Node) -> bool {
    root.get("kind").is_none()
        && (root.get("$schema").is_some()
            || (root.get("type").and_then(yaml::Node::as_str) == Some("object")
                && root.get("properties").is_some()))
}

/// Validates every input document against the schemas of the chosen Kubernetes version
/// and the CRDs of the run (from `--crd` files and from the input itself).
pub(crate) fn run(
    files: &[SourceFile],
    parsed: &[ParsedFile],
    n_inputs: usize,
    modes: &[DocMode],
    config: &Config,
    leak_at_end: bool,
    timer: &mut StageTimer,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut set = match SchemaSet::new(config.kubernetes_version.as_deref()) {
        Ok(s) => s,
        // `check` refuses a bad version up front; in-memory callers get no schema stage.
        Err(_) => return out,
    };
    set.strict_kinds = config.strict_kinds;
    // `--crd` files first, so a CRD in the input (the newer one, usually) wins.
    let order = (n_inputs..files.len()).chain(0..n_inputs);
    let crds: Vec<(usize, &yaml::Document)> = order
        .filter(|&i| i >= n_inputs || matches!(modes[i], DocMode::Full { .. }))
        .flat_map(|i| parsed[i].documents.iter().map(move |d| (i, d)))
        .filter(|(_, d)| is_crd(&d.root))
        .collect();
    // Converting CRD schemas is the costly part and independent per CRD; registering them
    // stays in order so that the input's CRD wins over a `--crd` one.
    let prepared: Vec<_> = crds
        .par_iter()
        .map(|(i, d)| set.prepare_crd(files[*i].id, &d.root))
        .collect();
    for ((_, d), p) in crds.iter().zip(prepared) {
        out.extend(
            set.insert_crd(p)
                .into_iter()
                .map(|x| x.with_document(d.index)),
        );
    }
    out.extend(crd_files_without_crds(files, parsed, n_inputs, &crds));
    timer.stage("crds");
    // Per document, not per file: a few files of the corpus hold megabytes of CRDs, and
    // per-file work would leave one core idle behind them.
    let mut docs: Vec<(usize, &yaml::Document)> = parsed[..n_inputs]
        .iter()
        .enumerate()
        .filter(|(i, _)| modes[*i] != DocMode::Skip)
        .flat_map(|(i, p)| p.documents.iter().map(move |d| (i, d)))
        .collect();
    // Largest first, so that no big document is left for one core at the end (the report
    // is sorted afterwards).
    docs.sort_by_key(|(_, d)| std::cmp::Reverse(d.root.span.len()));
    let mut keys = Vec::new();
    for (_, d) in &docs {
        kinds_of(&d.root, &mut keys);
    }
    set.warm(&keys);
    let found: Vec<Vec<Diagnostic>> = docs
        .par_iter()
        .with_max_len(1)
        .map(|(i, d)| {
            let root = &d.root;
            let found = if root.get("apiVersion").is_none() && root.get("kind").is_none() {
                if modes[*i] != (DocMode::Full { fragments: true }) {
                    return Vec::new();
                }
                set.validate_fragment(files[*i].id, root)
            } else {
                set.validate_document(files[*i].id, d)
            };
            found
                .into_iter()
                .map(|x| x.with_document(d.index))
                .collect()
        })
        .collect();
    out.extend(found.into_iter().flatten());
    if leak_at_end {
        // Compiled schemas are many small allocations (see `Options::leak_at_end`).
        std::mem::forget(set);
    }
    out
}

/// The (apiVersion, kind) and size of a document, or of the items of a `kind: List`.
fn kinds_of<'n>(root: &'n yaml::Node, out: &mut Vec<(&'n str, &'n str, usize)>) {
    let (Some(api_version), Some(kind)) = (
        root.get("apiVersion").and_then(yaml::Node::as_str),
        root.get("kind").and_then(yaml::Node::as_str),
    ) else {
        return;
    };
    if api_version == "v1" && kind == "List" {
        for item in root.get("items").map(yaml::Node::items).unwrap_or_default() {
            kinds_of(item, out);
        }
    } else {
        out.push((api_version, kind, root.span.len()));
    }
}
