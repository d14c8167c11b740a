//! CustomResourceDefinitions: their `openAPIV3Schema` turned into strict JSON Schema, with
//! the structural-schema semantics the API server applies before it validates:
//!
//! - Pruning: an object schema without `x-kubernetes-preserve-unknown-fields` gets
//!   `additionalProperties: false` (unknown fields are reported, as with kubectl's default
//!   strict field validation). The flag on a list applies to its items too (pruning's
//!   `skipPrune`); the known fields under a preserving object are still checked.
//! - `nullable`: a `null` map member is pruned (or defaulted) before validation, so it never
//!   fails; a `null` list item fails unless the item schema is `nullable`.
//! - `default`: defaulting runs before validation, so a required field with a default is
//!   not required.
//! - `x-kubernetes-int-or-string` becomes an integer-or-string type;
//!   `x-kubernetes-embedded-resource` admits `apiVersion`/`kind`/`metadata` and requires
//!   `apiVersion` and `kind`.
//! - OpenAPI's boolean `exclusiveMinimum`/`Maximum` become JSON Schema's numeric ones.
//!
//! The root always admits `apiVersion`, `kind` and `metadata`, which is validated as the
//! built-in ObjectMeta.

use serde_json::{json, Map, Value as J};

use super::{SchemaSet, RULE_INVALID_CRD};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

pub(crate) struct Registration<'a> {
    pub api_version: String,
    pub kind: String,
    /// The version's `openAPIV3Schema` (`None`: no schema, anything goes); converted by
    /// [`schema_document`] only when a resource of the kind is validated.
    pub raw: Option<&'a Node>,
    /// `deprecated: true`: the warning the API server returns with each request (the CRD's
    /// `deprecationWarning`, or `None` for the server's default text).
    pub deprecated: Option<Option<String>>,
}

/// A version a CRD defines with `served: false`: the API server has no endpoint for it.
pub(crate) struct Unserved {
    pub api_version: String,
    /// The version's `name` in the CRD.
    pub span: crate::yaml::Span,
}

/// The served versions of a CRD document with a schema each.
pub(crate) fn versions_of<'a>(
    doc: &'a Node,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
    unserved: &mut Vec<Unserved>,
) -> Vec<Registration<'a>> {
    let mut out = Vec::new();
    if doc.get("kind").and_then(Node::as_str) != Some("CustomResourceDefinition") {
        return out;
    }
    let Some(spec) = doc.get("spec") else {
        return out;
    };
    let (Some(group), Some(kind)) = (
        spec.get("group").and_then(Node::as_str),
        spec.get_path(&["names", "kind"]).and_then(Node::as_str),
    ) else {
        return out;
    };
    // v1beta1 CRDs may carry one schema for all versions.
    let shared = spec.get_path(&["validation", "openAPIV3Schema"]);
    type Deprecation = Option<Option<String>>;
    let mut versions: Vec<(&str, Option<&Node>, Deprecation)> = Vec::new();
    for v in spec.get("versions").map(Node::items).unwrap_or_default() {
        let Some(name_node) = v.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        if v.get("served").and_then(Node::as_bool) == Some(false) {
            unserved.push(Unserved {
                api_version: format!("{group}/{name}"),
                span: name_node.span,
            });
            continue;
        }
        let schema = v.get_path(&["schema", "openAPIV3Schema"]).or(shared);
        let deprecated = (v.get("deprecated").and_then(Node::as_bool) == Some(true)).then(|| {
            v.get("deprecationWarning")
                .and_then(Node::as_str)
                .map(str::to_string)
        });
        versions.push((name, schema, deprecated));
    }
    if versions.is_empty() {
        if let Some(name) = spec.get("version").and_then(Node::as_str) {
            versions.push((name, shared, None));
        }
    }
    let mut checked: Vec<crate::yaml::Span> = Vec::new();
    for (_, schema, _) in &versions {
        if let Some(s) = schema {
            if !checked.contains(&s.span) {
                checked.push(s.span);
                unsupported_types(s, file, diags, 0);
            }
        }
    }
    for (version, raw, deprecated) in versions {
        // Conversion waits until a resource needs it; what would make it fail is found now,
        // so that the CRD is reported even when none of its resources is in the input.
        if let Some((span, e)) = raw.and_then(|s| unusable(s, 0, true)) {
            diags.push(Diagnostic::new(
                RULE_INVALID_CRD,
                Severity::Warning,
                file,
                span,
                format!("the schema of {group}/{version} {kind} cannot be used: {e}; its objects are not validated"),
            ));
            continue;
        }
        out.push(Registration {
            api_version: format!("{group}/{version}"),
            kind: kind.to_string(),
            raw,
            deprecated,
        });
    }
    out
}

