//! What each file is in its repository, decided before any of it is judged: a plain
//! manifest, a Helm template or chart input, a kustomization and the files it names (patches
//! are partial objects, generator inputs are data), a test tool's assertion, or not
//! Kubernetes at all.
//!
//! Users run kubevet at the root of whole repositories, where manifests sit beside CI
//! workflows, `package.json`, Helm charts and kustomize trees. Judging every YAML file as a
//! manifest drowns the real findings, so each file gets a [`Role`] first.

mod applicable;
mod chainsaw;
mod disk;
mod helm;
mod kustomize;
pub(crate) mod paths;
pub mod sops;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::source::Input;
use crate::yaml::{Document, Limits};

pub use applicable::{chart_notes, retain_applicable};
pub use helm::RULE_HELM_CHART;
pub use kustomize::Transforms;

/// What a file is, and so how much of kubevet applies to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A file of Kubernetes objects: checked in full.
    Manifest,
    /// Partial objects (a kustomize patch, a test tool's assertion): the fields they set are
    /// checked (unknown fields, types, values), never what they leave out, and no rule
    /// treats them as objects of the cluster.
    Partial(Partial),
    /// Build configuration (a kustomization): its YAML is checked, it is not an object.
    BuildConfig,
    /// Not checked at all; counted in the summary.
    Skipped(Skip),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partial {
    /// Named under `patches`/`patchesStrategicMerge` of a kustomization.
    KustomizePatch,
    /// Used by a chainsaw/kuttl test step: matched against, or merged onto, what runs.
    TestStep,
}

/// Why a file was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    /// Found by walking, holds no document with both `apiVersion` and `kind`.
    NotKubernetes,
    /// A configuration file of another tool (skaffold, kind, chainsaw...) found by walking.
    ToolConfig,
    /// Under a chart's `templates/`: Go templates, not YAML until rendered.
    HelmTemplate,
    /// Found by walking outside any chart, not YAML because of its template lines
    /// (`{{- range .Items }}`, `{% if tls %}`): another tool renders it.
    Template,
    /// `Chart.yaml`, values files, chart tests: inputs of a chart, not objects.
    HelmChartInput,
    /// Named by a kustomization as generator input, JSON 6902 patch or transformer config.
    KustomizeInput,
    /// Encrypted with SOPS down to each document's `kind` or `apiVersion`.
    Encrypted,
}

impl Skip {
    /// How the summary names files skipped for this reason.
    pub fn describe(self) -> &'static str {
        match self {
            Skip::NotKubernetes => "without Kubernetes objects",
            Skip::ToolConfig => "of other tools' configuration",
            Skip::HelmTemplate => "Helm templates",
            Skip::Template => "other templates",
            Skip::HelmChartInput => "Helm chart inputs",
            Skip::KustomizeInput => "kustomize inputs",
            Skip::Encrypted => "encrypted with SOPS",
        }
    }

    /// Stable key for the JSON summary.
    pub fn key(self) -> &'static str {
        match self {
            Skip::NotKubernetes => "notKubernetes",
            Skip::ToolConfig => "toolConfig",
            Skip::HelmTemplate => "helmTemplates",
            Skip::Template => "templates",
            Skip::HelmChartInput => "helmChartInputs",
            Skip::KustomizeInput => "kustomizeInputs",
            Skip::Encrypted => "encrypted",
        }
    }
}

/// Counts of skipped files by reason, in a stable order.
pub type SkipCounts = BTreeMap<Skip, usize>;

/// The repository layout around the inputs of a run.
#[derive(Debug, Default)]
pub struct Project {
    /// One role per input, by input index; decided from paths before reading.
    roles: Vec<Role>,
    /// Helm charts with templates among the inputs: (chart root, input indexes of its
    /// templates).
    pub charts: Vec<(PathBuf, Vec<usize>)>,
    /// What kustomize will do to the objects of each resource file it builds.
    transforms: HashMap<PathBuf, Transforms>,
    /// Normalised path of each input (empty for stdin).
    paths: Vec<PathBuf>,
    /// Directories holding a kustomization.
    kustomize_dirs: HashSet<PathBuf>,
    /// Chart roots met while classifying.
    chart_roots: Vec<PathBuf>,
}

