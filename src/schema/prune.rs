//! A schema cut down to one document, for explaining that document's errors.
//!
//! Explaining a failure needs the compiled validator's errors, and compiling a whole kind
//! costs far more than the document: Argo CD's `ApplicationSet` CRD takes 39 ms to compile,
//! while the failing example in its docs is 14 KB. Validation reads only the `properties`
//! the document has, so the schema is first cut down to those (recursively, through every
//! `$ref`), and that much smaller schema is compiled instead.
//!
//! The cut keeps every keyword, and every `properties` entry the document has: what
//! validation reads is unchanged, so the errors are the same (debug builds compare them).

use std::collections::BTreeMap;

use jsonschema::json::{Array, Node as _, Object};
use serde_json::{json, Map, Value};

use super::instance::Inst;
use super::quick::{def_name, MAX_HOPS};

/// Limits the cut to documents that are small beside their schema; past it the whole
/// schema is compiled once and kept.
const MAX_DEFS: usize = 4096;

/// `start` (`root`, a self-contained schema with `$ref`s only into its own `$defs`, or an
/// entry into it) cut down to what validating `inst` reads, as a self-contained schema; or
/// `None` when a reference chain loops or the cut grows large.
pub(crate) fn prune(root: &Value, start: &Value, inst: Inst<'_>) -> Option<Value> {
    let mut p = Pruner {
        defs: root.get("$defs").and_then(Value::as_object),
        out_defs: Map::new(),
    };
    let mut out = p.schema(start, &[inst], 0)?;
    let Value::Object(m) = &mut out else {
        return Some(out);
    };
    m.insert("$defs".into(), Value::Object(p.out_defs));
    Some(out)
}

struct Pruner<'s> {
    defs: Option<&'s Map<String, Value>>,
    /// One cut per `$ref` use, each under a name of its own.
    out_defs: Map<String, Value>,
}

