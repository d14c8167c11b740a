//! A CRD schema cut down to one custom resource, before it is converted.
//!
//! Converting a CRD's whole schema costs as much as its bytes: Argo CD's `ApplicationSet` is
//! 1.4 MB of schema, and a repository's one ApplicationSet is a few hundred bytes. What
//! validating a resource reads is the schema of the fields it has; so, when a kind's
//! resources are small beside its schema, each is checked against the schema cut down to it:
//!
//! - a field the resource has keeps its schema, cut down to the resource's values there;
//! - a field it lacks keeps only its own keywords (its type, its flags), not the schemas
//!   below it: nothing validates what is absent, and messages still see every field name
//!   (for "did you mean");
//! - a field it lacks but that is required, or has a `default` (defaulting runs before
//!   validation and before the CEL rules), keeps its whole schema;
//! - combinators (`allOf`, `anyOf`, `oneOf`, `not`) apply to the same values, and are cut
//!   alike.
//!
//! The cut is taken from the YAML schema, so that the costly copy and conversion
//! ([`super::crd`]) see only what is kept. Debug builds check every resource against the
//! whole schema as well and compare the findings.

use foldhash::{HashMap, HashMapExt, HashSet};
use serde_json::{Map, Value as J};

use super::crd::lean_json;
use crate::yaml::{Node, NodeKind};

/// How much of the schemas no value reaches a cut keeps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Keep {
    /// Their own keywords: enough to judge the resource.
    Judge,
    /// Also the field names two objects down (looking through lists), which the messages
    /// read for their hints ("did you mean", "nest it under `helm`"): enough to explain it.
    Explain,
}

/// The lean JSON of `schema` (as [`lean_json`] makes it) cut down to validating `insts`.
pub(super) fn cut(schema: &Node, insts: &[&Node], keep: Keep) -> J {
    let NodeKind::Map(entries) = &schema.kind else {
        return lean_json(schema);
    };
    let mut m = Map::with_capacity(entries.len());
    for e in entries {
        let key = e.key.key_text().unwrap_or_default();
        let v = match key {
            "description" | "example" | "externalDocs" => continue,
            "properties" if e.value.is_map() => properties(schema, &e.value, insts, keep),
            "items" if e.value.is_map() => {
                let items: Vec<&Node> = insts.iter().flat_map(|n| n.items()).collect();
                sub(&e.value, &items, keep)
            }
            "additionalProperties" if e.value.is_map() => {
                let declared: HashSet<&str> = schema
                    .get("properties")
                    .map(Node::entries)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| p.key.key_text())
                    .collect();
                let members: Vec<&Node> = insts
                    .iter()
                    .flat_map(|n| n.entries())
                    .filter(|m| !declared.contains(m.key.key_text().unwrap_or_default()))
                    .map(|m| &m.value)
                    .collect();
                sub(&e.value, &members, keep)
            }
            "not" if e.value.is_map() => cut(&e.value, insts, keep),
            "allOf" | "anyOf" | "oneOf" if e.value.is_seq() => J::Array(
                e.value
                    .items()
                    .iter()
                    .map(|b| cut(b, insts, keep))
                    .collect(),
            ),
            // `items` in tuple form, `patternProperties`, `definitions`: whole (rare in CRDs,
            // which must be structural).
            "items"
            | "additionalProperties"
            | "not"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "patternProperties"
            | "definitions"
            | "properties" => lean_json(&e.value),
            _ => e.value.to_json(),
        };
        m.insert(key.to_string(), v);
    }
    J::Object(m)
}

