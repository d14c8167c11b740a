//! All objects of a run, indexed for cross-object rules.

use std::collections::HashMap;

use super::object::is_cluster_scoped;
use super::{label_map, selector_closeness, LabelSelector, Object, PodTemplate};
use crate::source::SourceFile;

pub struct Workspace<'a> {
    pub files: &'a [SourceFile],
    pub objects: Vec<Object<'a>>,
    /// Namespace for objects that name none (`--namespace`, else `default`).
    pub default_namespace: String,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// Kinds whose CRD in the run says `scope: Cluster`.
    cluster_scoped_crs: Vec<(&'a str, &'a str)>,
    /// Objects with a pod template, with it, by namespace: cross-object rules ask for the
    /// templates of one namespace once per Service, PDB, policy...
    templates: Vec<(usize, PodTemplate<'a>)>,
    templates_by_ns: HashMap<String, Vec<usize>>,
}

impl<'a> Workspace<'a> {
    pub fn new(
        files: &'a [SourceFile],
        objects: Vec<Object<'a>>,
        default_namespace: String,
    ) -> Self {
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut cluster_scoped_crs = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind).or_default().push(i);
            if o.kind == "CustomResourceDefinition" {
                let spec = o.spec();
                let scope = spec.and_then(|s| s.get("scope")).and_then(|s| s.as_str());
                let group = spec.and_then(|s| s.get("group")).and_then(|s| s.as_str());
                let kind = spec
                    .and_then(|s| s.get_path(&["names", "kind"]))
                    .and_then(|s| s.as_str());
                if let (Some("Cluster"), Some(g), Some(k)) = (scope, group, kind) {
                    cluster_scoped_crs.push((g, k));
                }
            }
        }
        let mut ws = Workspace {
            files,
            objects,
            default_namespace,
            by_kind,
            cluster_scoped_crs,
            templates: Vec::new(),
            templates_by_ns: HashMap::new(),
        };
        let mut templates = Vec::new();
        let mut templates_by_ns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in ws.objects.iter().enumerate() {
            if let Some(t) = PodTemplate::of(o) {
                if let Some(ns) = ws.namespace_of(o) {
                    templates_by_ns
                        .entry(ns.to_string())
                        .or_default()
                        .push(templates.len());
                }
                templates.push((i, t));
            }
        }
        ws.templates = templates;
        ws.templates_by_ns = templates_by_ns;
        ws
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

    /// True when the run has at least one object of `kind` in `namespace`.
    pub fn has_kind_in(&self, kind: &str, namespace: &str) -> bool {
        self.of_kind(kind)
            .any(|o| self.namespace_of(o) == Some(namespace))
    }

    /// The namespace the object lives in, as Kubernetes resolves it; `None` when it is
    /// cluster-scoped.
    pub fn namespace_of<'s>(&'s self, obj: &Object<'a>) -> Option<&'s str> {
        if is_cluster_scoped(obj.kind)
            || self
                .cluster_scoped_crs
                .iter()
                .any(|(g, k)| *k == obj.kind && *g == obj.group())
        {
            return None;
        }
        Some(obj.namespace.unwrap_or(&self.default_namespace))
    }

    /// Every object with a pod template, with the template.
    pub fn pod_templates<'s>(
        &'s self,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.templates.iter().map(|(i, t)| (&self.objects[*i], *t))
    }

    /// Pod templates in `namespace`.
    pub fn pod_templates_in<'s>(
        &'s self,
        namespace: &'s str,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.templates_by_ns
            .get(namespace)
            .into_iter()
            .flatten()
            .map(|&t| {
                let (i, template) = self.templates[t];
                (&self.objects[i], template)
            })
    }

    /// The core Services of `namespace`.
    pub fn services_in(&self, namespace: &str) -> Vec<super::Service<'a>> {
        self.of_kind("Service")
            .filter(|o| self.namespace_of(o) == Some(namespace))
            .filter_map(super::Service::of)
            .collect()
    }

    /// Looks an object up by kind, namespace and name.
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object<'a>> {
        self.of_kind(kind)
            .find(|o| o.name == Some(name) && self.namespace_of(o) == namespace)
    }

    /// Pod templates in `namespace` whose labels the selector selects.
    pub fn templates_selected_by<'s>(
        &'s self,
        namespace: &'s str,
        selector: &'s LabelSelector<'_>,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.pod_templates_in(namespace)
            .filter(move |(_, t)| selector.matches(&label_map(t.labels())))
    }

    /// The pod template in `namespace` that comes closest to being selected (for "the
    /// closest pod template is here" labels).
    pub fn closest_template<'s>(
        &'s self,
        namespace: &'s str,
        selector: &LabelSelector<'_>,
    ) -> Option<(&'s Object<'a>, PodTemplate<'a>)> {
        // Ties go to the first template in run order.
        let mut best: Option<(usize, (&'s Object<'a>, PodTemplate<'a>))> = None;
        for (o, t) in self.pod_templates_in(namespace) {
            let score = selector_closeness(selector, &label_map(t.labels()));
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, (o, t)));
            }
        }
        best.map(|(_, x)| x)
    }

    /// Whether "this selector matches no pod template" can be said for a selector of an
    /// object in `file` and `namespace`: the run must hold pod templates there, none of them
    /// half-written (a template without labels is a kustomize base or a patch), no custom
    /// resource there may be the one creating the pods (an operator's CR whose labels the
    /// selector matches), and the file must not be under a kustomization (which rewrites
    /// labels and names).
    pub fn can_judge_selection(
        &self,
        file: usize,
        namespace: &str,
        selector: &LabelSelector<'_>,
    ) -> bool {
        let mut any = false;
        for (_, t) in self.pod_templates_in(namespace) {
            any = true;
            if t.labels().is_none_or(|l| l.entries().is_empty()) {
                return false;
            }
        }
        any && !self.under_kustomize(file) && !self.custom_resource_selected(namespace, selector)
    }

    /// A custom resource in `namespace` with a label map (its own labels, or any nested
    /// `labels` such as a pod template's) that the selector matches.
    pub fn custom_resource_selected(&self, namespace: &str, selector: &LabelSelector<'_>) -> bool {
        fn walk(n: &crate::yaml::Node, sel: &LabelSelector<'_>) -> bool {
            n.entries().iter().any(|e| {
                (e.key.key_text() == Some("labels")
                    && e.value.is_map()
                    && sel.matches(&label_map(Some(&e.value))))
                    || walk(&e.value, sel)
            }) || n.items().iter().any(|i| walk(i, sel))
        }
        self.objects.iter().any(|o| {
            !is_builtin_group(o.group())
                && self.namespace_of(o) == Some(namespace)
                && walk(o.root, selector)
        })
    }

    /// Whether the file sits in a directory (or below one) holding a kustomization file of
    /// the run: kustomize rewrites names, namespaces and labels, so cross-object checks on
    /// its sources would guess.
    pub fn under_kustomize(&self, file: usize) -> bool {
        let dirs: Vec<&std::path::Path> = self
            .files
            .iter()
            .filter_map(|f| {
                let p = std::path::Path::new(&f.path);
                let name = p.file_name()?.to_str()?;
                matches!(
                    name,
                    "kustomization.yaml" | "kustomization.yml" | "Kustomization"
                )
                .then(|| p.parent())
                .flatten()
            })
            .collect();
        if dirs.is_empty() {
            return false;
        }
        let Some(f) = self.files.get(file) else {
            return false;
        };
        let p = std::path::Path::new(&f.path);
        dirs.iter().any(|d| p.starts_with(d))
    }
}

/// Groups of the built-in Kubernetes APIs (objects of other groups are custom resources).
pub fn is_builtin_group(group: &str) -> bool {
    group.is_empty()
        || group.ends_with(".k8s.io")
        || matches!(
            group,
            "apps" | "batch" | "policy" | "autoscaling" | "extensions"
        )
}
