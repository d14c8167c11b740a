//! Turns command-line paths into the list of inputs to read.

use std::path::{Path, PathBuf};

/// One thing to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    /// A file, and whether it was found by walking a directory (rather than named): walked
    /// files that turn out not to be Kubernetes manifests are skipped, named ones reported.
    File {
        path: PathBuf,
        walked: bool,
    },
    /// A directory that held no manifests: reported, not an error of the run.
    EmptyDir(PathBuf),
}

#[derive(Debug)]
pub enum InputError {
    /// A path on the command line that does not exist: a usage error (exit 2).
    Missing(PathBuf),
    /// Any other problem with the command line (e.g. an unknown `--kubernetes-version`).
    Usage(String),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Missing(p) => write!(f, "no such file or directory: {}", p.display()),
            InputError::Usage(m) => f.write_str(m),
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands the command-line paths. Files named explicitly are taken whatever their
/// extension; directories are walked for `*.yaml`, `*.yml` and `*.json`, skipping hidden
/// entries and, inside a git work tree, whatever `.gitignore` excludes. Output order is
/// deterministic: command-line order, then sorted paths within each directory.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|_| InputError::Missing(p.clone()))?;
        if !meta.is_dir() {
            out.push(Input::File {
                path: p.clone(),
                walked: false,
            });
            continue;
        }
        let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(p)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(false)
            .parents(true)
            .follow_links(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && is_manifest(e.path()))
            .map(|e| e.into_path())
            .collect();
        if found.is_empty() {
            out.push(Input::EmptyDir(p.clone()));
        }
        found.sort();
        out.extend(
            found
                .into_iter()
                .map(|path| Input::File { path, walked: true }),
        );
    }
    Ok(out)
}
