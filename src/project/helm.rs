//! Helm charts: a directory with a `Chart.yaml`. Its `templates/` are Go templates (not YAML
//! until rendered with values), its `crds/` are plain CRDs Helm installs as they are, and
//! everything else (`Chart.yaml`, values files, `ci/`, unit tests, `files/`) is input to the
//! chart, not a cluster object.

use foldhash::HashMap;
use std::path::{Component, Path, PathBuf};

use super::disk::Disk;
use super::{paths, Role, Skip};

/// The info reported once per chart whose templates were skipped.
pub const RULE_HELM_CHART: &str = "helm-chart-not-rendered";

/// Finds the chart a file belongs to, remembering what it learnt per directory.
#[derive(Default)]
pub struct ChartFinder {
    /// Directory -> whether it holds a `Chart.yaml`.
    is_root: HashMap<PathBuf, bool>,
}

impl ChartFinder {
    /// The chart root of `path` and the role the chart gives the file, when it is in a chart
    /// and is not one of its `crds/`.
    pub fn classify(&mut self, path: &Path, disk: &Disk) -> Option<(PathBuf, Role)> {
        let root = paths::dir_of(path)
            .ancestors()
            .find(|d| self.holds_chart(d, disk))?
            .to_path_buf();
        let rel = path.strip_prefix(&root).ok()?;
        let first = match rel.components().next() {
            Some(Component::Normal(c)) => c.to_str().unwrap_or(""),
            _ => "",
        };
        let in_dir = rel.components().count() > 1;
        match first {
            "crds" if in_dir => None,
            "templates" if in_dir => Some((root, Role::Skipped(Skip::HelmTemplate))),
            _ => Some((root, Role::Skipped(Skip::HelmChartInput))),
        }
    }

    /// Every chart root found.
    pub fn roots(&self) -> Vec<PathBuf> {
        let mut roots: Vec<PathBuf> = self
            .is_root
            .iter()
            .filter(|(_, &is)| is)
            .map(|(d, _)| d.clone())
            .collect();
        roots.sort();
        roots
    }

    fn holds_chart(&mut self, dir: &Path, disk: &Disk) -> bool {
        if let Some(&known) = self.is_root.get(dir) {
            return known;
        }
        let found = disk.file_in(dir, "Chart.yaml").is_some();
        self.is_root.insert(dir.to_path_buf(), found);
        found
    }
}