impl Project {
    /// Classifies the inputs by path and by the kustomizations, charts and test suites around
    /// them (read from disk where they are not inputs themselves).
    pub fn discover(inputs: &[Input], limits: &Limits) -> Project {
        let mut project = Project {
            roles: vec![Role::Manifest; inputs.len()],
            ..Project::default()
        };
        project.paths = inputs
            .iter()
            .map(|i| match i {
                Input::File { path, .. } => paths::normalize(path),
                _ => PathBuf::new(),
            })
            .collect();
        let files: Vec<(usize, &Path, bool)> = inputs
            .iter()
            .zip(&project.paths)
            .enumerate()
            .filter_map(|(i, (input, path))| match input {
                Input::File { walked, .. } => Some((i, path.as_path(), *walked)),
                _ => None,
            })
            .collect();
        let disk = disk::Disk::new(limits);
        let mut charts = helm::ChartFinder::default();
        let mut chart_templates: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (i, path, _) in &files {
            if let Some((root, role)) = charts.classify(path, &disk) {
                if role == Role::Skipped(Skip::HelmTemplate) {
                    chart_templates.entry(root).or_default().push(*i);
                }
                project.roles[*i] = role;
            }
        }
        let chart_roots = charts.roots();
        let named = kustomize::Named::collect(files.iter().map(|&(_, p, _)| p), &disk);
        let tests = chainsaw::Assertions::collect(files.iter().map(|&(_, p, _)| p), &disk);
        for (i, path, _) in &files {
            if !matches!(project.roles[*i], Role::Manifest) {
                continue;
            }
            if kustomize::is_kustomization_file(path) {
                project.roles[*i] = Role::BuildConfig;
            } else if let Some(role) = named.role_of(path) {
                project.roles[*i] = role;
            } else if tests.is_assertion(path) {
                project.roles[*i] = Role::Partial(Partial::TestStep);
            }
        }
        project.charts = chart_templates.into_iter().collect();
        project.chart_roots = chart_roots;
        project.kustomize_dirs = named.dirs.clone();
        project.transforms = named.transforms;
        project
    }

    /// Per input: whether a tool kubevet does not run may complete its objects, so that
    /// "not in this run" cannot be said of them: kustomize builds the file (or its tree), or
    /// a Helm chart or values file sits in its directory or a parent's (the release creates
    /// objects kubevet never sees).
    pub fn open_files(&self) -> Vec<bool> {
        let mut helm_dirs: Vec<&Path> = self.chart_roots.iter().map(PathBuf::as_path).collect();
        for (i, p) in self.paths.iter().enumerate() {
            let values = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("values") && (n.ends_with(".yaml") || n.ends_with(".yml"))
            });
            if values && matches!(self.role(i), Role::Skipped(_)) {
                helm_dirs.push(paths::dir_of(p));
            }
        }
        // A chart or values directory makes its parent's tree open.
        let helm_parents: HashSet<&Path> = helm_dirs.iter().map(|d| paths::dir_of(d)).collect();
        self.paths
            .iter()
            .map(|p| {
                let dir = paths::dir_of(p);
                self.transforms.contains_key(p)
                    || dir
                        .ancestors()
                        .any(|d| self.kustomize_dirs.contains(d) || helm_parents.contains(d))
            })
            .collect()
    }

    /// Follows the inputs to their new positions (`new_id[old]`) among `len` files; new
    /// files (parts of standard input) are manifests.
    pub fn remap(self, new_id: &[usize], len: usize) -> Project {
        let mut roles = vec![Role::Manifest; len];
        let mut paths = vec![PathBuf::new(); len];
        for (old, &new) in new_id.iter().enumerate() {
            if let Some(r) = roles.get_mut(new) {
                *r = self.role(old);
            }
            if let (Some(p), Some(was)) = (paths.get_mut(new), self.paths.get(old)) {
                p.clone_from(was);
            }
        }
        let charts = self
            .charts
            .into_iter()
            .map(|(root, ids)| {
                let ids = ids.iter().filter_map(|&i| new_id.get(i).copied()).collect();
                (root, ids)
            })
            .collect();
        Project {
            roles,
            paths,
            charts,
            ..self
        }
    }

    pub fn role(&self, input: usize) -> Role {
        self.roles.get(input).copied().unwrap_or(Role::Manifest)
    }

    pub fn set_role(&mut self, input: usize, role: Role) {
        if let Some(r) = self.roles.get_mut(input) {
            *r = role;
        }
    }

    /// What kustomize does to the objects of `path`, when a kustomization builds it.
    pub fn transforms(&self, path: &str) -> Option<&Transforms> {
        if self.transforms.is_empty() {
            return None;
        }
        self.transforms.get(&paths::normalize(Path::new(path)))
    }
}

