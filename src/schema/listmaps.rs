//! `x-kubernetes-list-type: map|set` in CRD schemas: the API server rejects a custom
//! resource whose list-map has two items with the same keys (after defaulting), or whose
//! list-set has the same value twice (apiextensions-apiserver `structurallisttype`:
//! `Duplicate value`). Built-in kinds are not judged here: their hand-written validation
//! decides which duplicates it rejects (see `docs/api-parity.md`).

use serde_json::Value;

use super::nav::{Nav, Step};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

pub const RULE_DUPLICATE_LIST_ENTRY: &str = "duplicate-list-entry";

const MAX_DEPTH: usize = 64;

pub(crate) fn check(nav: &Nav<'_>, file: FileId, doc: &Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    walk(nav, nav.root(), doc, file, &mut out, 0);
    out
}

fn walk(
    nav: &Nav<'_>,
    step: Step<'_>,
    node: &Node,
    file: FileId,
    out: &mut Vec<Diagnostic>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Map(_) => {
            for e in node.entries() {
                let Some(k) = e.key.key_text() else { continue };
                if let Some(child) = nav.child_key(step, k) {
                    walk(nav, child, &e.value, file, out, depth + 1);
                }
            }
        }
        NodeKind::Seq(_) => {
            list(step, node, file, out);
            if let Some(child) = nav.child_item(step) {
                for item in node.items() {
                    walk(nav, child, item, file, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// The canonical text of a scalar or structure, for comparing items.
fn canonical(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar(s) => match s.value() {
            crate::yaml::Value::Str => format!("{:?}", s.text.as_str()),
            crate::yaml::Value::Null => "null".into(),
            _ => s.text.to_string(),
        },
        NodeKind::Seq(_) => {
            let items: Vec<String> = node.items().iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        NodeKind::Map(_) => {
            let mut entries: Vec<String> = node
                .entries()
                .iter()
                .map(|e| {
                    format!(
                        "{:?}:{}",
                        e.key.key_text().unwrap_or(""),
                        canonical(&e.value)
                    )
                })
                .collect();
            entries.sort();
            format!("{{{}}}", entries.join(","))
        }
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

fn list(step: Step<'_>, node: &Node, file: FileId, out: &mut Vec<Diagnostic>) {
    let Some(kind) = step
        .schema
        .get("x-kubernetes-list-type")
        .and_then(Value::as_str)
    else {
        return;
    };
    let item_schema = step.schema.get("items");
    let keys: Vec<&str> = match kind {
        "map" => step
            .schema
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
        "set" => Vec::new(),
        _ => return,
    };
    if kind == "map" && keys.is_empty() {
        return;
    }
    let mut seen: Vec<(String, &Node)> = Vec::new();
    for item in node.items() {
        let key = if kind == "set" {
            canonical(item)
        } else {
            if !item.is_map() {
                continue; // a type error, reported by validation
            }
            let parts: Vec<String> = keys
                .iter()
                .map(|k| {
                    let v = item.get(k).filter(|v| !v.is_null()).map(canonical);
                    // Defaulting runs first: a missing key takes its schema default.
                    let v = v.or_else(|| {
                        item_schema
                            .and_then(|s| s.get("properties"))
                            .and_then(|p| p.get(*k))
                            .and_then(|p| p.get("default"))
                            .map(|d| match d {
                                Value::String(s) => format!("{s:?}"),
                                other => other.to_string(),
                            })
                    });
                    format!("{k:?}:{}", v.unwrap_or_else(|| "null".into()))
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            let what = if kind == "set" {
                "the same value as an earlier item of this list-set".to_string()
            } else {
                format!(
                    "the same {} as an earlier item of this list-map",
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            out.push(
                Diagnostic::new(
                    RULE_DUPLICATE_LIST_ENTRY,
                    Severity::Error,
                    file,
                    item.span,
                    format!("this item has {what}: the API server rejects it (Duplicate value: {key})"),
                )
                .with_primary_label("duplicate")
                .with_label(file, first.span, "first here")
                .with_help(if kind == "set" {
                    "remove one of the two items".to_string()
                } else {
                    "merge the two items or give them different keys (a missing key takes its default)".to_string()
                }),
            );
        } else {
            seen.push((key, item));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};
    use serde_json::json;

    fn findings(schema: &Value, text: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let doc = &parsed.documents[0];
        check(&Nav::starting_at(schema, schema), 0, &doc.root)
    }

    #[test]
    fn list_map_keys_take_defaults_and_sets_compare_values() {
        let schema = json!({"properties": {
            "ports": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["port", "protocol"],
                "items": {"properties": {"port": {}, "protocol": {"default": "TCP"}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set"},
            "plain": {"type": "array"}
        }});
        let f = findings(
            &schema,
            "ports:\n- {port: 80, protocol: TCP}\n- {port: 80}\n- {port: 80, protocol: UDP}\ntags: [a, b, a]\nplain: [a, a]\n",
        );
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(
            f[0].message.contains(r#"{"port":80,"protocol":"TCP"}"#),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].labels.len(), 1);
        assert!(f[1].message.contains("list-set"));
        // Different keys, and a number versus a string of the same digits, are distinct.
        let f = findings(
            &schema,
            "ports:\n- {port: 80}\n- {port: 81}\ntags: [\"1\", 1]\n",
        );
        assert!(f.is_empty(), "{f:#?}");
    }
}
