//! The run itself: inputs -> parsed files -> objects -> schema -> rules -> sorted report.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::model::{self, Object, Workspace};
use crate::project::{self, Partial, Project, Role, Skip, SkipCounts};
use crate::schema::stage::DocMode;
use crate::source::{self, InputError, SourceFile};
use crate::yaml::{self, Limits, ParsedFile};
use crate::{rules, schema};

mod inputs;
mod timer;

pub(crate) use timer::StageTimer;

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
    /// Treat files named on the command line like files found by walking: skip those that
    /// hold no Kubernetes object (pre-commit names every changed YAML file).
    pub skip_non_manifests: bool,
    /// The name findings in standard input are reported under (`--stdin-filename`).
    pub stdin_filename: Option<String>,
    /// What standard input (`-`) holds, when it is not the process's own: an editor buffer
    /// the language server checks.
    pub stdin_text: Option<std::sync::Arc<str>>,
    /// Per-file `.kubevet.yaml` settings; `None` = none apply.
    pub configs: Option<std::sync::Arc<crate::config::Resolver>>,
    /// The process exits right after this run: the run's trees and compiled schemas are
    /// left to the exit rather than freed one allocation at a time (freeing them was a
    /// tenth of a run's CPU time on a repository with many CRDs).
    pub leak_at_end: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: Limits::default(),
            crd_paths: Vec::new(),
            config: Config::default(),
            skip_non_manifests: false,
            stdin_filename: None,
            stdin_text: None,
            configs: None,
            leak_at_end: false,
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
    /// Files not checked, by reason (found by walking but not Kubernetes, Helm templates...).
    pub skipped: SkipCounts,
    /// The Kubernetes version validated against (`None`: no schemas were available).
    pub kubernetes_version: Option<String>,
    /// `files[..inputs]` are the checked files; the rest come from `--crd`.
    pub inputs: usize,
    /// What the project stage learnt about the inputs, for re-checks after `--fix`.
    pub(crate) layout: Layout,
}

impl Report {
    pub fn count(&self, severity: diagnostics::Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Files that were checked (read, not skipped).
    pub fn checked_files(&self) -> usize {
        self.files.len() - self.skipped.values().sum::<usize>()
    }
}

/// Checks the paths named in `opts`. Only a usage problem (a path that does not exist) is
/// an `Err`; everything wrong with the input itself is a diagnostic.
pub fn check(opts: &Options) -> Result<Report, InputError> {
    // A `--kubernetes-version` with no bundled schemas is a usage error.
    let mut timer = StageTimer::from_env();
    schema::SchemaSet::new(opts.config.kubernetes_version.as_deref()).map_err(InputError::Usage)?;
    let crd_inputs = source::discover(&opts.crd_paths)?;
    let (inputs, project, mut read) = inputs::walk_and_read(opts)?;
    let n_inputs = inputs.len();
    read.extend(
        crd_inputs
            .par_iter()
            .enumerate()
            .map(|(i, input)| source::read_input(n_inputs + i, input, opts.max_file_size))
            .collect::<Vec<_>>(),
    );
    let mut files = Vec::with_capacity(read.len());
    let mut diags = Vec::new();
    for (file, d) in read {
        files.push(file);
        diags.extend(d);
    }
    timer.stage("read");
    let walked: Vec<bool> = inputs.iter().map(|i| inputs::is_walked(i, opts)).collect();
    diags.extend(source::empty_stdin(
        &files,
        opts.stdin_filename.is_some(),
        &diags,
    ));
    let (files, n_inputs, new_id) =
        source::name_stdin(files, n_inputs, &mut diags, opts.stdin_filename.as_deref());
    // Standard input split into the templates of `helm template` output: later inputs move.
    let layout = Layout { project, walked }.remap(&new_id, files.len());
    let mut report = run(files, n_inputs, layout, diags, opts);
    inputs::no_objects(&mut report, opts);
    Ok(report)
}

/// Checks one in-memory text as if it were a file named `name`.
pub fn check_text(name: &str, text: &str, opts: &Options) -> Report {
    let file = SourceFile::new(0, name.to_string(), text.to_string());
    check_files(vec![file], Vec::new(), opts)
}

/// Checks files already in memory (used by tests and `check`), as if named explicitly.
pub fn check_files(files: Vec<SourceFile>, diags: Vec<Diagnostic>, opts: &Options) -> Report {
    let n = files.len();
    run(files, n, Layout::default(), diags, opts)
}

/// What the project stage learnt about the inputs: each one's role, and whether it was
/// found by walking a directory.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    project: Project,
    walked: Vec<bool>,
}

