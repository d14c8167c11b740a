//! The run itself: inputs -> parsed files -> objects -> schema -> rules -> sorted report.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::model::{self, Object, Workspace};
use crate::source::{self, InputError, SourceFile};
use crate::yaml::{self, Limits, ParsedFile};
use crate::{rules, schema};

/// Default `--max-file-size`: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// What to check.
#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub max_file_size: u64,
    pub limits: Limits,
    /// CustomResourceDefinition files or directories (`--crd`).
    pub crd_paths: Vec<PathBuf>,
    pub config: Config,
    /// The name findings in standard input are reported under (`--stdin-filename`).
    pub stdin_filename: Option<String>,
    /// Per-file `.kubevet.yaml` settings; `None` = none apply.
    pub configs: Option<std::sync::Arc<crate::config::Resolver>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: Limits::default(),
            crd_paths: Vec::new(),
            config: Config::default(),
            stdin_filename: None,
            configs: None,
        }
    }
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Report {
    pub files: Vec<SourceFile>,
    /// Sorted (file, position, rule).
    pub diagnostics: Vec<Diagnostic>,
    pub documents: usize,
    pub objects: usize,
    /// The Kubernetes version validated against (`None`: no schemas were available).
    pub kubernetes_version: Option<String>,
    /// `files[..inputs]` are the checked files; the rest come from `--crd`.
    pub inputs: usize,
}