/// A CRD version's schema as a self-contained Draft 2020-12 document, with the built-in
/// ObjectMeta for `metadata`; `None`: no schema, anything goes (as the API server would
/// accept it).
pub(crate) fn schema_document(raw: Option<&Node>, set: &SchemaSet<'_>) -> Result<J, String> {
    let root = match raw {
        Some(s) => {
            let root = convert_root(&lean_json(s));
            // Debug builds (the corpus tests, the fuzzer) convert every CRD both ways.
            debug_assert_eq!(
                root,
                convert_root(&s.to_json()),
                "lean JSON converts otherwise"
            );
            root?
        }
        None => {
            convert_root(&json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}))?
        }
    };
    Ok(set.closure_document(OBJECT_META, Some(root)))
}

/// [`schema_document`] cut down to one resource, `doc` (see `crd_cut.rs`).
pub(crate) fn resource_document(
    raw: Option<&Node>,
    doc: &Node,
    keep: super::crd_cut::Keep,
    set: &SchemaSet<'_>,
) -> Result<J, String> {
    let Some(s) = raw else {
        return schema_document(None, set);
    };
    let root = convert_root(&super::crd_cut::cut(s, &[doc], keep))?;
    Ok(set.closure_document(OBJECT_META, Some(root)))
}

/// The JSON of a CRD schema without the texts [`convert`] drops (`description`, `example`,
/// `externalDocs`): most of a large CRD's bytes are descriptions, and copying them was half
/// the cost of converting it. Values that are data rather than schemas (`default`, `enum`,
/// `x-kubernetes-validations`...) are copied whole, whatever keys they hold.
pub(super) fn lean_json(schema: &Node) -> J {
    match &schema.kind {
        NodeKind::Map(entries) => {
            let mut m = Map::with_capacity(entries.len());
            for e in entries {
                let key = e.key.key_text().unwrap_or_default();
                let v = match key {
                    "description" | "example" | "externalDocs" => continue,
                    // Field names -> schemas.
                    "properties" | "patternProperties" | "definitions" => match &e.value.kind {
                        NodeKind::Map(fields) => {
                            let mut f = Map::with_capacity(fields.len());
                            for field in fields {
                                let name = field.key.key_text().unwrap_or_default();
                                f.insert(name.to_string(), lean_json(&field.value));
                            }
                            J::Object(f)
                        }
                        _ => e.value.to_json(),
                    },
                    // A schema, or a list of them.
                    "items" | "additionalProperties" | "not" | "allOf" | "anyOf" | "oneOf" => {
                        lean_json(&e.value)
                    }
                    _ => e.value.to_json(),
                };
                m.insert(key.to_string(), v);
            }
            J::Object(m)
        }
        NodeKind::Seq(items) => J::Array(items.iter().map(lean_json).collect()),
        NodeKind::Scalar(_) => schema.to_json(),
    }
}

