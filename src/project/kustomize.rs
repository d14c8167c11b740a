//! Kustomize: a directory with a `kustomization.yaml` builds the files it lists. What it
//! names under `patches` are partial objects, generator inputs and transformer configs are
//! data, and its `namespace` and label transforms change the objects of its resources (and
//! of the bases an overlay builds on) before they reach a cluster.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::disk::Disk;
use super::{paths, Partial, Role, Skip};
use crate::source::SourceFile;
use crate::yaml::{self, Limits, Node};

const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Kustomizations are small; a larger file is not one worth reading for its references.
const MAX_KUSTOMIZATION_BYTES: u64 = 1024 * 1024;

/// Nested bases deeper than this are not followed (a cycle guard besides `visited`).
const MAX_DEPTH: usize = 32;

pub fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// What kustomize will do to the objects of one resource file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transforms {
    /// The namespace every build of the file puts its objects in, when the builds agree.
    pub namespace: Option<String>,
    /// `commonLabels` (or `labels` with `includeSelectors`): kustomize writes the labels into
    /// workload and Service selectors, creating them where absent.
    pub fills_selectors: bool,
    /// Any transform of names or labels (prefixes, suffixes, labels): cross-object checks on
    /// the file's objects would judge something other than what the cluster gets.
    pub rewrites: bool,
    /// Image names whose tag or digest an `images` entry sets.
    pub pinned_images: Vec<String>,
}

/// Everything the kustomizations around the inputs name.
#[derive(Default)]
pub struct Named {
    roles: HashMap<PathBuf, Role>,
    pub transforms: HashMap<PathBuf, Transforms>,
    /// Directories holding a kustomization that was read.
    pub dirs: HashSet<PathBuf>,
}

/// The transforms a build applies on the way down from an overlay to its bases.
#[derive(Clone, Debug, Default)]
struct Inherited {
    namespace: Option<String>,
    fills_selectors: bool,
    rewrites: bool,
    pinned_images: Vec<String>,
}

