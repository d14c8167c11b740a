//! Which `.kubevet.yaml` applies to a file (the nearest one walking up from it to the
//! repository root, or the one `--config` names), and applying its per-file settings to the
//! findings: rule selection, severities, per-path ignores and excludes.

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::file::{self, ConfigError, ConfigFile, FILE_NAMES};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;

#[derive(Debug)]
enum Mode {
    /// `--config PATH`: this file for everything.
    Explicit(Arc<ConfigFile>),
    /// The nearest file for each checked file.
    Discover,
    /// `--no-config`.
    Disabled,
}

/// Command-line settings that take part in per-file decisions.
#[derive(Clone, Debug, Default)]
pub struct CliFilters {
    /// `--select`/`--ignore` given: they replace the files' `select`/`ignore`.
    pub selects_rules: bool,
    /// `--exclude` (replaces the files' `exclude`), relative to the working directory.
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`, relative to the working directory.
    pub extend_exclude: Vec<String>,
}

#[derive(Debug)]
pub struct Resolver {
    mode: Mode,
    cli: CliFilters,
    cwd: PathBuf,
    /// Directory -> the configuration that applies to files in it.
    cache: Mutex<HashMap<PathBuf, Option<Arc<ConfigFile>>>>,
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Globs matched against a path relative to `base` and against each of its parent
/// directories (so `vendor` and `vendor/**` both exclude `vendor/x/y.yaml`).
fn glob_match(globs: &[String], base: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(base) else {
        return false;
    };
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    let set: GlobSet = match b.build() {
        Ok(s) => s,
        Err(_) => return false,
    };
    rel.ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .any(|a| set.is_match(a))
}

impl Resolver {
    pub fn new(
        explicit: Option<&Path>,
        no_config: bool,
        cli: CliFilters,
    ) -> Result<Resolver, ConfigError> {
        let mode = match (explicit, no_config) {
            (_, true) => Mode::Disabled,
            (Some(p), false) => Mode::Explicit(Arc::new(file::load(p)?)),
            (None, false) => Mode::Discover,
        };
        Ok(Resolver {
            mode,
            cli,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration for a file or directory path as the user named it.
    pub fn for_path(&self, path: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        match &self.mode {
            Mode::Disabled => Ok(None),
            Mode::Explicit(c) => Ok(Some(c.clone())),
            Mode::Discover => {
                let abs = absolute(&self.cwd, path);
                if abs.is_dir() {
                    self.nearest(&abs)
                } else {
                    self.for_file(path)
                }
            }
        }
    }

    /// The configuration for a path known to be a file (an input, or where a finding is):
    /// no file system check, which a walk of 100,000 files would pay twice per file.
    pub fn for_file(&self, path: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        match &self.mode {
            Mode::Disabled => Ok(None),
            Mode::Explicit(c) => Ok(Some(c.clone())),
            Mode::Discover => {
                let abs = absolute(&self.cwd, path);
                self.nearest(abs.parent().unwrap_or(&self.cwd))
            }
        }
    }

    fn nearest(&self, dir: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        // Each directory is probed once per run: a walked tree shares its parents, and
        // probing every parent for every directory was 7,000 failed stats on the corpus.
        let cached = |d: &Path| self.cache.lock().ok().and_then(|c| c.get(d).cloned());
        let mut chain: Vec<&Path> = Vec::new();
        let mut found = None;
        let mut d = Some(dir);
        while let Some(cur) = d {
            if let Some(hit) = cached(cur) {
                found = hit;
                break;
            }
            chain.push(cur);
            if let Some(name) = FILE_NAMES.iter().map(|n| cur.join(n)).find(|p| p.is_file()) {
                found = Some(Arc::new(file::load(&name)?));
                break;
            }
            // The repository root is as far as a project's configuration reaches.
            if cur.join(".git").exists() {
                break;
            }
            d = cur.parent();
        }
        if let Ok(mut c) = self.cache.lock() {
            for cur in chain {
                c.insert(cur.to_path_buf(), found.clone());
            }
        }
        Ok(found)
    }

    /// Whether a file found by walking a directory is excluded (files named on the command
    /// line never are).
    pub fn is_excluded(&self, path: &Path) -> Result<bool, ConfigError> {
        let abs = absolute(&self.cwd, path);
        if !self.cli.extend_exclude.is_empty()
            && glob_match(&self.cli.extend_exclude, &self.cwd, &abs)
        {
            return Ok(true);
        }
        if let Some(ex) = &self.cli.exclude {
            return Ok(glob_match(ex, &self.cwd, &abs));
        }
        Ok(match self.for_file(path)? {
            Some(c) => c
                .settings
                .exclude
                .as_ref()
                .is_some_and(|ex| glob_match(ex, &absolute(&self.cwd, &c.dir), &abs)),
            None => false,
        })
    }

    /// What `path`'s configuration makes of `rule`: `None` = it does not report there,
    /// `Some(None)` = it reports with its own severity, `Some(Some(s))` = with severity `s`.
    fn verdict(&self, path: &str, rule: &str) -> Option<Option<Severity>> {
        let Some(cfg) = self.for_file(Path::new(path)).ok().flatten() else {
            return Some(None);
        };
        let s = &cfg.settings;
        if !self.cli.selects_rules {
            if s.select
                .as_ref()
                .is_some_and(|sel| !sel.iter().any(|r| r == rule))
            {
                return None;
            }
            if s.ignore
                .as_ref()
                .is_some_and(|ig| ig.iter().any(|r| r == rule))
            {
                return None;
            }
        }
        let abs = absolute(&self.cwd, Path::new(path));
        let base = absolute(&self.cwd, &cfg.dir);
        for (glob, ids) in &s.per_path_ignores {
            if ids.iter().any(|r| r == rule) && glob_match(std::slice::from_ref(glob), &base, &abs)
            {
                return None;
            }
        }
        match s.severity.get(rule) {
            Some(None) => None,
            Some(Some(sev)) => Some(Some(*sev)),
            None => Some(None),
        }
    }

    /// Whether `rule` reports in the file at `path` (as the user named it).
    pub fn rule_enabled(&self, path: &str, rule: &str) -> bool {
        self.verdict(path, rule).is_some()
    }

    /// Applies each file's configuration to the findings in it: drops rules the file's
    /// configuration does not select, ignores or switches off (also per path), and sets
    /// overridden severities. Findings about the input itself (unreadable, syntax) stay.
    pub fn apply(&self, files: &[SourceFile], diags: &mut Vec<Diagnostic>, keep: fn(&str) -> bool) {
        let mut memo: HashMap<(usize, &'static str), Option<Option<Severity>>> = HashMap::new();
        diags.retain_mut(|d| {
            if keep(d.rule) {
                return true;
            }
            let Some(f) = files
                .get(d.file)
                .filter(|f| f.id == d.file)
                .or_else(|| files.iter().find(|f| f.id == d.file))
            else {
                return true;
            };
            let v = *memo
                .entry((d.file, d.rule))
                .or_insert_with(|| self.verdict(&f.path, d.rule));
            match v {
                None => false,
                Some(sev) => {
                    if let Some(sev) = sev {
                        d.severity = sev;
                    }
                    true
                }
            }
        });
    }

    /// Drops the findings on objects that an entry of `per-object-ignores` in their file's
    /// configuration exempts. A finding about no object (a syntax error) stays.
    pub fn apply_object_ignores(
        &self,
        files: &[SourceFile],
        diags: &mut Vec<Diagnostic>,
        default_namespace: &str,
    ) {
        let mut memo: HashMap<usize, Option<Arc<ConfigFile>>> = HashMap::new();
        diags.retain(|d| {
            let Some(o) = &d.object else { return true };
            let cfg = memo.entry(d.file).or_insert_with(|| {
                files
                    .get(d.file)
                    .filter(|f| f.id == d.file)
                    .or_else(|| files.iter().find(|f| f.id == d.file))
                    .and_then(|f| self.for_file(Path::new(&f.path)).ok().flatten())
                    .filter(|c| !c.settings.per_object_ignores.is_empty())
            });
            let Some(cfg) = cfg else { return true };
            let kind = o.kind.as_deref().unwrap_or("");
            let namespace = (!crate::model::is_cluster_scoped(kind))
                .then(|| o.namespace.as_deref().unwrap_or(default_namespace));
            !cfg.settings
                .per_object_ignores
                .iter()
                .any(|x| x.covers(d.rule, kind, namespace, o.name.as_deref()))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-directory cache gives each directory what a walk up from it would find,
    /// whichever directory was resolved first.
    #[test]
    fn nearest_is_cached_per_directory_without_changing_the_answer() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let top = tmp.path();
        for d in ["a/b/c", "a/sub/d", "repo/x/y", "repo/.git"] {
            std::fs::create_dir_all(top.join(d)).expect("mkdir");
        }
        std::fs::write(
            top.join(".kubevet.yaml"),
            "ignore: [missing-readiness-probe]\n",
        )
        .expect("write");
        std::fs::write(
            top.join("a/sub/.kubevet.yml"),
            "ignore: [duplicate-env-var]\n",
        )
        .expect("write");
        let r = Resolver::new(None, false, CliFilters::default()).expect("resolver");
        let at = |p: &str| {
            r.for_file(&top.join(p).join("f.yaml"))
                .expect("loads")
                .map(|c| c.path.clone())
        };
        let top_cfg = Some(top.join(".kubevet.yaml"));
        let sub_cfg = Some(top.join("a/sub/.kubevet.yml"));
        for _ in 0..2 {
            assert_eq!(at("a/b/c"), top_cfg);
            assert_eq!(at("a/sub/d"), sub_cfg);
            assert_eq!(at("a/sub"), sub_cfg);
            assert_eq!(at("a"), top_cfg);
            // A repository root inside the tree stops the search.
            assert_eq!(at("repo/x/y"), None);
            assert_eq!(at("repo"), None);
            assert_eq!(at(""), top_cfg);
        }
    }
}