/// `properties` of `schema`, each cut to the values `insts` hold under its name.
fn properties(schema: &Node, props: &Node, insts: &[&Node], keep: Keep) -> J {
    let mut present: HashMap<&str, Vec<&Node>> = HashMap::new();
    for m in insts.iter().flat_map(|n| n.entries()) {
        present
            .entry(m.key.key_text().unwrap_or_default())
            .or_default()
            .push(&m.value);
    }
    let required = schema.get("required").map(Node::items).unwrap_or_default();
    let mut out = Map::with_capacity(props.entries().len());
    for field in props.entries() {
        let name = field.key.key_text().unwrap_or_default();
        let v = match present.get(name) {
            Some(values) => cut(&field.value, values, keep),
            None if field.value.get("default").is_some()
                || required.iter().any(|r| r.as_str() == Some(name)) =>
            {
                lean_json(&field.value)
            }
            None => stub(&field.value, levels(keep)),
        };
        out.insert(name.to_string(), v);
    }
    J::Object(out)
}

/// A subschema cut to `values`; one applied to no value keeps only its own keywords.
fn sub(schema: &Node, values: &[&Node], keep: Keep) -> J {
    if values.is_empty() {
        stub(schema, levels(keep))
    } else {
        cut(schema, values, keep)
    }
}

fn levels(keep: Keep) -> usize {
    match keep {
        Keep::Judge => 0,
        Keep::Explain => 2,
    }
}

/// The schema of a field no value reaches: its own keywords, and the names of the fields
/// `levels` objects down (lists do not count).
fn stub(schema: &Node, levels: usize) -> J {
    let NodeKind::Map(entries) = &schema.kind else {
        return lean_json(schema);
    };
    let mut m = Map::new();
    for e in entries {
        let key = e.key.key_text().unwrap_or_default();
        let v = match key {
            "properties" if levels > 0 => J::Object(
                e.value
                    .entries()
                    .iter()
                    .map(|f| {
                        let name = f.key.key_text().unwrap_or_default().to_string();
                        (name, stub(&f.value, levels - 1))
                    })
                    .collect(),
            ),
            "items" if levels > 0 && e.value.is_map() => stub(&e.value, levels),
            "description"
            | "example"
            | "externalDocs"
            | "properties"
            | "items"
            | "additionalProperties"
            | "patternProperties"
            | "definitions"
            | "allOf"
            | "anyOf"
            | "oneOf"
            | "not"
            | "x-kubernetes-validations" => continue,
            _ => e.value.to_json(),
        };
        m.insert(key.to_string(), v);
    }
    J::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};
    use serde_json::json;

    fn node(text: &str) -> crate::yaml::ParsedFile {
        parse_file(
            &SourceFile::new(0, "t.yaml".into(), text.into()),
            &Limits::default(),
        )
    }

    #[test]
    fn keeps_what_the_resource_reaches_and_what_defaults_or_requires() {
        let schema = node(
            "type: object\nrequired: [c]\nproperties:\n  \
             a: {type: object, description: x, properties: {x: {type: string}, w: {type: object, properties: {z: {type: string}}}}}\n  \
             b: {type: object, properties: {p: {type: object, properties: {q: {type: object, properties: {r: {type: string}}}}}}}\n  \
             c: {type: object, properties: {x: {type: string}}}\n  \
             d: {type: object, default: {}, properties: {x: {type: string}}}\n  \
             l: {type: array, items: {type: object, properties: {k: {type: string}, m: {type: string}}}}\n",
        );
        let doc = node("a: {x: s}\nl: [{k: v}]\n");
        let (s, d) = (&schema.documents[0].root, &doc.documents[0].root);
        let judge = cut(s, &[d], Keep::Judge);
        assert_eq!(
            judge["properties"],
            json!({
                "a": {"type": "object", "properties": {"x": {"type": "string"}, "w": {"type": "object"}}},
                "b": {"type": "object"},
                "c": {"type": "object", "properties": {"x": {"type": "string"}}},
                "d": {"type": "object", "default": {}, "properties": {"x": {"type": "string"}}},
                "l": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}, "m": {"type": "string"}}}},
            })
        );
        // Explaining keeps field names two objects down.
        let explain = cut(s, &[d], Keep::Explain);
        assert_eq!(
            explain["properties"]["b"],
            json!({"type": "object", "properties": {"p": {"type": "object", "properties": {"q": {"type": "object"}}}}})
        );
    }
}
