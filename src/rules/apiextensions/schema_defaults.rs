//! `ValidateDefaults` (apiextensions-apiserver `pkg/apiserver/schema/defaulting/validation.go`):
//! every `default` in a structural schema must survive pruning (no field the schema does not
//! declare) and validate against the schema it sits in (type, enum, bounds, lengths, item and
//! property counts, required fields of a default object). Formats, patterns and junctors
//! (`allOf`, `anyOf`, ...) are not judged (their dialects differ from what kubevet has), nor
//! defaults inside embedded-resource metadata; CEL rules on defaults belong to CEL.

use serde_json::Value as J;

use super::crd::{key_span, Finding};
use crate::yaml::Node;

const MAX_DEPTH: usize = 100;

/// Checks the defaults of one version's `openAPIV3Schema` (the resource root).
pub fn check_default(root: &Node, path: &str, out: &mut Vec<Finding>) {
    walk(root, &At::Root(path), true, false, out, 0);
}

/// Where a schema sits below the version's root, as a chain up to it: the paths are written
/// out only for a default (most schema nodes have none).
enum At<'a> {
    /// The root's server field path (`spec.versions[0].schema.openAPIV3Schema`).
    Root(&'a str),
    Items(&'a At<'a>),
    Property(&'a At<'a>, &'a str),
}

impl At<'_> {
    /// The server field path and the data path (`.spec.ports[*].name`).
    fn paths(&self) -> (String, String) {
        match self {
            At::Root(p) => (p.to_string(), String::new()),
            At::Items(up) => {
                let (p, d) = up.paths();
                (p + ".items", d + "[*]")
            }
            At::Property(up, k) => {
                let (p, d) = up.paths();
                (format!("{p}.properties[{k}]"), format!("{d}.{k}"))
            }
        }
    }
}

fn flag(s: &Node, key: &str) -> bool {
    s.get(key).and_then(Node::as_bool) == Some(true)
}

/// Follows `properties` and `items` as the server does (defaults are forbidden under
/// `additionalProperties` of metadata and not followed elsewhere there).
fn walk(s: &Node, at: &At<'_>, root: bool, inside_meta: bool, out: &mut Vec<Finding>, depth: usize) {
    if depth > MAX_DEPTH || !s.is_map() {
        return;
    }
    let embedded = root || flag(s, "x-kubernetes-embedded-resource");
    let inside_meta = if flag(s, "x-kubernetes-embedded-resource") { false } else { inside_meta };
    if let Some(d) = s.get("default").filter(|d| !d.is_null()) {
        if !inside_meta {
            let (path, data) = at.paths();
            one_default(s, d, embedded, &path, &data, out);
        }
    }
    if let Some(items) = s.get("items").filter(|i| i.is_map()) {
        walk(items, &At::Items(at), false, inside_meta, out, depth + 1);
    }
    for e in s.get("properties").map(Node::entries).unwrap_or_default() {
        let k = e.key.key_text().unwrap_or_default();
        let meta = inside_meta || (embedded && matches!(k, "apiVersion" | "kind" | "metadata"));
        walk(&e.value, &At::Property(at, k), false, meta, out, depth + 1);
    }
}

fn one_default(s: &Node, d: &Node, embedded: bool, path: &str, data: &str, out: &mut Vec<Finding>) {
    let value = d.to_json();
    let field = if data.is_empty() { "the object".to_string() } else { format!("`{}`", data.trim_start_matches('.')) };
    if let Some(unknown) = pruned_field(&value, Some(s), embedded, "") {
        out.push(Finding::new(
            d.span,
            format!("{path}.default"),
            format!("the default of {field} has the field `{}`, which its schema does not declare (pruning would drop it)", unknown.trim_start_matches('.')),
            "Invalid value: must not have unknown fields",
            "remove the field from the default, or declare it in the schema",
        ));
        return;
    }
    let mut errs = Vec::new();
    validate(&value, s, "", &mut errs, 0);
    if let Some((at, problem, server)) = errs.into_iter().next() {
        let where_ = if at.is_empty() { String::new() } else { format!(" at `{}`", at.trim_start_matches('.')) };
        out.push(Finding::new(
            d.span,
            format!("{path}.default{at}"),
            format!("the default of {field} does not validate against its own schema{where_}: {problem}"),
            server,
            "fix the default so that it is a valid value of the field",
        ));
    }
    let _ = key_span;
}