impl Named {
    /// Reads the kustomizations in the inputs' directories and above them, and the bases
    /// they build on.
    pub fn collect<'p>(inputs: impl Iterator<Item = &'p Path>, disk: &Disk) -> Named {
        let mut roots: Vec<PathBuf> = Vec::new();
        let mut seen_dirs: HashSet<PathBuf> = HashSet::new();
        for path in inputs {
            for dir in paths::dir_of(path).ancestors() {
                if !seen_dirs.insert(dir.to_path_buf()) {
                    break;
                }
                if find_kustomization(disk, dir).is_some() {
                    roots.push(dir.to_path_buf());
                }
            }
        }
        roots.sort();
        let mut named = Named::default();
        // Namespaces per file from every build that reaches it; agreed on at the end.
        let mut namespaces: HashMap<PathBuf, HashSet<Option<String>>> = HashMap::new();
        let mut visited: HashSet<(PathBuf, String)> = HashSet::new();
        for dir in &roots {
            named.walk(
                dir,
                &Inherited::default(),
                disk,
                &mut visited,
                &mut namespaces,
                0,
            );
        }
        for (path, set) in namespaces {
            let agreed = if set.len() == 1 {
                set.into_iter().next().flatten()
            } else {
                None
            };
            if let Some(t) = named.transforms.get_mut(&path) {
                t.namespace = agreed;
            }
        }
        named
    }

    /// The role the kustomizations give `path`: what one names it as, or, for a file inside a
    /// kustomize tree that no kustomization builds, a partial object: kustomize only builds
    /// what is listed, and such files are patches applied by a commented-out entry (kubebuilder
    /// scaffolds them that way) or by a script.
    pub fn role_of(&self, path: &Path) -> Option<Role> {
        if let Some(role) = self.roles.get(path) {
            return Some(*role);
        }
        let in_tree = paths::dir_of(path)
            .ancestors()
            .any(|d| self.dirs.contains(d));
        (in_tree && !self.transforms.contains_key(path))
            .then_some(Role::Partial(Partial::KustomizePatch))
    }

    fn walk(
        &mut self,
        dir: &Path,
        outer: &Inherited,
        disk: &Disk,
        visited: &mut HashSet<(PathBuf, String)>,
        namespaces: &mut HashMap<PathBuf, HashSet<Option<String>>>,
        depth: usize,
    ) {
        let key = (dir.to_path_buf(), format!("{outer:?}"));
        if depth > MAX_DEPTH || !visited.insert(key) {
            return;
        }
        let Some(file) = find_kustomization(disk, dir) else {
            return;
        };
        let Some(k) = read(&file, disk.limits) else {
            return;
        };
        self.dirs.insert(dir.to_path_buf());
        let root = &k;
        let str_list = |key: &str| -> Vec<String> {
            root.get(key)
                .map(|n| {
                    n.items()
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let local = |rel: &str| paths::normalize(&dir.join(rel));
        let is_path = |s: &str| !s.contains('\n') && !is_remote(s);

        // Partial objects and data. Every list names files by string or by `path:`.
        let patch = Role::Partial(Partial::KustomizePatch);
        let data = Role::Skipped(Skip::KustomizeInput);
        for (key, role) in [
            ("patchesStrategicMerge", patch),
            ("patches", patch),
            ("patchesJson6902", data),
            ("replacements", data),
            ("configurations", data),
            ("crds", data),
            ("transformers", data),
            ("generators", data),
            ("validators", data),
        ] {
            for p in referenced(root.get(key)) {
                if is_path(p) {
                    self.set(local(p), role);
                }
            }
        }
        for gen in ["configMapGenerator", "secretGenerator"] {
            for item in root.get(gen).map(Node::items).unwrap_or_default() {
                let files = ["files", "envs"]
                    .iter()
                    .flat_map(|k| referenced(item.get(k)))
                    .chain(item.get("env").and_then(Node::as_str));
                for f in files {
                    // `files` entries may be `key=path`.
                    let p = f.split_once('=').map_or(f, |(_, p)| p);
                    if is_path(p) {
                        self.set(local(p), data);
                    }
                }
            }
        }
        if let Some(p) = root.get_path(&["openapi", "path"]).and_then(Node::as_str) {
            self.set(local(p), data);
        }

        // What this level does to its resources, on top of what the overlays above do.
        let mut here = outer.clone();
        if here.namespace.is_none() {
            here.namespace = root
                .get("namespace")
                .and_then(Node::as_str)
                .map(str::to_string);
        }
        let common = root
            .get("commonLabels")
            .is_some_and(|l| !l.entries().is_empty());
        let labels = root.get("labels").map(Node::items).unwrap_or_default();
        here.fills_selectors |= common
            || labels
                .iter()
                .any(|l| l.get("includeSelectors").and_then(Node::as_bool) == Some(true));
        for image in root.get("images").map(Node::items).unwrap_or_default() {
            let pins = ["newTag", "digest"].iter().any(|k| image.get(k).is_some());
            if let Some(name) = image.get("name").and_then(Node::as_str).filter(|_| pins) {
                here.pinned_images.push(name.to_string());
            }
        }
        here.rewrites |= common
            || !labels.is_empty()
            || root.get("namePrefix").is_some()
            || root.get("nameSuffix").is_some()
            || root.get("replacements").is_some()
            || root.get("vars").is_some();

        let mut entries = str_list("resources");
        entries.extend(str_list("bases"));
        entries.extend(str_list("components"));
        for entry in entries {
            if !is_path(&entry) {
                continue;
            }
            let target = local(&entry);
            if find_kustomization(disk, &target).is_some() {
                self.walk(&target, &here, disk, visited, namespaces, depth + 1);
            } else {
                let t = self.transforms.entry(target.clone()).or_default();
                t.fills_selectors |= here.fills_selectors;
                t.rewrites |= here.rewrites;
                t.pinned_images.extend(here.pinned_images.iter().cloned());
                namespaces
                    .entry(target)
                    .or_default()
                    .insert(here.namespace.clone());
            }
        }
    }

    fn set(&mut self, path: PathBuf, role: Role) {
        // A file named as a patch by one kustomization stays partial even when another lists
        // it as data: partial is the more lenient reading.
        let e = self.roles.entry(path).or_insert(role);
        if matches!(role, Role::Partial(_)) {
            *e = role;
        }
    }
}

/// The files a kustomization list names: its string items and the `path` of its map items
/// (inline patches and configs are neither).
fn referenced(list: Option<&Node>) -> impl Iterator<Item = &str> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| {
            item.as_str()
                .or_else(|| item.get("path").and_then(Node::as_str))
        })
}

/// A remote base (`github.com/...`, `https://...`): nothing kubevet can read.
fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("github.com/") || s.starts_with("git@")
}

fn find_kustomization(disk: &Disk, dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().find_map(|n| disk.file_in(dir, n))
}

/// The root node of a kustomization file, parsed with kubevet's own loader.
fn read(path: &Path, limits: &Limits) -> Option<Node> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_KUSTOMIZATION_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let file = SourceFile::new(0, path.display().to_string(), text);
    let parsed = yaml::parse_file(&file, limits);
    parsed
        .documents
        .into_iter()
        .map(|d| d.root)
        .find(Node::is_map)
}
