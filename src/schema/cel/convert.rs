//! A custom resource's value as CEL sees it (apiserver `UnstructuredToVal`): typed by the
//! schema (`integer` is an int, `number` a double, int-or-string either), defaults applied
//! to absent properties, property names escaped (`__dash__`, `__namespace__`), `null`
//! members dropped as pruning drops them.

use std::collections::HashMap;
use std::sync::Arc;

use ::cel::objects::{Key, Map, Opaque, Value};
use serde_json::Value as J;

use super::tree::{SNode, Ty};
use crate::yaml::{Node, NodeKind, Value as Scalar};

/// A value of the resource: a YAML node, or a schema default filled in for an absent one.
#[derive(Clone, Copy)]
pub(super) enum Doc<'a> {
    Node(&'a Node),
    Json(&'a J),
}

impl<'a> Doc<'a> {
    pub fn is_null(self) -> bool {
        match self {
            Doc::Node(n) => n.is_null(),
            Doc::Json(j) => j.is_null(),
        }
    }

    /// The member `name` (the last one when a key repeats, as the decoder keeps), with its
    /// key node.
    pub fn member(self, name: &str) -> Option<(Doc<'a>, Option<&'a Node>)> {
        match self {
            Doc::Node(n) => n
                .entries()
                .iter()
                .rev()
                .find(|e| e.key.key_text() == Some(name))
                .map(|e| (Doc::Node(&e.value), Some(&e.key))),
            Doc::Json(J::Object(m)) => m.get(name).map(|v| (Doc::Json(v), None)),
            Doc::Json(_) => None,
        }
    }

    /// Members in order, keys as written (later duplicates included; the caller's map
    /// insertion keeps the last).
    pub fn members(self) -> Vec<(&'a str, Doc<'a>, Option<&'a Node>)> {
        match self {
            Doc::Node(n) => n
                .entries()
                .iter()
                .filter_map(|e| Some((e.key.key_text()?, Doc::Node(&e.value), Some(&e.key))))
                .collect(),
            Doc::Json(J::Object(m)) => m
                .iter()
                .map(|(k, v)| (k.as_str(), Doc::Json(v), None))
                .collect(),
            Doc::Json(_) => Vec::new(),
        }
    }

    pub fn items(self) -> Vec<(Doc<'a>, Option<&'a Node>)> {
        match self {
            Doc::Node(n) => n.items().iter().map(|i| (Doc::Node(i), Some(i))).collect(),
            Doc::Json(J::Array(a)) => a.iter().map(|i| (Doc::Json(i), None)).collect(),
            Doc::Json(_) => Vec::new(),
        }
    }

    pub fn is_map(self) -> bool {
        match self {
            Doc::Node(n) => n.is_map(),
            Doc::Json(j) => j.is_object(),
        }
    }

    pub fn is_seq(self) -> bool {
        match self {
            Doc::Node(n) => n.is_seq(),
            Doc::Json(j) => j.is_array(),
        }
    }
}

/// Why a value was not converted.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Skip {
    /// The value does not have its schema's type: the schema stage reports that, and the
    /// API server stops there.
    Mismatch,
    /// Bigger than the evaluation budget left.
    TooLarge,
}

/// A value kubevet does not model (a timestamp, duration or bytes field): any operation on
/// it fails, and that failure makes the rule "not evaluated", never "failed".
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unmodelled;

impl Opaque for Unmodelled {
    fn runtime_type_name(&self) -> &str {
        "kubevet.unmodelled"
    }
}

/// Converts `doc` under schema `s`, spending one unit of `budget` per value.
pub(super) fn to_value(
    s: &SNode,
    doc: Doc<'_>,
    budget: &mut u64,
    root: bool,
) -> Result<Value, Skip> {
    if *budget == 0 {
        return Err(Skip::TooLarge);
    }
    *budget -= 1;
    if doc.is_null() {
        return Ok(Value::Null);
    }
    match s.ty {
        Ty::Object => {
            if !doc.is_map() {
                return Err(Skip::Mismatch);
            }
            object(s, doc, budget, root)
        }
        Ty::Array => {
            if !doc.is_seq() {
                return Err(Skip::Mismatch);
            }
            let mut out = Vec::new();
            for (item, _) in doc.items() {
                out.push(match &s.items {
                    Some(is) => to_value(is, item, budget, false)?,
                    None => dynamic(item, budget)?,
                });
            }
            Ok(Value::List(Arc::new(out)))
        }
        Ty::Unsupported => Ok(Value::Opaque(Arc::new(Unmodelled))),
        Ty::Any => dynamic(doc, budget),
        Ty::Int | Ty::Double | Ty::String | Ty::Bool | Ty::IntOrString => {
            let v = scalar(doc).ok_or(Skip::Mismatch)?;
            match (s.ty, &v) {
                (Ty::Int | Ty::IntOrString, Value::Int(_) | Value::UInt(_)) => Ok(v),
                (Ty::Double, Value::Int(i)) => Ok(Value::Float(*i as f64)),
                (Ty::Double, Value::UInt(i)) => Ok(Value::Float(*i as f64)),
                (Ty::Double, Value::Float(_)) => Ok(v),
                (Ty::String | Ty::IntOrString, Value::String(_)) => Ok(v),
                (Ty::Bool, Value::Bool(_)) => Ok(v),
                _ => Err(Skip::Mismatch),
            }
        }
    }
}

