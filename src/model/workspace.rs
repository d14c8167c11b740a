//! All objects of a run, indexed once so that every cross-object rule is a lookup: objects by
//! kind, by name and by namespace, pod templates by namespace with their labels resolved,
//! and an inverted index from `key=value` to the templates carrying it.
//!
//! It also holds the evidence cross-object warnings need (see [`Workspace::can_judge_absence`]):
//! "nothing selects this" is only worth saying when the run is the whole picture.

// foldhash: the indexes hash a few strings per object, and SipHash was most of building them.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::Path;

use super::object::is_cluster_scoped;
use super::{label_map, selector_closeness, LabelSelector, Object, PodTemplate};
use crate::model::names::typo_of;
use crate::source::SourceFile;
use crate::yaml::Node;

type Labels<'a> = Vec<(&'a str, &'a str, &'a Node)>;

/// What the workspace knows about one namespace.
#[derive(Default)]
struct Namespace<'a> {
    /// Object indexes by kind.
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// Template indexes (into `Workspace::templates`).
    templates: Vec<usize>,
    /// `(key, value)` -> templates whose labels carry it.
    by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// A template without labels: a kustomize base or patch, half-written.
    unlabelled_template: bool,
    /// Custom resources (objects of non-built-in groups other than CRDs) in the namespace: an
    /// operator may create the pods, Services and Secrets nobody wrote.
    custom_resources: usize,
    /// Service name -> EndpointSlices labelled `kubernetes.io/service-name` with it.
    slices: HashMap<&'a str, Vec<usize>>,
}

struct Template<'a> {
    object: usize,
    template: PodTemplate<'a>,
    labels: Labels<'a>,
}

pub struct Workspace<'a> {
    pub files: &'a [SourceFile],
    pub objects: Vec<Object<'a>>,
    /// Namespace for objects that name none (`--namespace`, else `default`).
    pub default_namespace: String,
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Kinds whose CRD in the run says `scope: Cluster`.
    cluster_scoped_crs: HashSet<(&'a str, &'a str)>,
    templates: Vec<Template<'a>>,
    namespaces: HashMap<String, Namespace<'a>>,
    /// Per file: its objects may be completed by a tool kubevet does not run (kustomize
    /// builds it, a Helm chart or values file sits beside it).
    open_files: Vec<bool>,
    /// Per file: an id of its directory. A directory is the unit "the whole picture" is
    /// judged in: a repository holds many apps, examples and variants side by side.
    dir_of: Vec<usize>,
    /// `(directory, kind)` -> objects.
    by_dir_kind: HashMap<(usize, &'a str), Vec<usize>>,
    /// `(directory, namespace)` -> (pod templates, whether one has no labels).
    dir_templates: HashMap<(usize, String), (usize, bool)>,
}