/// The first field `pruning.Prune` would remove from `v`, as a path inside the default.
fn pruned_field(v: &J, s: Option<&Node>, embedded: bool, at: &str) -> Option<String> {
    let Some(s) = s.filter(|s| s.is_map()) else {
        return match v {
            J::Object(m) => m.keys().next().map(|k| format!("{at}.{k}")),
            J::Array(a) => a.iter().enumerate().find_map(|(i, x)| pruned_field(x, None, false, &format!("{at}[{i}]"))),
            _ => None,
        };
    };
    let preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
    let embedded = embedded || flag(s, "x-kubernetes-embedded-resource");
    match v {
        J::Object(m) => {
            for (k, x) in m {
                if embedded && matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let sub = format!("{at}.{k}");
                if let Some(p) = s.get("properties").and_then(|p| p.get(k)) {
                    if let Some(f) = pruned_field(x, Some(p), false, &sub) {
                        return Some(f);
                    }
                } else if let Some(ap) = s.get("additionalProperties").filter(|a| !a.is_null()) {
                    let schema = ap.is_map().then_some(ap);
                    if let Some(f) = pruned_field(x, schema, false, &sub) {
                        return Some(f);
                    }
                } else if !preserve {
                    return Some(sub);
                }
            }
            None
        }
        J::Array(a) => {
            let items = s.get("items").filter(|i| i.is_map());
            if preserve && items.is_none() {
                return None;
            }
            a.iter().enumerate().find_map(|(i, x)| pruned_field(x, items, false, &format!("{at}[{i}]")))
        }
        _ => None,
    }
}

fn type_of(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "integer",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn is_integral(v: &J) -> bool {
    match v {
        J::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

fn num(n: &Node) -> Option<f64> {
    match n.to_json() {
        J::Number(x) => x.as_f64(),
        _ => None,
    }
}

fn json_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (J::Object(x), J::Object(y)) => x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| json_eq(p, q))),
        _ => a == b,
    }
}

type Problem = (String, String, String);