impl Layout {
    /// Follows the inputs to their new positions (`new_id[old]`) among `len` files.
    fn remap(self, new_id: &[usize], len: usize) -> Layout {
        if new_id.iter().enumerate().all(|(i, &n)| i == n) {
            return self;
        }
        let mut walked = vec![false; len];
        for (old, &new) in new_id.iter().enumerate() {
            if let (Some(w), Some(&was)) = (walked.get_mut(new), self.walked.get(old)) {
                *w = was;
            }
        }
        Layout {
            project: self.project.remap(new_id, len),
            walked,
        }
    }
}

/// Checks files again after `--fix` changed them: `files[..n_inputs]` are inputs.
pub(crate) fn recheck(
    files: Vec<SourceFile>,
    n_inputs: usize,
    diags: Vec<Diagnostic>,
    opts: &Options,
    layout: Layout,
) -> Report {
    run(files, n_inputs, layout, diags, opts)
}

/// Checks `files[..n_inputs]`; the files after them come from `--crd` and only contribute
/// their CustomResourceDefinitions.
fn run(
    files: Vec<SourceFile>,
    n_inputs: usize,
    layout: Layout,
    mut diags: Vec<Diagnostic>,
    opts: &Options,
) -> Report {
    let Layout {
        mut project,
        walked,
    } = layout;
    let mut timer = StageTimer::from_env();
    let n_inputs = n_inputs.min(files.len());
    // Largest files first, each its own task: a file is parsed on one core, and one of a few
    // megabytes left for last (Argo CD's install.yaml) kept the other core idle behind it.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text.len()));
    let mut parsed: Vec<ParsedFile> = std::iter::repeat_with(ParsedFile::default)
        .take(files.len())
        .collect();
    // Each file's role is settled as soon as it is parsed, and the tree of a file found to
    // hold no Kubernetes object is dropped there: a repository's ordinary YAML and JSON
    // (100 MB of an SDK's specifications, say) no longer stays in memory to the end.
    let done: Vec<(usize, ParsedFile, Option<Role>)> = order
        .par_iter()
        .with_max_len(1)
        .filter_map(|&i| match project.role(i) {
            Role::Skipped(_) if i < n_inputs => None,
            role => {
                let p = yaml::parse_file(&files[i], &opts.limits);
                let walked = walked.get(i).copied().unwrap_or(false);
                let settled = (i < n_inputs)
                    .then(|| settled_role(role, walked, &files[i], &p))
                    .flatten();
                match settled {
                    Some(r @ Role::Skipped(_)) => Some((i, ParsedFile::default(), Some(r))),
                    r => Some((i, p, r)),
                }
            }
        })
        .collect();
    for (i, p, role) in done {
        parsed[i] = p;
        if let Some(role) = role {
            project.set_role(i, role);
        }
    }
    timer.stage("parse");
    let documents = (0..n_inputs)
        .filter(|&i| !matches!(project.role(i), Role::Skipped(_)))
        .map(|i| parsed[i].documents.len())
        .sum();
    for (i, p) in parsed.iter().enumerate() {
        if !(i < n_inputs && matches!(project.role(i), Role::Skipped(_))) {
            diags.extend(p.diagnostics.iter().cloned());
        }
    }
    let modes: Vec<DocMode> = (0..files.len())
        .map(|i| match project.role(i) {
            _ if i >= n_inputs => DocMode::Skip,
            Role::Manifest => DocMode::Full {
                fragments: !walked.get(i).copied().unwrap_or(false),
            },
            Role::Partial(_) => DocMode::Partial,
            Role::BuildConfig | Role::Skipped(_) => DocMode::Skip,
        })
        .collect();
    // The two stages read the same trees and nothing of each other: run side by side, one
    // fills a core while the other waits on its longest task (a big CRD, say). The rules'
    // object model is built on their side, so that its serial indexing overlaps the schema
    // stage instead of holding both cores back.
    let (schema_diags, (ws, model_diags, rule_diags)) = rayon::join(
        || {
            schema::stage::run(
                &files,
                &parsed,
                n_inputs,
                &modes,
                &opts.config,
                opts.leak_at_end,
                &mut timer,
            )
        },
        || {
            let (ws, model_diags) = workspace(&files, &parsed, &project, n_inputs, opts);
            let rule_diags = rules::run(&ws, &opts.config);
            (ws, model_diags, rule_diags)
        },
    );
    let object_count = ws.objects.len();
    diags.extend(model_diags);
    diags.extend(schema_diags);
    diags.extend(rule_diags);
    timer.stage("schema+rules");
    diags.extend(project::chart_notes(&project, &files));
    diags.retain(|d| opts.config.is_enabled(d.rule) || is_input_rule(d.rule));
    project::retain_applicable(&mut diags, &files, &parsed, &project);
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
        let checked: Vec<bool> = (0..n_inputs)
            .map(|i| !matches!(project.role(i), Role::Skipped(_)))
            .collect();
        crate::suppress::apply(
            &files[..n_inputs],
            &parsed[..n_inputs],
            &checked,
            &mut diags,
            &enabled,
        );
    }
    attach_objects(&ws, &mut diags);
    if let Some(r) = &opts.configs {
        r.apply_object_ignores(
            &files[..n_inputs],
            &mut diags,
            &opts.config.default_namespace,
        );
    }
    // Skipped kinds stay in the workspace (a skipped Secret still satisfies a volume's
    // reference); only their own findings go.
    if !opts.config.skip_kinds.is_empty() {
        diags.retain(|d| {
            !d.object.as_ref().is_some_and(|o| {
                opts.config
                    .skips_kind(o.api_version.as_deref(), o.kind.as_deref())
            })
        });
    }
    diagnostics::sort_and_dedup(&mut diags);
    if opts.leak_at_end {
        std::mem::forget(ws);
        std::mem::forget(parsed);
    } else {
        drop(ws);
        drop(parsed);
    }
    timer.stage("report");
    let mut skipped = SkipCounts::new();
    for i in 0..n_inputs {
        if let Role::Skipped(why) = project.role(i) {
            *skipped.entry(why).or_default() += 1;
        }
    }
    Report {
        files,
        diagnostics: diags,
        documents,
        objects: object_count,
        skipped,
        kubernetes_version: schema::SchemaSet::new(opts.config.kubernetes_version.as_deref())
            .ok()
            .map(|s| s.version().to_string()),
        inputs: n_inputs,
        layout: Layout { project, walked },
    }
}

