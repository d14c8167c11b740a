//! All objects of a run, indexed for cross-object rules.

use std::collections::HashMap;

use super::object::is_cluster_scoped;
use super::{Object, PodTemplate};
use crate::source::SourceFile;

pub struct Workspace<'a> {
    pub files: &'a [SourceFile],
    pub objects: Vec<Object<'a>>,
    /// Namespace for objects that name none (`--namespace`, else `default`).
    pub default_namespace: String,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// Kinds whose CRD in the run says `scope: Cluster`.
    cluster_scoped_crs: Vec<(&'a str, &'a str)>,
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
        Workspace {
            files,
            objects,
            default_namespace,
            by_kind,
            cluster_scoped_crs,
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
        self.objects
            .iter()
            .filter_map(|o| PodTemplate::of(o).map(|t| (o, t)))
    }

    /// Pod templates in `namespace`.
    pub fn pod_templates_in<'s>(
        &'s self,
        namespace: &'s str,
    ) -> impl Iterator<Item = (&'s Object<'a>, PodTemplate<'a>)> + 's {
        self.pod_templates()
            .filter(move |(o, _)| self.namespace_of(o) == Some(namespace))
    }

    /// Looks an object up by kind, namespace and name.
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object<'a>> {
        self.of_kind(kind)
            .find(|o| o.name == Some(name) && self.namespace_of(o) == namespace)
    }
}