impl<'a> Workspace<'a> {
    pub fn new(
        files: &'a [SourceFile],
        objects: Vec<Object<'a>>,
        default_namespace: String,
    ) -> Self {
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        let mut cluster_scoped_crs = HashSet::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind).or_default().push(i);
            if let Some(name) = o.name {
                by_name.entry((o.kind, name)).or_default().push(i);
            }
            if o.kind == "CustomResourceDefinition" {
                let spec = o.spec();
                let scope = spec.and_then(|s| s.get("scope")).and_then(|s| s.as_str());
                let group = spec.and_then(|s| s.get("group")).and_then(|s| s.as_str());
                let kind = spec
                    .and_then(|s| s.get_path(&["names", "kind"]))
                    .and_then(|s| s.as_str());
                if let (Some("Cluster"), Some(g), Some(k)) = (scope, group, kind) {
                    cluster_scoped_crs.insert((g, k));
                }
            }
        }
        let open_files = kustomize_dirs_in_run(files);
        let mut dir_ids: HashMap<&Path, usize> = HashMap::new();
        let dir_of: Vec<usize> = files
            .iter()
            .map(|f| {
                let dir = Path::new(&f.path).parent().unwrap_or(Path::new(""));
                let next = dir_ids.len();
                *dir_ids.entry(dir).or_insert(next)
            })
            .collect();
        let mut by_dir_kind: HashMap<(usize, &'a str), Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            let dir = dir_of.get(o.file).copied().unwrap_or(usize::MAX);
            by_dir_kind.entry((dir, o.kind)).or_default().push(i);
        }
        let mut ws = Workspace {
            files,
            objects,
            default_namespace,
            by_kind,
            by_name,
            cluster_scoped_crs,
            templates: Vec::new(),
            namespaces: HashMap::new(),
            open_files,
            dir_of,
            by_dir_kind,
            dir_templates: HashMap::new(),
        };
        ws.index_namespaces();
        ws
    }

    fn index_namespaces(&mut self) {
        let mut namespaces: HashMap<String, Namespace<'a>> = HashMap::new();
        let mut dir_templates: HashMap<(usize, String), (usize, bool)> = HashMap::new();
        let mut templates = Vec::new();
        for (i, o) in self.objects.iter().enumerate() {
            let Some(ns) = self.namespace_of(o) else {
                continue;
            };
            let entry = namespaces.entry(ns.to_string()).or_default();
            entry.by_kind.entry(o.kind).or_default().push(i);
            if !is_builtin_group(o.group()) && !is_passive_custom_resource(o.group(), o.kind) {
                entry.custom_resources += 1;
            }
            if let Some(service) = sliced_service(o) {
                entry.slices.entry(service).or_default().push(i);
            }
            if let Some(t) = PodTemplate::of(o) {
                let labels = label_map(t.labels());
                let ti = templates.len();
                entry.unlabelled_template |= labels.is_empty();
                for &(k, v, _) in &labels {
                    entry.by_label.entry((k, v)).or_default().push(ti);
                }
                entry.templates.push(ti);
                let dir = self.dir(o.file);
                let d = dir_templates.entry((dir, ns.to_string())).or_default();
                d.0 += 1;
                d.1 |= labels.is_empty();
                templates.push(Template {
                    object: i,
                    template: t,
                    labels,
                });
            }
        }
        self.templates = templates;
        self.namespaces = namespaces;
        self.dir_templates = dir_templates;
    }

    fn dir(&self, file: usize) -> usize {
        self.dir_of.get(file).copied().unwrap_or(usize::MAX)
    }

    /// Whether two files sit in the same directory.
    pub fn same_dir(&self, a: usize, b: usize) -> bool {
        a == b || self.dir(a) == self.dir(b)
    }

    /// Objects of `kind` (any namespace, or none) whose file sits in the directory of `file`.
    pub fn of_kind_in_dir<'s>(
        &'s self,
        kind: &'s str,
        file: usize,
    ) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.by_dir_kind
            .get(&(self.dir(file), kind))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Objects of `kind` in `namespace` whose file sits in the directory of `file`: the
    /// objects a "not found" finding about `file` may be judged against.
    pub fn of_kind_near<'s>(
        &'s self,
        kind: &'s str,
        namespace: &'s str,
        file: usize,
    ) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.of_kind_in_dir(kind, file)
            .filter(move |o| self.namespace_of(o) == Some(namespace))
    }

    /// Marks the files whose objects tools kubevet does not run may complete (the project
    /// stage knows: kustomize trees, Helm charts and values around them).
    pub fn set_open_files(&mut self, open: impl Fn(usize) -> bool) {
        for (i, o) in self.open_files.iter_mut().enumerate() {
            *o |= open(i);
        }
    }

    pub fn file(&self, id: usize) -> &'a SourceFile {
        &self.files[id]
    }

    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(move |&i| &self.objects[i])
    }

    /// Objects of `kind` in `namespace`.
    pub fn of_kind_in<'s>(
        &'s self,
        kind: &str,
        namespace: &str,
    ) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.namespaces
            .get(namespace)
            .and_then(|n| n.by_kind.get(kind))
            .into_iter()
            .flatten()
            .map(move |&i| &self.objects[i])
    }

    /// The objects of `kind` named `name` in `namespace`, in run order (an index lookup).
    pub fn named_in(&self, kind: &str, namespace: &str, name: &str) -> Vec<&Object<'a>> {
        let Some(found) = self.by_name.get(&(kind, name)) else {
            return Vec::new();
        };
        found
            .iter()
            .map(|&i| &self.objects[i])
            .filter(|o| self.namespace_of(o) == Some(namespace))
            .collect()
    }

    /// True when the run has at least one object of `kind` in `namespace`.
    pub fn has_kind_in(&self, kind: &str, namespace: &str) -> bool {
        self.of_kind_in(kind, namespace).next().is_some()
    }

    /// The namespace the object lives in, as Kubernetes resolves it; `None` when it is
    /// cluster-scoped.
    pub fn namespace_of<'s>(&'s self, obj: &Object<'a>) -> Option<&'s str> {
        if is_cluster_scoped(obj.kind)
            || (!self.cluster_scoped_crs.is_empty()
                && self.cluster_scoped_crs.contains(&(obj.group(), obj.kind)))
        {
            return None;
        }
        Some(obj.namespace.unwrap_or(&self.default_namespace))
    }

    /// Every object with a pod template, with the template.
    pub fn pod_templates<'s>(
        &'s self,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.templates
            .iter()
            .map(|t| (&self.objects[t.object], t.template))
    }

    /// Pod templates in `namespace`.
    pub fn pod_templates_in<'s>(
        &'s self,
        namespace: &str,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.namespaces
            .get(namespace)
            .map(|n| n.templates.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&t| {
                let t = &self.templates[t];
                (&self.objects[t.object], t.template)
            })
    }

    /// What kube-proxy reads a Service's endpoints from, as far as the run has them: the v1
    /// Endpoints named after it and the EndpointSlices labelled with its name.
    pub fn endpoints_of(&self, namespace: &str, service: &str) -> Vec<&Object<'a>> {
        let mut found: Vec<&Object<'a>> = self
            .named_in("Endpoints", namespace, service)
            .into_iter()
            .filter(|o| o.group().is_empty())
            .collect();
        if let Some(slices) = self
            .namespaces
            .get(namespace)
            .and_then(|n| n.slices.get(service))
        {
            found.extend(slices.iter().map(|&i| &self.objects[i]));
        }
        found
    }

    /// The core Services of `namespace`.
    pub fn services_in(&self, namespace: &str) -> Vec<super::Service<'a>> {
        self.of_kind_in("Service", namespace)
            .filter_map(super::Service::of)
            .collect()
    }

    /// Looks an object up by kind, namespace and name (the first in run order when the run
    /// has several).
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object<'a>> {
        self.by_name
            .get(&(kind, name))?
            .iter()
            .map(|&i| &self.objects[i])
            .find(|o| self.namespace_of(o) == namespace)
    }

    /// Every object of that kind, namespace and name: a repository often holds one object in
    /// several variants (an example and its copy, alternative setups).
    pub fn find_all<'s>(
        &'s self,
        kind: &'s str,
        namespace: Option<&'s str>,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.named(kind, name)
            .filter(move |o| self.namespace_of(o) == namespace)
    }

    /// Every object of that kind and name, in any namespace (an index lookup).
    pub fn named<'s>(
        &'s self,
        kind: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.by_name
            .get(&(kind, name))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Pod templates in `namespace` whose labels the selector selects. With equality
    /// requirements, only the templates carrying the rarest of them are tested.
    pub fn templates_selected_by<'s>(
        &'s self,
        namespace: &str,
        selector: &'s LabelSelector<'_>,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        let candidates: &[usize] = match self.namespaces.get(namespace) {
            None => &[],
            Some(ns) => {
                let rarest = selector
                    .match_labels
                    .iter()
                    .map(|kv| ns.by_label.get(kv).map_or(&[][..], Vec::as_slice))
                    .min_by_key(|p| p.len());
                rarest.unwrap_or(&ns.templates)
            }
        };
        candidates.iter().filter_map(move |&t| {
            let t = &self.templates[t];
            selector
                .matches(&t.labels)
                .then(|| (&self.objects[t.object], t.template))
        })
    }

    /// The pod template in `namespace` that comes closest to being selected (for "the
    /// closest pod template is here" labels). Only called when reporting.
    pub fn closest_template<'s>(
        &'s self,
        namespace: &str,
        selector: &LabelSelector<'_>,
    ) -> Option<(&'s Object<'a>, PodTemplate<'a>)> {
        // Ties go to the first template in run order.
        let mut best: Option<(usize, &Template<'a>)> = None;
        for &t in self
            .namespaces
            .get(namespace)
            .map_or(&[][..], |n| &n.templates)
        {
            let t = &self.templates[t];
            let score = selector_closeness(selector, &t.labels);
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, t));
            }
        }
        best.map(|(_, t)| (&self.objects[t.object], t.template))
    }

    /// A template in `namespace` the selector misses by one small edit: one value (or key)
    /// off by a typo, all other requirements met. Strong evidence of a mistake, whatever
    /// else the run holds.
    pub fn near_miss_template<'s>(
        &'s self,
        namespace: &str,
        selector: &LabelSelector<'_>,
    ) -> Option<(&'s Object<'a>, PodTemplate<'a>)> {
        if selector.match_labels.is_empty() || !selector.expressions.is_empty() {
            return None;
        }
        let ns = self.namespaces.get(namespace)?;
        ns.templates
            .iter()
            .map(|&t| &self.templates[t])
            .find_map(|t| {
                let mut misses = selector
                    .match_labels
                    .iter()
                    .filter(|(k, v)| !t.labels.iter().any(|(lk, lv, _)| lk == k && lv == v));
                let (k, v) = misses.next()?;
                if misses.next().is_some() {
                    return None;
                }
                let close = t.labels.iter().any(|(lk, lv, _)| {
                    (lk == k && typo_of(v, &[lv]).is_some())
                        || (lv == v && typo_of(k, &[lk]).is_some())
                });
                close.then(|| (&self.objects[t.object], t.template))
            })
    }

    /// Whether "this selector matches no pod template" can be said for a selector of an
    /// object in `file` and `namespace`: the file's directory must hold pod templates of the
    /// namespace, none of them half-written, and the run must be the whole picture ([`Workspace::can_judge_absence`]);
    /// a near miss (a label one typo away) is evidence enough on its own.
    pub fn can_judge_selection(
        &self,
        file: usize,
        namespace: &str,
        selector: &LabelSelector<'_>,
    ) -> bool {
        // The directory of the selector's file must hold pod templates of the namespace, all
        // of them labelled: otherwise its pods are defined elsewhere, or half-written.
        match self
            .dir_templates
            .get(&(self.dir(file), namespace.to_string()))
        {
            Some(&(n, unlabelled)) if n > 0 && !unlabelled => {}
            _ => return false,
        }
        self.can_judge_absence(file, namespace)
            || self.near_miss_template(namespace, selector).is_some()
    }

    /// Whether the run is the whole picture for "X is not in this run" findings about an
    /// object of `file` in `namespace`: not a system namespace, no custom resource lives in
    /// the namespace (an operator creates objects from it), and no tool kubevet does not run completes the
    /// file (kustomize rewrites names, labels and namespaces and adds resources; a Helm
    /// chart or values file beside it creates objects kubevet never sees).
    pub fn can_judge_absence(&self, file: usize, namespace: &str) -> bool {
        // The cluster itself runs pods there (static control-plane pods, add-ons) that no
        // manifest of a repository describes.
        if matches!(namespace, "kube-system" | "kube-public" | "kube-node-lease") {
            return false;
        }
        let operator = self
            .namespaces
            .get(namespace)
            .is_some_and(|n| n.custom_resources > 0);
        !operator && !self.is_open(file)
    }

    /// See [`Workspace::set_open_files`].
    pub fn is_open(&self, file: usize) -> bool {
        self.open_files.get(file).copied().unwrap_or(false)
    }

    /// Whether the file sits under a kustomization (or another tool completes it).
    pub fn under_kustomize(&self, file: usize) -> bool {
        self.is_open(file)
    }
}