/// Why [`convert`] would refuse `schema`, and where: it walks the same places.
fn unusable(schema: &Node, depth: usize, root: bool) -> Option<(crate::yaml::Span, String)> {
    if depth > MAX_DEPTH {
        return Some((schema.span, "schema nests too deeply".into()));
    }
    if !schema.is_map() {
        if !root && schema.as_bool().is_some() {
            return None;
        }
        let found = match schema.text() {
            Some(t) if !t.is_empty() => format!("`{t}`"),
            _ => format!("a {}", schema.type_name()),
        };
        let e = if root {
            format!("openAPIV3Schema is not an object (found {found})")
        } else {
            format!("expected a schema object, found {found}")
        };
        return Some((schema.span, e));
    }
    let deeper = |s: &Node| unusable(s, depth + 1, false);
    let int_or_string = schema
        .get("x-kubernetes-int-or-string")
        .and_then(Node::as_bool)
        == Some(true);
    for e in schema.entries() {
        let Some(key) = e.key.key_text() else {
            continue;
        };
        let v = &e.value;
        let found = match key {
            "properties" | "patternProperties" | "definitions" => {
                v.entries().iter().find_map(|p| deeper(&p.value))
            }
            "items" if v.is_map() => deeper(v),
            "items" => v.items().iter().find_map(deeper),
            "not" => deeper(v),
            "additionalProperties" if v.is_map() => deeper(v),
            "anyOf" | "oneOf" if int_or_string => None,
            "allOf" | "anyOf" | "oneOf" => v.items().iter().find_map(deeper),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// `type` values outside the six OpenAPI types: the API server rejects the CRD
/// (`ValidateCustomResourceDefinitionOpenAPISchema`: `type: Unsupported value`).
fn unsupported_types(schema: &Node, file: FileId, diags: &mut Vec<Diagnostic>, depth: usize) {
    const TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];
    if depth > MAX_DEPTH || !schema.is_map() {
        return;
    }
    // One pass over the entries: this walks every node of every CRD schema in the run, and
    // a lookup per keyword made it several times slower. A repeated key counts once, the
    // first (as a lookup finds it).
    let mut seen = 0u16;
    for e in schema.entries() {
        let slot = match e.key.key_text() {
            Some("type") => 0,
            Some("properties") => 1,
            Some("patternProperties") => 2,
            Some("definitions") => 3,
            Some("items") => 4,
            Some("additionalProperties") => 5,
            Some("not") => 6,
            Some("allOf") => 7,
            Some("anyOf") => 8,
            Some("oneOf") => 9,
            _ => continue,
        };
        if seen & (1 << slot) != 0 {
            continue;
        }
        seen |= 1 << slot;
        match slot {
            0 => {
                let t = &e.value;
                if let Some(v) = t.as_str().filter(|v| !v.is_empty() && !TYPES.contains(v)) {
                    let mut d = Diagnostic::new(
                        RULE_INVALID_CRD,
                        Severity::Error,
                        file,
                        t.span,
                        format!("schema type `{v}` is not an OpenAPI type: the API server rejects the CustomResourceDefinition (type: Unsupported value: \"{v}\")"),
                    )
                    .with_primary_label("not a type");
                    if let Some(m) = crate::model::names::did_you_mean(v, TYPES) {
                        d = d.with_help(format!("did you mean `type: {m}`? (supported: array, boolean, integer, number, object, string)"));
                    } else {
                        d = d.with_help(
                            "supported types: array, boolean, integer, number, object, string",
                        );
                    }
                    diags.push(d);
                }
            }
            1..=3 => {
                for e in e.value.entries() {
                    unsupported_types(&e.value, file, diags, depth + 1);
                }
            }
            4..=6 => unsupported_types(&e.value, file, diags, depth + 1),
            _ => {
                for s in e.value.items() {
                    unsupported_types(s, file, diags, depth + 1);
                }
            }
        }
    }
}

fn convert_root(schema: &J) -> Result<J, String> {
    let mut root = convert(schema, 0, false, Pos::Root, false)?;
    let Some(m) = root.as_object_mut() else {
        return Err("openAPIV3Schema is not an object".into());
    };
    admit_object_header(m);
    Ok(root)
}

fn admit_object_header(m: &mut Map<String, J>) {
    let props = m
        .entry("properties")
        .or_insert_with(|| J::Object(Map::new()));
    if let Some(p) = props.as_object_mut() {
        p.insert("apiVersion".into(), json!({"type": "string"}));
        p.insert("kind".into(), json!({"type": "string"}));
        p.insert(
            "metadata".into(),
            json!({"$ref": format!("#/$defs/{OBJECT_META}")}),
        );
    }
}

const MAX_DEPTH: usize = 200;

/// Where a schema sits, which decides what a `null` value means there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Root,
    /// A value in a map (`properties`, `additionalProperties`): the API server prunes a
    /// `null` there (or replaces it with the field's default), so it never fails.
    Member,
    /// A list item: a `null` stays and fails unless the item schema is `nullable`.
    Item,
}

/// `inherit_preserve`: the enclosing list has `x-kubernetes-preserve-unknown-fields`, which
/// the API server's pruning applies to the list's items as well (its `skipPrune`).
/// `in_combinator`: inside a branch of `allOf`/`anyOf`/`oneOf`/`not`, where nothing is strict.
fn convert(
    schema: &J,
    depth: usize,
    in_combinator: bool,
    pos: Pos,
    inherit_preserve: bool,
) -> Result<J, String> {
    if depth > MAX_DEPTH {
        return Err("schema nests too deeply".into());
    }
    let J::Object(src) = schema else {
        // `true`/`false` schemas or garbage: keep booleans, refuse the rest.
        return match schema {
            J::Bool(_) => Ok(schema.clone()),
            _ => Err(format!("expected a schema object, found `{schema}`")),
        };
    };
    let flag = |k: &str| src.get(k).and_then(J::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields") || inherit_preserve;
    let nullable = flag("nullable");
    let int_or_string = flag("x-kubernetes-int-or-string");
    let embedded = flag("x-kubernetes-embedded-resource");

    let mut out = Map::new();
    let mut one_ofs = Vec::new();
    for (k, v) in src {
        match k.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                let J::Object(props) = v else { continue };
                let mut conv = Map::new();
                for (name, s) in props {
                    conv.insert(
                        name.clone(),
                        convert(s, depth + 1, in_combinator, Pos::Member, false)?,
                    );
                }
                out.insert(k.clone(), J::Object(conv));
            }
            "items" => {
                let pos = Pos::Item;
                if v.is_object() {
                    out.insert(
                        k.clone(),
                        convert(v, depth + 1, in_combinator, pos, preserve)?,
                    );
                } else if let J::Array(items) = v {
                    // Draft 4 tuple form.
                    let conv = items
                        .iter()
                        .map(|s| convert(s, depth + 1, in_combinator, pos, preserve))
                        .collect::<Result<Vec<_>, _>>()?;
                    out.insert("prefixItems".into(), J::Array(conv));
                }
            }
            "not" => {
                out.insert(k.clone(), convert(v, depth + 1, true, pos, false)?);
            }
            "additionalProperties" => {
                if v.is_object() {
                    out.insert(
                        k.clone(),
                        convert(v, depth + 1, in_combinator, Pos::Member, false)?,
                    );
                } else if v.is_boolean() {
                    out.insert(k.clone(), v.clone());
                }
            }
            "allOf" | "anyOf" | "oneOf" => {
                if int_or_string && k != "allOf" {
                    continue;
                }
                let J::Array(branches) = v else { continue };
                let conv = branches
                    .iter()
                    .map(|s| convert(s, depth + 1, true, pos, false))
                    .collect::<Result<Vec<_>, _>>()?;
                // `oneOf` becomes `anyOf`: the API server applies defaults and checks
                // formats before its `oneOf`, so branches that kubevet cannot tell apart
                // (`type` left to its default) would otherwise both match and fail.
                if k == "oneOf" {
                    one_ofs.push(json!({ "anyOf": conv }));
                } else {
                    out.insert(k.clone(), J::Array(conv));
                }
            }
            "exclusiveMaximum" | "exclusiveMinimum" => {
                let bound = if k == "exclusiveMaximum" {
                    "maximum"
                } else {
                    "minimum"
                };
                match v {
                    J::Bool(true) => {
                        if let Some(b) = src.get(bound) {
                            out.insert(k.clone(), b.clone());
                        }
                    }
                    J::Number(_) => {
                        out.insert(k.clone(), v.clone());
                    }
                    _ => {}
                }
            }
            "maximum" | "minimum" => {
                let exclusive = if k == "maximum" {
                    "exclusiveMaximum"
                } else {
                    "exclusiveMinimum"
                };
                if src.get(exclusive) != Some(&J::Bool(true)) && v.is_number() {
                    out.insert(k.clone(), v.clone());
                }
            }
            "required" => {
                // Defaulting runs before validation: a required field with a default is
                // filled in when absent.
                let J::Array(names) = v else { continue };
                let props = src.get("properties").and_then(J::as_object);
                let kept: Vec<J> = names
                    .iter()
                    .filter(|n| {
                        let p = n.as_str().and_then(|n| props?.get(n));
                        p.is_none_or(|p| p.get("default").is_none())
                    })
                    .cloned()
                    .collect();
                if !kept.is_empty() {
                    out.insert(k.clone(), J::Array(kept));
                }
            }
            // Kept for the list-map check (`listmaps.rs`) and the CEL stage (`cel/`); the
            // validator ignores them.
            "x-kubernetes-list-type"
            | "x-kubernetes-list-map-keys"
            | "default"
            | "x-kubernetes-validations" => {
                out.insert(k.clone(), v.clone());
            }
            "type" | "enum" | "pattern" | "maxLength" | "minLength" | "maxItems" | "minItems"
            | "uniqueItems" | "maxProperties" | "minProperties" | "multipleOf" | "format" => {
                out.insert(k.clone(), v.clone());
            }
            // description, default, example, externalDocs, x-kubernetes-*, nullable, ...
            _ => {}
        }
    }
    if !one_ofs.is_empty() {
        let all = out.entry("allOf").or_insert_with(|| J::Array(Vec::new()));
        if let J::Array(a) = all {
            a.extend(one_ofs);
        }
    }
    if int_or_string {
        out.insert("type".into(), json!(["integer", "string"]));
    }
    // Kubernetes prunes `null` from map members that are not nullable (or defaults them)
    // before validating, so a null member never fails by itself; a null list item does,
    // unless the item schema is nullable.
    if !in_combinator && (pos != Pos::Item || nullable) {
        match out.get_mut("type") {
            Some(J::String(t)) => {
                let t = t.clone();
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(J::Array(ts)) if !ts.iter().any(|t| t == "null") => {
                ts.push(json!("null"));
            }
            _ => {}
        }
        if let Some(J::Array(e)) = out.get_mut("enum") {
            if !e.contains(&J::Null) {
                e.push(J::Null);
            }
        }
    }
    // Only a declared object prunes unknown fields; branches of allOf/anyOf/oneOf/not may
    // not declare fields of their own in a structural schema, so they are never strict.
    let is_object = !in_combinator
        && match out.get("type") {
            Some(J::String(t)) => t == "object",
            Some(J::Array(ts)) => ts.iter().any(|t| t == "object"),
            _ => false,
        };
    if embedded {
        admit_object_header(&mut out);
        // The API server requires both in an embedded object (metadata stays optional).
        if !in_combinator {
            let req = out
                .entry("required")
                .or_insert_with(|| J::Array(Vec::new()));
            if let J::Array(r) = req {
                for k in ["apiVersion", "kind"] {
                    if !r.iter().any(|x| x == k) {
                        r.push(json!(k));
                    }
                }
            }
        }
    }
    if is_object && !preserve && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), J::Bool(false));
    }
    Ok(J::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `unusable` finds, without converting, exactly what makes `convert_root` fail.
    #[test]
    fn unusable_agrees_with_conversion() {
        use crate::source::SourceFile;
        use crate::yaml::{parse_file, Limits};
        let deep = format!(
            "{}{{}}{}",
            "{not: ".repeat(MAX_DEPTH + 2),
            "}".repeat(MAX_DEPTH + 2)
        );
        let cases: &[(&str, Option<&str>)] = &[
            ("{type: object, properties: {a: {type: string}}}", None),
            (
                "{properties: {a: true, b: false}, additionalProperties: 3}",
                None,
            ),
            ("{x-kubernetes-int-or-string: true, anyOf: [1]}", None),
            (
                "[]",
                Some("openAPIV3Schema is not an object (found a list)"),
            ),
            (
                "{properties: {a: 3}}",
                Some("expected a schema object, found `3`"),
            ),
            (
                "{items: [{}, x]}",
                Some("expected a schema object, found `x`"),
            ),
            (
                "{allOf: [{not: []}]}",
                Some("expected a schema object, found a list"),
            ),
            (&deep, Some("schema nests too deeply")),
        ];
        for (text, want) in cases {
            let file = SourceFile::new(0, "s.yaml".into(), text.to_string());
            let limits = Limits {
                max_depth: 1000,
                ..Limits::default()
            };
            let parsed = parse_file(&file, &limits);
            let root = &parsed.documents[0].root;
            let got = unusable(root, 0, true).map(|(_, e)| e);
            assert_eq!(got.as_deref(), *want, "{text}");
            assert_eq!(
                convert_root(&root.to_json()).is_err(),
                want.is_some(),
                "{text}"
            );
            assert_eq!(
                convert_root(&lean_json(root)),
                convert_root(&root.to_json()),
                "{text}"
            );
        }
    }

    /// Dropping descriptions before converting changes nothing converted: fields named
    /// `description` and data holding such keys stay.
    #[test]
    fn lean_json_converts_alike() {
        use crate::source::SourceFile;
        use crate::yaml::{parse_file, Limits};
        let text = "type: object\ndescription: long text\nexample: {a: 1}\n\
            externalDocs: {url: x}\nrequired: [description]\nproperties:\n  \
            description: {type: string, description: the field's own}\n  \
            example: {type: object, default: {description: kept}}\n  \
            list:\n    type: array\n    items: {type: object, description: d, \
            x-kubernetes-validations: [{rule: 'has(self.description)', message: description}],\n      \
            properties: {description: {enum: [description]}}}\n  \
            any: {anyOf: [{description: a, type: string}], not: {description: n}}\n";
        let file = SourceFile::new(0, "s.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let root = &parsed.documents[0].root;
        let lean = lean_json(root);
        assert!(lean.get("description").is_none());
        assert_eq!(lean["properties"]["description"]["type"], "string");
        assert_eq!(
            lean["properties"]["example"]["default"]["description"],
            "kept"
        );
        assert_eq!(
            convert_root(&lean).unwrap(),
            convert_root(&root.to_json()).unwrap()
        );
    }

    #[test]
    fn converts_kubernetes_extensions() {
        let s = json!({
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": true,
                         "anyOf": [{"type": "integer"}, {"type": "string"}]},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "opt": {"type": "string", "nullable": true},
                "n": {"type": "integer", "maximum": 5, "exclusiveMaximum": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        });
        let c = convert(&s, 0, false, Pos::Root, false).unwrap();
        assert_eq!(c["additionalProperties"], json!(false));
        assert_eq!(
            c["properties"]["port"],
            json!({"type": ["integer", "string", "null"]})
        );
        assert_eq!(c["properties"]["free"], json!({"type": ["object", "null"]}));
        assert_eq!(c["properties"]["opt"], json!({"type": ["string", "null"]}));
        assert_eq!(
            c["properties"]["n"],
            json!({"type": ["integer", "null"], "exclusiveMaximum": 5})
        );
        assert_eq!(
            c["properties"]["labels"],
            json!({"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}})
        );
        // oneOf branches declare no fields of their own: never strict, and oneOf is relaxed
        // to anyOf (defaults are not applied before it).
        let s = json!({"type": "object",
                       "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                       "oneOf": [{"properties": {"a": {"enum": ["x"]}}}, {"required": ["b"]}]});
        let c = convert(&s, 0, false, Pos::Root, false).unwrap();
        assert!(c["allOf"][0]["anyOf"][0]
            .get("additionalProperties")
            .is_none());
    }
}