/// kube-openapi's schema validation of a value, the parts kubevet decides the same way.
fn validate(v: &J, s: &Node, at: &str, errs: &mut Vec<Problem>, depth: usize) {
    if depth > MAX_DEPTH || !s.is_map() || !errs.is_empty() {
        return;
    }
    // A null is left alone: whether it is pruned, defaulted or nullable is decided elsewhere.
    if v.is_null() {
        return;
    }
    let t = s.get("type").and_then(Node::as_str).unwrap_or("");
    let got = type_of(v);
    if flag(s, "x-kubernetes-int-or-string") {
        // The default is validated against the schema as kube-openapi reads it, where the
        // flag alone sets no type: only an `anyOf: [integer, string]` checks one.
        if s.get("anyOf").is_some() && !matches!(got, "integer" | "string") && !is_integral(v) {
            errs.push((at.to_string(), format!("a {got} is neither an integer nor a string"), format!("Invalid value: \"{got}\": must be of type integer or string")));
            return;
        }
    } else if !t.is_empty() {
        let ok = match t {
            "integer" => is_integral(v),
            "number" => matches!(v, J::Number(_)),
            _ => t == got,
        };
        if !ok {
            errs.push((at.to_string(), format!("expected {t}, found {got} `{v}`"), format!("Invalid value: \"{got}\": must be of type {t}")));
            return;
        }
    }
    if let Some(e) = s.get("enum").filter(|e| e.is_seq()) {
        if !e.items().iter().any(|x| json_eq(&x.to_json(), v)) {
            errs.push((at.to_string(), format!("`{v}` is not one of the enum values"), format!("Unsupported value: {v}")));
            return;
        }
    }
    let bound = |k: &str| s.get(k).and_then(num);
    match v {
        J::String(st) => {
            let n = st.chars().count() as f64;
            if bound("maxLength").is_some_and(|m| n > m) {
                errs.push((at.to_string(), format!("`{st}` is longer than maxLength"), "Too long: may not be longer than maxLength".into()));
            } else if bound("minLength").is_some_and(|m| n < m) {
                errs.push((at.to_string(), format!("`{st}` is shorter than minLength"), "Invalid value: should be at least minLength chars long".into()));
            }
        }
        J::Number(x) => {
            let Some(x) = x.as_f64() else { return };
            let excl = |k: &str| s.get(k).and_then(Node::as_bool) == Some(true);
            if let Some(m) = bound("maximum") {
                if x > m || (excl("exclusiveMaximum") && x >= m) {
                    errs.push((at.to_string(), format!("{x} is above the maximum {m}"), format!("Invalid value: {x}: should be less than or equal to {m}")));
                    return;
                }
            }
            if let Some(m) = bound("minimum") {
                if x < m || (excl("exclusiveMinimum") && x <= m) {
                    errs.push((at.to_string(), format!("{x} is below the minimum {m}"), format!("Invalid value: {x}: should be greater than or equal to {m}")));
                }
            }
        }
        J::Array(a) => {
            let n = a.len() as f64;
            if bound("maxItems").is_some_and(|m| n > m) {
                errs.push((at.to_string(), format!("{} items, more than maxItems", a.len()), "Too many: must have at most maxItems items".into()));
                return;
            }
            if bound("minItems").is_some_and(|m| n < m) {
                errs.push((at.to_string(), format!("{} items, fewer than minItems", a.len()), "Invalid value: should have at least minItems items".into()));
                return;
            }
            if let Some(items) = s.get("items").filter(|i| i.is_map()) {
                for (i, x) in a.iter().enumerate() {
                    validate(x, items, &format!("{at}[{i}]"), errs, depth + 1);
                }
            }
        }
        J::Object(m) => {
            let n = m.len() as f64;
            if bound("maxProperties").is_some_and(|b| n > b) {
                errs.push((at.to_string(), format!("{} fields, more than maxProperties", m.len()), "Too many: must have at most maxProperties items".into()));
                return;
            }
            if bound("minProperties").is_some_and(|b| n < b) {
                errs.push((at.to_string(), format!("{} fields, fewer than minProperties", m.len()), "Invalid value: should have at least minProperties properties".into()));
                return;
            }
            for r in s.get("required").map(Node::items).unwrap_or_default() {
                if let Some(k) = r.as_str() {
                    if !m.contains_key(k) {
                        errs.push((format!("{at}.{k}"), format!("the required field `{k}` is missing"), "Required value".into()));
                        return;
                    }
                }
            }
            let props = s.get("properties");
            let ap = s.get("additionalProperties").filter(|a| a.is_map());
            for (k, x) in m {
                if let Some(sub) = props.and_then(|p| p.get(k)).or(ap) {
                    validate(x, sub, &format!("{at}.{k}"), errs, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_written_from_the_chain() {
        let root = At::Root("spec.versions[0].schema.openAPIV3Schema");
        let spec = At::Property(&root, "spec");
        let ports = At::Property(&spec, "ports");
        let item = At::Items(&ports);
        let name = At::Property(&item, "name");
        assert_eq!(
            name.paths(),
            (
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[ports].items.properties[name]".to_string(),
                ".spec.ports[*].name".to_string()
            )
        );
        assert_eq!(root.paths().1, "");
    }

    use super::*;
    use crate::source::SourceFile;
    use serde_json::json;

    fn schema(yaml: &str) -> Node {
        let file = SourceFile::new(0, "s.yaml".into(), yaml.to_string());
        let parsed = crate::yaml::parse_file(&file, &crate::yaml::Limits::default());
        parsed.documents[0].root.clone()
    }

    #[test]
    fn pruning_keeps_declared_preserved_and_map_fields() {
        let s = schema("type: object\nproperties:\n  a:\n    type: object\n    properties:\n      b: {type: string}\n  m:\n    type: object\n    additionalProperties: {type: string}\n  free:\n    type: object\n    x-kubernetes-preserve-unknown-fields: true\n");
        assert_eq!(pruned_field(&json!({"a": {"b": "x"}, "m": {"k": "v"}, "free": {"z": 1}}), Some(&s), false, ""), None);
        assert_eq!(pruned_field(&json!({"a": {"c": "x"}}), Some(&s), false, ""), Some(".a.c".into()));
        // An embedded resource keeps its type and object metadata.
        assert_eq!(pruned_field(&json!({"apiVersion": "v1", "a": {}}), Some(&s), true, ""), None);
        assert_eq!(pruned_field(&json!({"apiVersion": "v1"}), Some(&s), false, ""), Some(".apiVersion".into()));
    }

    #[test]
    fn validation_reports_the_first_problem_with_its_place() {
        let s = schema("type: object\nrequired: [size]\nproperties:\n  size: {type: integer, minimum: 1}\n  e: {type: string, enum: [A, B]}\n  l: {type: array, maxItems: 1, items: {type: string}}\n");
        let run = |v: J| {
            let mut errs = Vec::new();
            validate(&v, &s, "", &mut errs, 0);
            errs.into_iter().next().map(|(at, _, server)| format!("{at}: {server}"))
        };
        assert_eq!(run(json!({"size": 2, "e": "A", "l": ["x"]})), None);
        assert_eq!(run(json!({"size": 2.0})), None, "an integral float is an integer");
        assert_eq!(run(json!({})), Some(".size: Required value".into()));
        assert_eq!(run(json!({"size": 0})).as_deref(), Some(".size: Invalid value: 0: should be greater than or equal to 1"));
        assert!(run(json!({"size": 1, "e": "a"})).is_some_and(|e| e.starts_with(".e: Unsupported value")));
        assert!(run(json!({"size": 1, "l": ["x", "y"]})).is_some_and(|e| e.starts_with(".l: Too many")));
        assert!(run(json!({"size": "1"})).is_some_and(|e| e.contains("must be of type integer")));
    }
}