impl Pruner<'_> {
    fn schema(&mut self, s: &Value, insts: &[Inst<'_>], hops: u32) -> Option<Value> {
        let Value::Object(obj) = s else {
            return Some(s.clone());
        };
        let mut out = Map::new();
        for (k, v) in obj {
            let cut = match k.as_str() {
                "$defs" => continue,
                "properties" => {
                    let props = v.as_object()?;
                    // Key -> its values in the documents, in schema order.
                    let mut present: BTreeMap<&str, Vec<Inst<'_>>> = BTreeMap::new();
                    for o in insts.iter().filter_map(|i| i.as_object()) {
                        for (name, child) in o.members() {
                            if let Some((key, _)) = props.get_key_value(name) {
                                present.entry(key.as_str()).or_default().push(child);
                            }
                        }
                    }
                    let mut kept = Map::new();
                    for (name, children) in present {
                        let sub = props.get(name)?;
                        kept.insert(name.to_string(), self.schema(sub, &children, 0)?);
                    }
                    Value::Object(kept)
                }
                "additionalProperties" if v.is_object() => {
                    let props = obj.get("properties").and_then(Value::as_object);
                    let children: Vec<Inst<'_>> = insts
                        .iter()
                        .filter_map(|i| i.as_object())
                        .flat_map(|o| o.members())
                        .filter(|(name, _)| props.is_none_or(|p| !p.contains_key(*name)))
                        .map(|(_, child)| child)
                        .collect();
                    self.sub(v, &children)?
                }
                "items" if v.is_object() => {
                    let children: Vec<Inst<'_>> = insts
                        .iter()
                        .filter_map(|i| i.as_array())
                        .flat_map(|a| a.elements())
                        .collect();
                    self.sub(v, &children)?
                }
                "allOf" | "anyOf" | "oneOf" => Value::Array(
                    v.as_array()?
                        .iter()
                        .map(|b| self.hop(b, insts, hops))
                        .collect::<Option<Vec<_>>>()?,
                ),
                "not" => self.hop(v, insts, hops)?,
                "$ref" => {
                    let name = def_name(v.as_str()?)?;
                    let target = self.defs?.get(name)?;
                    let cut = self.hop(target, insts, hops)?;
                    if self.out_defs.len() >= MAX_DEFS {
                        return None;
                    }
                    let own = format!("{name}.{}", self.out_defs.len());
                    self.out_defs.insert(own.clone(), cut);
                    json!(format!("#/$defs/{own}"))
                }
                _ => v.clone(),
            };
            out.insert(k.clone(), cut);
        }
        Some(Value::Object(out))
    }

    /// A subschema applied to `children`; one applied to none is never read.
    fn sub(&mut self, s: &Value, children: &[Inst<'_>]) -> Option<Value> {
        if children.is_empty() {
            Some(json!({}))
        } else {
            self.schema(s, children, 0)
        }
    }

    /// A step into `s` at the same document nodes.
    fn hop(&mut self, s: &Value, insts: &[Inst<'_>], hops: u32) -> Option<Value> {
        if hops >= MAX_HOPS {
            return None;
        }
        self.schema(s, insts, hops + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::instance::Instance;
    use crate::schema::validator::{Compiled, RawError};
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};

    fn sorted(mut e: Vec<RawError>) -> Vec<RawError> {
        e.sort_by_cached_key(|x| format!("{x:?}"));
        e
    }

    /// The cut of `schema` for `text`, after checking that it explains `text` exactly as
    /// the whole schema does.
    fn cut(schema: &Value, text: &str) -> Option<Value> {
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let inst = Instance::new(&parsed.documents[0].root, None);
        let cut = prune(schema, schema, inst.root())?;
        let whole = Compiled::compile(schema).unwrap().errors(inst.root());
        let part = Compiled::compile(&cut).unwrap().errors(inst.root());
        assert!(!whole.is_empty(), "{text} should fail");
        assert_eq!(sorted(whole), sorted(part), "{text}");
        Some(cut)
    }

    #[test]
    fn a_cut_deployment_explains_alike_and_is_small() {
        let set = crate::schema::SchemaSet::new(None).unwrap();
        let whole = set.closure_document("io.k8s.api.apps.v1.Deployment", None);
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, labelz: {}}\n\
            spec:\n  replicas: many\n  selector: {matchLabels: {app: x}}\n  template:\n    \
            metadata: {labels: {app: x}}\n    spec:\n      containers:\n      - name: a\n        \
            image: i\n        ports: [{containerPort: http}]\n      - imagePullPolicy: Sometimes\n";
        let part = cut(&whole, text).unwrap();
        let size = |v: &Value| v.to_string().len();
        assert!(
            size(&part) * 10 < size(&whole),
            "{} vs {}",
            size(&part),
            size(&whole)
        );
    }

    #[test]
    fn keeps_every_keyword_of_what_the_document_reaches() {
        let s = json!({
            "type": "object",
            "required": ["a", "b"],
            "additionalProperties": {"type": "object", "properties": {"x": {"type": "string"}},
                                     "additionalProperties": false},
            "properties": {
                "a": {"type": "array", "items": {"$ref": "#/$defs/I"}},
                "unused": {"$ref": "#/$defs/I"}
            },
            "$defs": {"I": {"type": "object", "properties": {"k": {"enum": ["x"]}},
                            "additionalProperties": false,
                            "anyOf": [{"required": ["k"]}, {"required": ["j"]}]}}
        });
        let part = cut(&s, "a: [{k: y}, {z: 1}]\nother: {x: 1, y: 2}").unwrap();
        // What the document does not reach is gone.
        assert!(part["properties"].get("unused").is_none());
        let looped = json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}});
        let file = SourceFile::new(0, "t.yaml".into(), "x: 1".into());
        let parsed = parse_file(&file, &Limits::default());
        let inst = Instance::new(&parsed.documents[0].root, None);
        assert!(prune(&looped, &looped, inst.root()).is_none());
    }
}
