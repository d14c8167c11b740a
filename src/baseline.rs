//! Baselines: adopting kubevet on a repository that already has findings. `--write-baseline`
//! records what a run finds; `--baseline` hides those findings from later runs, so a CI gate
//! fails on what is new while the old findings are fixed at their own pace.
//!
//! A finding is recorded by its file, rule and object (`Deployment shop/web`), with a
//! count, not by its line: editing a file above a recorded finding does not bring it back,
//! and neither does moving the baseline or running from another directory (paths are
//! relative to the baseline file). Where a file, rule and object have more findings than
//! recorded, all of them are shown, as kubevet cannot tell which one is new.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::project::paths;
use crate::source::STDIN;
use crate::Report;

/// The file format's version, written and required.
const FORMAT: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "kubevet-baseline")]
    format: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    rule: String,
    /// `Kind namespace/name`, or empty for a finding on no object (a syntax error).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    object: String,
    count: usize,
}

type Key = (String, String, String);

/// A loaded baseline: counts by (file, rule, object).
#[derive(Debug, Default)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
    /// The directory its paths are relative to.
    dir: PathBuf,
}

/// What applying a baseline did to a report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings hidden because the baseline has them.
    pub hidden: usize,
    /// Recorded findings that no longer occur: the baseline can be written again, tighter.
    pub gone: usize,
}

impl Baseline {
    /// Reads the baseline at `path`; a missing, unreadable or malformed file is an error
    /// (a CI gate must not pass because its baseline went missing).
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a kubevet baseline: {e}", path.display()))?;
        if file.format != FORMAT {
            return Err(format!(
                "{}: baseline format {} is not supported (this kubevet writes {FORMAT})",
                path.display(),
                file.format
            ));
        }
        let mut counts = BTreeMap::new();
        for e in file.findings {
            *counts.entry((e.file, e.rule, e.object)).or_default() += e.count;
        }
        Ok(Baseline {
            counts,
            dir: base_dir(path),
        })
    }

    /// Hides the report's findings that the baseline records.
    pub fn apply(&self, report: &mut Report) -> Applied {
        let keys: Vec<Key> = report
            .diagnostics
            .iter()
            .map(|d| key(report, d, &self.dir))
            .collect();
        let mut found: BTreeMap<&Key, usize> = BTreeMap::new();
        for k in &keys {
            *found.entry(k).or_default() += 1;
        }
        let covered = |k: &Key| found.get(k).copied().unwrap_or(0) <= self.recorded(k);
        let mut applied = Applied::default();
        let mut i = 0;
        report.diagnostics.retain(|_| {
            let hide = covered(&keys[i]);
            i += 1;
            applied.hidden += usize::from(hide);
            !hide
        });
        applied.gone = self
            .counts
            .iter()
            .map(|(k, &n)| n.saturating_sub(found.get(k).copied().unwrap_or(0)))
            .sum();
        applied
    }

    fn recorded(&self, k: &Key) -> usize {
        self.counts.get(k).copied().unwrap_or(0)
    }
}

/// The baseline of `report`'s findings, as the JSON to write at `path`.
pub fn write(report: &Report, path: &Path) -> String {
    let dir = base_dir(path);
    let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *counts.entry(key(report, d, &dir)).or_default() += 1;
    }
    let file = File {
        format: FORMAT,
        findings: counts
            .into_iter()
            .map(|((file, rule, object), count)| Entry {
                file,
                rule,
                object,
                count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

fn key(report: &Report, d: &Diagnostic, dir: &Path) -> Key {
    let path = report.files.get(d.file).map_or("", |f| f.path.as_str());
    let object = d
        .object
        .as_ref()
        .map(|o| {
            let kind = o.kind.as_deref().unwrap_or("");
            let name = o.name.as_deref().unwrap_or("");
            match o.namespace.as_deref() {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            }
        })
        .unwrap_or_default();
    (relative_path(path, dir), d.rule.to_string(), object)
}

/// The absolute, normalised directory of the baseline file.
fn base_dir(path: &Path) -> PathBuf {
    paths::normalize(&absolute(path))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A finding's file, relative to the baseline's directory, with `/` separators; standard
/// input keeps its name.
fn relative_path(path: &str, dir: &Path) -> String {
    if path == STDIN {
        return path.to_string();
    }
    let abs = paths::normalize(&absolute(Path::new(path)));
    let (a, b): (Vec<Component>, Vec<Component>) =
        (abs.components().collect(), dir.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        a[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_baseline() {
        let dir = Path::new("/repo");
        assert_eq!(relative_path("/repo/apps/web.yaml", dir), "apps/web.yaml");
        assert_eq!(relative_path("/repo/./apps/../web.yaml", dir), "web.yaml");
        assert_eq!(relative_path("/other/x.yaml", dir), "../other/x.yaml");
        assert_eq!(relative_path("-", dir), "-");
    }

    #[test]
    fn a_relative_finding_path_is_taken_from_the_working_directory() {
        let cwd = std::env::current_dir().unwrap_or_default();
        assert_eq!(relative_path("a/b.yaml", &cwd), "a/b.yaml");
        assert_eq!(relative_path("./a/b.yaml", &cwd), "a/b.yaml");
    }
}
