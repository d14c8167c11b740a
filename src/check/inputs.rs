//! The input stage: walking the command-line paths, reading the files while the walk goes
//! on, and finding the project layout (Helm charts, kustomize trees) meanwhile.

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::project::{Project, Role, Skip};
use crate::source::{self, Input, InputError, SourceFile};

use super::Options;

/// Files read per task while the walk goes on.
const READ_BATCH: usize = 16;

pub(super) type Read = (SourceFile, Option<Diagnostic>);

fn read_batch(
    s: &rayon::Scope<'_>,
    batch: Vec<(usize, Input)>,
    max_size: u64,
    tx: &std::sync::mpsc::Sender<Vec<(usize, Read)>>,
) {
    if batch.is_empty() {
        return;
    }
    let tx = tx.clone();
    s.spawn(move |_| {
        let read = batch
            .into_iter()
            .map(|(seq, input)| (seq, source::read_input(seq, &input, max_size)))
            .collect();
        let _ = tx.send(read);
    });
}

/// The inputs as the project stage places them: standard input with `--stdin-filename` is
/// the file it names (an editor's buffer of a Helm template or a kustomize patch is what the
/// file on disk is), named files are walked ones under `--skip-non-manifests`.
fn as_located(inputs: &[Input], opts: &Options) -> Vec<Input> {
    inputs
        .iter()
        .map(|i| match (i, &opts.stdin_filename) {
            (Input::Stdin, Some(name)) => Input::File {
                path: name.into(),
                walked: opts.skip_non_manifests,
            },
            _ => i.clone(),
        })
        .collect()
}

/// Whether an input is judged as a walked file is: skipped when it holds no Kubernetes
/// object. Standard input is under `--skip-non-manifests`, as a named file is (an editor
/// sends every YAML buffer, a CI workflow's too).
pub(super) fn is_walked(input: &Input, opts: &Options) -> bool {
    match input {
        Input::File { walked, .. } => *walked,
        Input::Stdin => opts.skip_non_manifests,
        Input::EmptyDir(_) => false,
    }
}

/// Finds the inputs and reads them, reading each file as soon as the walk reaches it (the
/// walk is a core's worth of system calls, which the reads no longer wait for), and finds
/// the project layout while the last reads finish. Walked files a configuration excludes
/// are dropped unread; every input's configuration must load (a broken one is a usage
/// error, reported with its spans).
pub(super) fn walk_and_read(
    opts: &Options,
) -> Result<(Vec<Input>, Project, Vec<Read>), InputError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let max_size = opts.max_file_size;
    let configs = opts.configs.as_deref();
    let (seqs, inputs, project) = rayon::scope(|s| {
        let mut batch = Vec::with_capacity(READ_BATCH);
        let found = source::discover_each(&opts.paths, |seq, input| {
            if let Input::File { walked, .. } = input {
                *walked |= opts.skip_non_manifests;
            }
            if let (Some(r), Input::File { path, .. }) = (configs, &*input) {
                r.for_file(path)
                    .map_err(|e| InputError::Usage(e.render()))?;
                let excluded = r
                    .is_excluded(path)
                    .map_err(|e| InputError::Usage(e.render()))?;
                if excluded && !opts.paths.contains(path) {
                    return Ok(false);
                }
            }
            if matches!(input, Input::Stdin) && opts.stdin_text.is_some() {
                return Ok(true);
            }
            // Read in small batches: a task per file cost more than a small file's read.
            batch.push((seq, input.clone()));
            if batch.len() == READ_BATCH {
                read_batch(s, std::mem::take(&mut batch), max_size, &tx);
            }
            Ok(true)
        })?;
        read_batch(s, std::mem::take(&mut batch), max_size, &tx);
        let (seqs, inputs): (Vec<usize>, Vec<Input>) = found.into_iter().unzip();
        let project = Project::discover(&as_located(&inputs, opts), &opts.limits);
        Ok::<_, InputError>((seqs, inputs, project))
    })?;
    drop(tx);
    let mut by_seq: HashMap<usize, Read> = rx.into_iter().flatten().collect();
    let mut read = Vec::with_capacity(inputs.len());
    for (id, (seq, input)) in seqs.into_iter().zip(&inputs).enumerate() {
        let (mut file, mut diag) = match (by_seq.remove(&seq), input, project.role(id)) {
            // Chart values and kustomize data are not checked: nothing in them is ours.
            (
                _,
                Input::File { path, .. },
                Role::Skipped(Skip::HelmChartInput | Skip::KustomizeInput),
            ) if !path.ends_with("Chart.yaml") => (
                SourceFile::new(id, path.display().to_string(), String::new()),
                None,
            ),
            (Some(r), _, _) => r,
            (None, Input::Stdin, _) if opts.stdin_text.is_some() => {
                let text = opts.stdin_text.as_deref().unwrap_or_default();
                source::read_text(id, text, max_size)
            }
            (None, _, _) => source::read_input(id, input, max_size),
        };
        file.id = id;
        if let Some(d) = &mut diag {
            d.file = id;
        }
        read.push((file, diag));
    }
    Ok((inputs, project, read))
}

/// `no-manifests` for directories named on the command line when the run found files in
/// them but no Kubernetes object and nothing else to say: every file was skipped (CI
/// configuration, application settings, Helm values...). A CI job pointed at the wrong
/// directory would otherwise pass in silence, as it would on an empty one.
pub(super) fn no_objects(report: &mut super::Report, opts: &Options) {
    let skipped: usize = report.skipped.values().sum();
    if report.objects > 0
        || skipped == 0
        || !report.diagnostics.is_empty()
        || !opts.config.is_enabled(source::RULE_NO_MANIFESTS)
    {
        return;
    }
    let why = report
        .skipped
        .iter()
        .map(|(reason, n)| format!("{n} {}", reason.describe()))
        .collect::<Vec<_>>()
        .join(", ");
    for dir in opts.paths.iter().filter(|p| p.is_dir()) {
        let id = report.files.len();
        let path = dir.display().to_string();
        let file = SourceFile::new(id, path.clone(), String::new());
        let mut found = vec![Diagnostic::new(
            source::RULE_NO_MANIFESTS,
            crate::diagnostics::Severity::Warning,
            id,
            crate::yaml::Span::empty(0),
            format!(
                "no Kubernetes objects found in {path}: {skipped} {} skipped ({why})",
                if skipped == 1 { "file" } else { "files" }
            ),
        )
        .with_help("kubevet checks documents with `apiVersion` and `kind`; name the directory of your manifests, or render Helm charts and kustomizations first (`helm template`, `kustomize build`)")];
        if let Some(r) = &opts.configs {
            r.apply(std::slice::from_ref(&file), &mut found, |_| false);
        }
        report.files.push(file);
        report.diagnostics.extend(found);
    }
}
