//! Walking a (self-contained) JSON schema along an instance path, the way the validator
//! does, to find what a location allows: its properties, its types, its definition name.
//!
//! Kubernetes schemas use only `$ref`, `properties`, `additionalProperties`, `items`,
//! `type`, `enum` and `required`; CRD schemas may add `allOf`/`anyOf`/`oneOf`, which are
//! searched branch by branch.

use serde_json::Value;

use super::validator::Seg;

/// A schema location: the schema object after `$ref`s are followed, and the name of the
/// last definition reached (`io.k8s.api.core.v1.Container`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step<'a> {
    pub schema: &'a Value,
    pub def: Option<&'a str>,
}

impl<'a> Step<'a> {
    /// The short type name of the definition (`Container`), if the location is one.
    pub fn type_name(&self) -> Option<&'a str> {
        self.def.map(|d| d.rsplit('.').next().unwrap_or(d))
    }

    pub fn properties(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.schema.get("properties").and_then(Value::as_object)
    }

    pub fn has_property(&self, name: &str) -> bool {
        self.properties().is_some_and(|p| p.contains_key(name))
    }

    /// The JSON types the location accepts, without `null` (which every optional
    /// Kubernetes field accepts).
    pub fn types(&self) -> Vec<&'a str> {
        match self.schema.get("type") {
            Some(Value::String(s)) if s != "null" => vec![s.as_str()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ => Vec::new(),
        }
    }

    /// True for a map whose keys are free (labels, annotations, `data`).
    pub fn is_free_map(&self) -> bool {
        self.properties().is_none()
            && self
                .schema
                .get("additionalProperties")
                .is_some_and(|a| a.is_object() || a == &Value::Bool(true))
    }
}

pub(crate) struct Nav<'a> {
    /// The document, whose `$defs` the `$ref`s name.
    root: &'a Value,
    /// Where walks start: the document itself, or an entry into it.
    start: &'a Value,
}

const MAX_REF_HOPS: usize = 32;

impl<'a> Nav<'a> {
    /// Walks from `start`: `root` itself, or an entry into it (a `$ref`).
    pub fn starting_at(root: &'a Value, start: &'a Value) -> Self {
        Nav { root, start }
    }

    pub fn root(&self) -> Step<'a> {
        self.resolve(self.start, None)
    }

    /// Follows `$ref`s from `schema`.
    pub fn resolve(&self, mut schema: &'a Value, mut def: Option<&'a str>) -> Step<'a> {
        for _ in 0..MAX_REF_HOPS {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(name) = r.strip_prefix("#/$defs/") else {
                break;
            };
            let Some(target) = self.root.get("$defs").and_then(|d| d.get(name)) else {
                break;
            };
            schema = target;
            def = Some(name);
        }
        Step { schema, def }
    }

    /// The schema of `seg` inside `step`, if the schema says anything about it.
    pub fn child(&self, step: Step<'a>, seg: &Seg) -> Option<Step<'a>> {
        match seg {
            Seg::Key(k) => self.child_key(step, k),
            Seg::Index(_) => self.child_item(step),
        }
    }

    /// The schema of mapping key `key` inside `step` (no allocation: the walks over whole
    /// documents call this per entry).
    pub fn child_key(&self, step: Step<'a>, key: &str) -> Option<Step<'a>> {
        self.child_rec(step, Some(key), 0)
    }

    /// The schema of the items of the list at `step`.
    pub fn child_item(&self, step: Step<'a>) -> Option<Step<'a>> {
        self.child_rec(step, None, 0)
    }

    /// `key`: `None` for a list item.
    fn child_rec(&self, step: Step<'a>, key: Option<&str>, depth: usize) -> Option<Step<'a>> {
        if depth > 8 {
            return None;
        }
        let s = step.schema;
        let direct = match key {
            Some(k) => s
                .get("properties")
                .and_then(|p| p.get(k))
                .or_else(|| s.get("additionalProperties").filter(|a| a.is_object())),
            None => s.get("items").filter(|i| i.is_object()),
        };
        if let Some(d) = direct {
            // A child reached without a `$ref` is an anonymous part of its parent.
            return Some(self.resolve(d, None));
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(branches) = s.get(combinator).and_then(Value::as_array) {
                for b in branches {
                    let b = self.resolve(b, step.def);
                    if let Some(found) = self.child_rec(b, key, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    /// The schema at every prefix of `path`: element 0 is the root, element `i` the schema
    /// of `path[..i]`. Stops early where the schema says nothing more.
    pub fn walk(&self, path: &[Seg]) -> Vec<Step<'a>> {
        let mut out = Vec::with_capacity(path.len() + 1);
        let mut cur = self.root();
        out.push(cur);
        for seg in path {
            match self.child(cur, seg) {
                Some(next) => {
                    out.push(next);
                    cur = next;
                }
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_refs_items_and_maps() {
        let root = json!({
            "$ref": "#/$defs/a.Pod",
            "$defs": {
                "a.Pod": {"properties": {"spec": {"$ref": "#/$defs/a.PodSpec"}}},
                "a.PodSpec": {"properties": {
                    "containers": {"type": "array", "items": {"$ref": "#/$defs/a.Container"}},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "a.Container": {"properties": {"image": {"type": ["string", "null"]}}}
            }
        });
        let nav = Nav::starting_at(&root, &root);
        let path = [
            Seg::Key("spec".into()),
            Seg::Key("containers".into()),
            Seg::Index(0),
            Seg::Key("image".into()),
        ];
        let steps = nav.walk(&path);
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[0].type_name(), Some("Pod"));
        assert_eq!(steps[1].type_name(), Some("PodSpec"));
        assert_eq!(steps[3].type_name(), Some("Container"));
        assert_eq!(steps[4].types(), vec!["string"]);
        assert_eq!(steps[4].type_name(), None);
        let ns = nav
            .child(steps[1], &Seg::Key("nodeSelector".into()))
            .unwrap();
        assert!(ns.is_free_map());
    }
}