impl Report {
    pub fn count(&self, severity: diagnostics::Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Checks the paths named in `opts`. Only a usage problem (a path that does not exist) is
/// an `Err`; everything wrong with the input itself is a diagnostic.
pub fn check(opts: &Options) -> Result<Report, InputError> {
    // A `--kubernetes-version` with no bundled schemas is a usage error.
    schema::SchemaSet::new(opts.config.kubernetes_version.as_deref()).map_err(InputError::Usage)?;
    let mut inputs = source::discover(&opts.paths)?;
    if let Some(r) = &opts.configs {
        exclude_inputs(r, &mut inputs, &opts.paths)?;
    }
    let crd_inputs = source::discover(&opts.crd_paths)?;
    let n_inputs = inputs.len();
    let read: Vec<(SourceFile, Option<Diagnostic>)> = inputs
        .par_iter()
        .chain(crd_inputs.par_iter())
        .enumerate()
        .map(|(id, input)| source::read_input(id, input, opts.max_file_size))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    let mut diags = Vec::new();
    for (file, d) in read {
        files.push(file);
        diags.extend(d);
    }
    let (files, n_inputs) =
        source::name_stdin(files, n_inputs, &mut diags, opts.stdin_filename.as_deref());
    Ok(check_files_with_crds(files, n_inputs, diags, opts))
}

/// Checks one in-memory text as if it were a file named `name`.
pub fn check_text(name: &str, text: &str, opts: &Options) -> Report {
    let file = SourceFile::new(0, name.to_string(), text.to_string());
    check_files(vec![file], Vec::new(), opts)
}

/// Checks files already in memory (used by tests and `check`).
pub fn check_files(files: Vec<SourceFile>, diags: Vec<Diagnostic>, opts: &Options) -> Report {
    let n = files.len();
    check_files_with_crds(files, n, diags, opts)
}

/// Checks files again after `--fix` changed them: `files[..n_inputs]` are inputs.
pub(crate) fn recheck(
    files: Vec<SourceFile>,
    n_inputs: usize,
    diags: Vec<Diagnostic>,
    opts: &Options,
) -> Report {
    check_files_with_crds(files, n_inputs, diags, opts)
}

/// Checks `files[..n_inputs]`; the files after them come from `--crd` and only contribute
/// their CustomResourceDefinitions.
fn check_files_with_crds(
    files: Vec<SourceFile>,
    n_inputs: usize,
    mut diags: Vec<Diagnostic>,
    opts: &Options,
) -> Report {
    let mut timer = StageTimer::from_env();
    let parsed: Vec<ParsedFile> = files
        .par_iter()
        .map(|f| yaml::parse_file(f, &opts.limits))
        .collect();
    timer.stage("parse");
    let n_inputs = n_inputs.min(files.len());
    let documents = parsed[..n_inputs].iter().map(|p| p.documents.len()).sum();
    let mut objects: Vec<Object<'_>> = Vec::new();
    for (i, (file, p)) in files.iter().zip(&parsed).enumerate() {
        diags.extend(p.diagnostics.iter().cloned());
        if i < n_inputs {
            model::extract_objects(file.id, &p.documents, &mut objects, &mut diags);
        }
    }
    timer.stage("model");
    diags.extend(schema_stage(&files, &parsed, n_inputs, opts, &mut timer));
    timer.stage("schema");
    let object_count = objects.len();
    let ws = Workspace::new(&files, objects, opts.config.default_namespace.clone());
    diags.extend(rules::run(&ws, &opts.config));
    timer.stage("rules");
    diags.retain(|d| opts.config.is_enabled(d.rule) || is_input_rule(d.rule));
    if let Some(r) = &opts.configs {
        r.apply(&files[..n_inputs], &mut diags, is_input_rule);
    }
    if !opts.config.no_ignore {
        let enabled = |f: &SourceFile, rule: &str| {
            opts.config.is_enabled(rule)
                && opts
                    .configs
                    .as_ref()
                    .is_none_or(|r| r.rule_enabled(&f.path, rule))
        };
        crate::suppress::apply(
            &files[..n_inputs],
            &parsed[..n_inputs],
            &mut diags,
            &enabled,
        );
    }
    attach_objects(&ws, &mut diags);
    diagnostics::sort_and_dedup(&mut diags);
    drop(ws);
    drop(parsed);
    timer.stage("report");
    Report {
        files,
        diagnostics: diags,
        documents,
        objects: object_count,
        kubernetes_version: schema::SchemaSet::new(opts.config.kubernetes_version.as_deref())
            .ok()
            .map(|s| s.version().to_string()),
        inputs: n_inputs,
    }
}

/// Validates every input document against the schemas of the chosen Kubernetes version
/// and the CRDs of the run (from `--crd` files and from the input itself).
fn schema_stage(
    files: &[SourceFile],
    parsed: &[ParsedFile],
    n_inputs: usize,
    opts: &Options,
    timer: &mut StageTimer,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut set = match schema::SchemaSet::new(opts.config.kubernetes_version.as_deref()) {
        Ok(s) => s,
        // `check` refuses a bad version up front; in-memory callers get no schema stage.
        Err(_) => return out,
    };
    set.strict_kinds = opts.config.strict_kinds;
    // `--crd` files first, so a CRD in the input (the newer one, usually) wins.
    let order = (n_inputs..files.len()).chain(0..n_inputs);
    let crds: Vec<(usize, &yaml::Document)> = order
        .flat_map(|i| parsed[i].documents.iter().map(move |d| (i, d)))
        .filter(|(_, d)| schema::is_crd(&d.root))
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
    timer.stage("crds");
    // Per document, not per file: a few files of the corpus hold megabytes of CRDs, and
    // per-file work would leave one core idle behind them.
    let docs: Vec<(usize, &yaml::Document)> = parsed[..n_inputs]
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.documents.iter().map(move |d| (i, d)))
        .collect();
    let found: Vec<Vec<Diagnostic>> = docs
        .par_iter()
        .with_max_len(1)
        .map(|(i, d)| {
            let root = &d.root;
            let found = if root.get("apiVersion").is_none() && root.get("kind").is_none() {
                set.validate_fragment(files[*i].id, root)
            } else {
                set.validate(files[*i].id, root)
            };
            found
                .into_iter()
                .map(|x| x.with_document(d.index))
                .collect()
        })
        .collect();
    out.extend(found.into_iter().flatten());
    out
}

/// Drops walked files a configuration excludes, and makes sure every input's configuration
/// loads (a broken one is a usage error, reported with its spans).
fn exclude_inputs(
    r: &crate::config::Resolver,
    inputs: &mut Vec<source::Input>,
    named: &[PathBuf],
) -> Result<(), InputError> {
    let mut kept = Vec::with_capacity(inputs.len());
    for input in inputs.drain(..) {
        if let source::Input::File(p) = &input {
            r.for_path(p).map_err(|e| InputError::Usage(e.render()))?;
            let excluded = r
                .is_excluded(p)
                .map_err(|e| InputError::Usage(e.render()))?;
            if excluded && !named.contains(p) {
                continue;
            }
        }
        kept.push(input);
    }
    *inputs = kept;
    Ok(())
}

/// Input problems are always reported: switching them off would hide unchecked files.
fn is_input_rule(rule: &str) -> bool {
    matches!(
        rule,
        source::RULE_UNREADABLE | yaml::RULE_SYNTAX | yaml::RULE_LIMITS
    )
}

/// Fills `object` and `path` for diagnostics that name a document but not an object.
fn attach_objects(ws: &Workspace<'_>, diags: &mut [Diagnostic]) {
    let mut by_doc: HashMap<(usize, usize), Vec<&Object<'_>>> = HashMap::new();
    for o in &ws.objects {
        by_doc.entry((o.file, o.document)).or_default().push(o);
    }
    for d in diags.iter_mut() {
        let Some(doc) = d.document else { continue };
        let Some(candidates) = by_doc.get(&(d.file, doc)) else {
            continue;
        };
        let Some(obj) = candidates.iter().find(|o| o.root.span.contains(d.span)) else {
            continue;
        };
        if d.object.is_none() {
            d.object = Some(obj.to_ref());
        }
        if d.path.is_none() {
            d.path = obj.root.path_to(d.span).filter(|p| !p.is_empty());
        }
    }
}

/// Per-stage wall times on stderr when `KUBEVET_TIMINGS` is set: for benchmarking, not output.
struct StageTimer(Option<std::time::Instant>);

impl StageTimer {
    fn from_env() -> Self {
        StageTimer(std::env::var_os("KUBEVET_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn stage(&mut self, name: &str) {
        if let Some(t) = self.0 {
            eprintln!(
                "kubevet timing: {name:>7} {:8.1} ms",
                t.elapsed().as_secs_f64() * 1e3
            );
            self.0 = Some(std::time::Instant::now());
        }
    }
}