/// Whether a walked file's documents make it a Kubernetes manifest: some document has both
/// `apiVersion` and `kind`. A file that failed to parse counts when its text has both keys
/// at the start of a line (a broken manifest is worth reporting; a broken CI file is not
/// ours to judge).
pub fn holds_objects(documents: &[Document], text: &str, parse_failed: bool) -> bool {
    let has = |d: &Document| {
        d.root
            .get("apiVersion")
            .is_some_and(|v| v.as_str().is_some())
            && d.root.get("kind").is_some_and(|v| v.as_str().is_some())
    };
    if documents.iter().any(has) {
        return true;
    }
    parse_failed && {
        let mut api = false;
        let mut kind = false;
        for line in text.lines() {
            let l = line.trim_start_matches(['"', '\'']);
            api |= l.starts_with("apiVersion");
            kind |= l.starts_with("kind");
        }
        api && kind
    }
}

/// Whether a file that failed to parse is a template rather than a broken manifest: some
/// line is a template action alone (`{{- range .Items }}`, `{{ end }}`, `{% if tls %}`).
/// Go templates (gomplate, consul-template, a chart's files outside the chart) and Jinja
/// (Ansible, Salt) write them; YAML never starts a line with `{{` or `{%` (a flow mapping
/// whose first key is a flow mapping is legal but not seen in manifests).
pub fn is_template(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("{{") || l.starts_with("{%")
    })
}

/// Whether a file is a [ytt](https://carvel.dev/ytt/) template: ytt's annotations are YAML
/// comments that start with `#@` (`#@ load("@ytt:data", "data")`, `#@ if ...:`,
/// `name: #@ data.values.name`), so the file parses, but each annotated value reads as null
/// until ytt renders it, and a Deployment "has no name". A manifest has no such comment.
pub fn is_ytt_template(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"#@").any(|at| {
        let before = &bytes[..at];
        let line = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(before, |nl| &before[nl + 1..]);
        // At the start of a line (an annotation or a directive), or after `key: ` or `- `
        // (a value ytt computes).
        line.iter().all(|&b| b == b' ' || b == b'\t')
            || line.ends_with(b": ")
            || line.ends_with(b"- ")
    })
}

/// Configuration files of other tools that carry `apiVersion` and `kind` but are never
/// applied to a cluster, or that say so (`config.kubernetes.io/local-config: "true"`):
/// skipped when found by walking. Kubernetes' own components read theirs from files too
/// (kubeadm, the kubelet, the API server's admission, encryption and audit settings,
/// kubectl's `kuberc`), and a kubeconfig is `v1` `Config`, a kind the API server does not
/// serve: none of them is an object to check.
pub fn is_tool_config(documents: &[Document]) -> bool {
    const GROUPS: &[&str] = &[
        "kubeadm.k8s.io/",
        "kubelet.config.k8s.io/",
        "kubeproxy.config.k8s.io/",
        "kubescheduler.config.k8s.io/",
        "kubecontrollermanager.config.k8s.io/",
        "cloudcontrollermanager.config.k8s.io/",
        "apiserver.config.k8s.io/",
        "apiserver.k8s.io/",
        "audit.k8s.io/",
        "client.authentication.k8s.io/",
        "credentialprovider.kubelet.k8s.io/",
        "pod-security.admission.config.k8s.io/",
        "eventratelimit.admission.k8s.io/",
        "kubectl.config.k8s.io/",
        "config.kubernetes.io/",
        "fn.kpt.dev/",
        "backstage.io/",
        "scaffolder.backstage.io/",
        "cli.kyverno.io/",
        "krew.googlecontainertools.github.com/",
        "garden.io/",
        "meta.pkg.crossplane.io/",
        "kapp.k14s.io/",
        "kbld.k14s.io/",
        "vendir.k14s.io/",
        "imgpkg.carvel.dev/",
        "skaffold/",
        "kind.x-k8s.io/",
        "chainsaw.kyverno.io/",
        "kuttl.dev/",
        "kustomize.config.k8s.io/",
        "clusterctl.cluster.x-k8s.io/",
        "scorecard.operatorframework.io/",
        "ctlptl.dev/",
        "k3d.io/",
        "kpt.dev/",
        "builtin",
    ];
    let mut any = false;
    for d in documents {
        if d.root.is_null() {
            continue;
        }
        let Some(api) = d.root.get("apiVersion").and_then(|v| v.as_str()) else {
            return false;
        };
        let kubeconfig =
            api == "v1" && d.root.get("kind").and_then(|v| v.as_str()) == Some("Config");
        if !kubeconfig && !GROUPS.iter().any(|g| api.starts_with(g)) && !local_config(&d.root) {
            return false;
        }
        any = true;
    }
    any
}

/// The annotation kustomize and kpt give a resource that configures the build and is never
/// applied (a function's settings, a setters file).
fn local_config(root: &crate::yaml::Node) -> bool {
    root.get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("config.kubernetes.io/local-config"))
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.trim() == "true")
}

#[cfg(test)]
mod tests;