/// The objects of the checked files, indexed for the cross-object rules, and the findings
/// of reading them as objects.
fn workspace<'a>(
    files: &'a [SourceFile],
    parsed: &'a [ParsedFile],
    project: &'a Project,
    n_inputs: usize,
    opts: &Options,
) -> (Workspace<'a>, Vec<Diagnostic>) {
    let mut objects: Vec<Object<'a>> = Vec::new();
    let mut diags = Vec::new();
    for (i, (file, p)) in files.iter().zip(parsed).enumerate() {
        if !(i < n_inputs && matches!(project.role(i), Role::Manifest)) {
            continue;
        }
        let first = objects.len();
        model::extract_objects(file.id, &p.documents, &mut objects, &mut diags);
        if let Some(ns) = project
            .transforms(&file.path)
            .and_then(|t| t.namespace.as_deref())
        {
            for o in &mut objects[first..] {
                o.namespace = Some(ns);
            }
        }
    }
    let mut ws = Workspace::new(files, objects, opts.config.default_namespace.clone());
    let open = project.open_files();
    ws.set_open_files(|i| open.get(i).copied().unwrap_or(false));
    (ws, diags)
}

/// A role that only the parsed text can decide, if `file` (now `role`) takes one: a file
/// encrypted with SOPS down to what its objects are, or a walked file with no Kubernetes
/// object (or only other tools' configuration), or one that is a template and so no YAML,
/// is skipped, and a kustomize "patch" that is a JSON 6902 operation list is data.
fn settled_role(role: Role, walked: bool, file: &SourceFile, p: &ParsedFile) -> Option<Role> {
    match role {
        Role::Manifest if project::sops::all_sealed(&p.documents) => {
            Some(Role::Skipped(Skip::Encrypted))
        }
        Role::Manifest if walked => {
            let failed = p.diagnostics.iter().any(|d| d.rule == yaml::RULE_SYNTAX);
            if failed && project::is_template(&file.text) {
                Some(Role::Skipped(Skip::Template))
            } else if !project::holds_objects(&p.documents, &file.text, failed) {
                Some(Role::Skipped(Skip::NotKubernetes))
            } else if project::is_ytt_template(&file.text) {
                Some(Role::Skipped(Skip::Template))
            } else if project::is_tool_config(&p.documents) {
                Some(Role::Skipped(Skip::ToolConfig))
            } else {
                None
            }
        }
        Role::Partial(Partial::KustomizePatch)
            if !p.documents.is_empty() && p.documents.iter().all(|d| d.root.is_seq()) =>
        {
            Some(Role::Skipped(Skip::KustomizeInput))
        }
        _ => None,
    }
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
        // The objects of one document (the items of a `kind: List`) are in text order: a
        // binary search finds the one holding the span, so a list of 64,000 objects with
        // a finding each is not scanned once per finding.
        let guess = candidates
            .partition_point(|o| o.root.span.start <= d.span.start)
            .checked_sub(1)
            .and_then(|i| candidates.get(i))
            .filter(|o| o.root.span.contains(d.span));
        let Some(obj) = guess.or_else(|| candidates.iter().find(|o| o.root.span.contains(d.span)))
        else {
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
