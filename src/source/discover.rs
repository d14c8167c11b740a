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

/// A key that sorts paths as [`Path`]'s own order does, component by component, but by
/// plain byte comparison: the separator becomes the lowest byte, so `a/x` sorts before
/// `a-b/x` as the components `a` < `a-b` do. Comparing paths component by component was a
/// tenth of the walk. Only for the paths of one walk, which share their root and hold no
/// `.` or empty components.
fn path_order(path: &Path) -> Vec<u8> {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| {
            if std::path::is_separator(b as char) {
                0
            } else {
                b
            }
        })
        .collect()
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
    Ok(discover_each(paths, |_, _| Ok(true))?
        .into_iter()
        .map(|(_, input)| input)
        .collect())
}

/// [`discover`], handing each input to `found` as the walk reaches it, numbered in walk
/// order, so that reading can start before the walk ends. `found` may adjust the input and
/// says whether to keep it. The kept inputs come back in [`discover`]'s order, each with
/// its number.
pub fn discover_each(
    paths: &[PathBuf],
    mut found: impl FnMut(usize, &mut Input) -> Result<bool, InputError>,
) -> Result<Vec<(usize, Input)>, InputError> {
    let mut out = Vec::new();
    let mut seq = 0;
    // A file named twice, or named and also found under a named directory (`kubevet check
    // k8s k8s/app.yaml`, as a pre-commit hook may pass it), is one input: read twice, each
    // of its findings was reported twice. Paths are compared lexically (`./a.yaml` is
    // `a.yaml`), without following symlinks; a single path cannot repeat itself, so only
    // several are tracked.
    let mut seen: Option<std::collections::HashSet<PathBuf>> =
        (paths.len() > 1).then(std::collections::HashSet::new);
    let mut take = |mut input: Input, out: &mut Vec<(usize, Input)>| {
        if let (Some(seen), Input::File { path, .. }) = (&mut seen, &input) {
            let key = std::path::absolute(path)
                .map_or_else(|_| path.clone(), |p| crate::project::paths::normalize(&p));
            if !seen.insert(key) {
                return Ok(());
            }
        }
        seq += 1;
        if found(seq - 1, &mut input)? {
            out.push((seq - 1, input));
        }
        Ok::<(), InputError>(())
    };
    for p in paths {
        if p.as_os_str() == "-" {
            take(Input::Stdin, &mut out)?;
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|_| InputError::Missing(p.clone()))?;
        if !meta.is_dir() {
            let input = Input::File {
                path: p.clone(),
                walked: false,
            };
            take(input, &mut out)?;
            continue;
        }
        let first = out.len();
        let mut any = false;
        let walk = ignore::WalkBuilder::new(p)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .ignore(false)
            .parents(true)
            .follow_links(false)
            .build();
        for e in walk.filter_map(Result::ok) {
            if e.file_type().is_some_and(|t| t.is_file()) && is_manifest(e.path()) {
                any = true;
                let input = Input::File {
                    path: e.into_path(),
                    walked: true,
                };
                take(input, &mut out)?;
            }
        }
        if !any {
            take(Input::EmptyDir(p.clone()), &mut out)?;
        }
        out[first..].sort_by_cached_key(|(_, input)| match input {
            Input::File { path, .. } => path_order(path),
            _ => Vec::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Names of the characters that sort around the separator (`-`, `.` and `0` below and
        // above `/`), including prefixes of one another.
        #[test]
        fn path_order_is_the_component_order(
            paths in proptest::collection::vec(
                proptest::collection::vec("[a-c.0 _-]{1,3}", 1..4), 2..12)
        ) {
            let mut paths: Vec<PathBuf> = paths
                .into_iter()
                // A walk never yields `.` or `..` as a name.
                .filter(|c| c.iter().all(|n| n != "." && n != ".."))
                .map(|c| Path::new("root/dir").join(c.join("/")))
                .collect();
            let mut by_key = paths.clone();
            paths.sort();
            by_key.sort_by_cached_key(|p| path_order(p));
            prop_assert_eq!(by_key, paths);
        }
    }

    #[test]
    fn a_file_named_twice_or_also_under_a_named_directory_is_one_input() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let top = tmp.path();
        std::fs::create_dir_all(top.join("k8s")).expect("mkdir");
        std::fs::write(top.join("k8s/app.yaml"), "a: 1").expect("write");
        std::fs::write(top.join("k8s/other.yaml"), "a: 1").expect("write");
        let app = top.join("k8s/app.yaml");
        let spelled = top.join("k8s/./../k8s/app.yaml");
        let found = discover(&[top.join("k8s"), app.clone(), spelled]).expect("walk");
        let paths: Vec<&Path> = found
            .iter()
            .map(|i| match i {
                Input::File { path, .. } => path.as_path(),
                other => panic!("unexpected input {other:?}"),
            })
            .collect();
        // The walk's copy comes first and stays; the named copies add nothing.
        assert_eq!(paths, [app.as_path(), top.join("k8s/other.yaml").as_path()]);
        // Named on its own, twice, a file is still read once.
        assert_eq!(discover(&[app.clone(), app]).expect("file").len(), 1);
    }

    #[test]
    fn each_input_is_handed_over_as_found_and_returned_in_order() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let top = tmp.path();
        for (p, text) in [
            ("b.yaml", "a: 1"),
            ("a/c.yaml", "a: 1"),
            ("a-b/d.yml", "a: 1"),
            ("a/notes.txt", "not yaml"),
            ("e.json", "{}"),
        ] {
            let p = top.join(p);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let mut handed = Vec::new();
        let kept = discover_each(&[top.to_path_buf()], |seq, input| {
            handed.push(seq);
            Ok(!matches!(input, Input::File { path, .. } if path.ends_with("e.json")))
        })
        .expect("walk");
        // Numbered in the order handed over, each once.
        assert_eq!(handed, (0..4).collect::<Vec<_>>());
        // Returned in `discover`'s order, without the input refused.
        let all = discover(&[top.to_path_buf()]).expect("walk");
        let expected: Vec<&Input> = all
            .iter()
            .filter(|i| !matches!(i, Input::File { path, .. } if path.ends_with("e.json")))
            .collect();
        assert_eq!(kept.iter().map(|(_, i)| i).collect::<Vec<_>>(), expected);
        let names: Vec<String> = kept
            .iter()
            .map(|(_, i)| match i {
                Input::File { path, .. } => path
                    .strip_prefix(top)
                    .expect("under top")
                    .display()
                    .to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["a/c.yaml", "a-b/d.yml", "b.yaml"]);
    }
}