/// Files in a directory (or below one) holding a kustomization file of the run: computed
/// once, for runs whose inputs are in memory (the project stage knows more for real trees).
fn kustomize_dirs_in_run(files: &[SourceFile]) -> Vec<bool> {
    let dirs: HashSet<&Path> = files
        .iter()
        .filter_map(|f| {
            let p = Path::new(&f.path);
            let name = p.file_name()?.to_str()?;
            matches!(
                name,
                "kustomization.yaml" | "kustomization.yml" | "Kustomization"
            )
            .then(|| p.parent())
            .flatten()
        })
        .collect();
    files
        .iter()
        .map(|f| !dirs.is_empty() && Path::new(&f.path).ancestors().any(|d| dirs.contains(d)))
        .collect()
}

/// Custom resources of well-known projects that configure something but create no pods,
/// Services or other objects a cross-object rule looks for (or only ones the rules already
/// account for, such as the Secret of a cert-manager Certificate): their presence is no
/// sign of an operator completing the picture.
fn is_passive_custom_resource(group: &str, kind: &str) -> bool {
    match group {
        "monitoring.coreos.com" => matches!(
            kind,
            "ServiceMonitor"
                | "PodMonitor"
                | "PrometheusRule"
                | "Probe"
                | "ScrapeConfig"
                | "AlertmanagerConfig"
        ),
        "cert-manager.io" | "acme.cert-manager.io" | "bitnami.com" | "external-secrets.io" => true,
        "networking.istio.io" | "security.istio.io" | "telemetry.istio.io" => true,
        "traefik.io" | "traefik.containo.us" => true,
        "keda.sh" => matches!(kind, "ScaledObject" | "TriggerAuthentication"),
        _ => false,
    }
}

/// Groups of the built-in Kubernetes APIs (objects of other groups are custom resources).
/// The Service an EndpointSlice serves: its `kubernetes.io/service-name` label.
pub fn sliced_service<'a>(o: &Object<'a>) -> Option<&'a str> {
    (o.kind == "EndpointSlice" && o.group() == "discovery.k8s.io")
        .then(|| o.labels()?.get("kubernetes.io/service-name")?.as_str())
        .flatten()
        .filter(|s| !s.is_empty())
}

pub fn is_builtin_group(group: &str) -> bool {
    group.is_empty()
        || group.ends_with(".k8s.io")
        || matches!(
            group,
            "apps" | "batch" | "policy" | "autoscaling" | "extensions"
        )
}