fn object(s: &SNode, doc: Doc<'_>, budget: &mut u64, root: bool) -> Result<Value, Skip> {
    let mut map: HashMap<Key, Value> = HashMap::new();
    for (k, v, _) in doc.members() {
        if v.is_null() {
            continue;
        }
        if root && k == "metadata" {
            // Rules see only `name` and `generateName` of the object's metadata.
            let mut meta = HashMap::new();
            for f in ["name", "generateName"] {
                if let Some((Doc::Node(n), _)) = v.member(f) {
                    if let Some(t) = n.as_str() {
                        meta.insert(
                            Key::String(Arc::new(f.to_string())),
                            Value::String(Arc::new(t.to_string())),
                        );
                    }
                }
            }
            // The server generates the name (5 random characters) before validating.
            let name = Key::String(Arc::new("name".to_string()));
            let generated = match meta.get(&Key::String(Arc::new("generateName".to_string()))) {
                Some(Value::String(g)) if !meta.contains_key(&name) => Some(format!("{g}x7k2q")),
                _ => None,
            };
            if let Some(g) = generated {
                meta.insert(name, Value::String(Arc::new(g)));
            }
            map.insert(
                Key::String(Arc::new(k.to_string())),
                Value::Map(Map {
                    map: Arc::new(meta),
                }),
            );
            continue;
        }
        let (key, val) = if let Some(p) = s.prop(k) {
            let Some(name) = escape(k) else { continue };
            (name, to_value(p, v, budget, false)?)
        } else if let Some(a) = &s.additional {
            (k.to_string(), to_value(a, v, budget, false)?)
        } else {
            (k.to_string(), dynamic(v, budget)?)
        };
        map.insert(Key::String(Arc::new(key)), val);
    }
    // Defaulting runs before validation.
    for (name, p) in &s.props {
        let Some(d) = &p.default else { continue };
        let present = doc.member(name).is_some_and(|(v, _)| !v.is_null());
        if present || d.is_null() {
            continue;
        }
        let Some(key) = escape(name) else { continue };
        let val = to_value(p, Doc::Json(d), budget, false)?;
        map.insert(Key::String(Arc::new(key)), val);
    }
    Ok(Value::Map(Map { map: Arc::new(map) }))
}

/// A value with no schema to type it (preserved unknown fields): as written.
fn dynamic(doc: Doc<'_>, budget: &mut u64) -> Result<Value, Skip> {
    if *budget == 0 {
        return Err(Skip::TooLarge);
    }
    *budget -= 1;
    if doc.is_map() {
        let mut map = HashMap::new();
        for (k, v, _) in doc.members() {
            map.insert(Key::String(Arc::new(k.to_string())), dynamic(v, budget)?);
        }
        return Ok(Value::Map(Map { map: Arc::new(map) }));
    }
    if doc.is_seq() {
        let items = doc
            .items()
            .into_iter()
            .map(|(i, _)| dynamic(i, budget))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::List(Arc::new(items)));
    }
    scalar(doc).ok_or(Skip::Mismatch)
}

fn scalar(doc: Doc<'_>) -> Option<Value> {
    match doc {
        Doc::Node(n) => match &n.kind {
            NodeKind::Scalar(s) => Some(match s.value() {
                Scalar::Null => Value::Null,
                Scalar::Bool(b) => Value::Bool(b),
                Scalar::Int(i) => Value::Int(i),
                Scalar::UInt(u) => Value::UInt(u),
                // A whole float reaches the API server as a JSON integer.
                Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
                Scalar::Float(f) => Value::Float(f),
                Scalar::Str => Value::String(Arc::new(s.text.to_string())),
            }),
            _ => None,
        },
        Doc::Json(j) => match j {
            J::Null => Some(Value::Null),
            J::Bool(b) => Some(Value::Bool(*b)),
            J::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .or_else(|| n.as_u64().map(Value::UInt))
                .or_else(|| n.as_f64().map(Value::Float)),
            J::String(s) => Some(Value::String(Arc::new(s.clone()))),
            _ => None,
        },
    }
}

/// A property name as CEL rules spell it (apiserver `cel.Escape`); `None` when rules
/// cannot name it at all.
pub(super) fn escape(name: &str) -> Option<String> {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if RESERVED.contains(&name) {
        return Some(format!("__{name}__"));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("__") {
            out.push_str("__underscores__");
            rest = r;
            continue;
        }
        match c {
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}
