//! Documents -> objects: reads headers, expands `kind: List`, reports documents that are
//! not Kubernetes objects.

use super::Object;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Document, Node, NodeKind};

pub const RULE_NOT_AN_OBJECT: &str = "not-a-kubernetes-object";

/// Objects of one file's documents, plus diagnostics for documents that are not objects.
/// Empty documents are skipped silently.
pub fn extract_objects<'a>(
    file: FileId,
    documents: &'a [Document],
    out: &mut Vec<Object<'a>>,
    diags: &mut Vec<Diagnostic>,
) {
    for doc in documents {
        let root = &doc.root;
        if root.is_null() {
            continue;
        }
        let first = out.len();
        extract_one(file, doc.index, root, None, out, diags);
        for o in &mut out[first..] {
            o.yaml11_boolean_keys = doc.yaml11_boolean_keys;
        }
    }
}

fn extract_one<'a>(
    file: FileId,
    document: usize,
    root: &'a Node,
    list_item: Option<usize>,
    out: &mut Vec<Object<'a>>,
    diags: &mut Vec<Diagnostic>,
) {
    let report = |diags: &mut Vec<Diagnostic>, span, msg: String, help: &str| {
        diags.push(
            Diagnostic::new(RULE_NOT_AN_OBJECT, Severity::Error, file, span, msg)
                .with_help(help)
                .with_document(document),
        );
    };
    if !root.is_map() {
        let what = match &root.kind {
            NodeKind::Seq(_) => "a list",
            _ => "a single value",
        };
        report(
            diags,
            root.span,
            format!("this document is {what}, not a Kubernetes object"),
            "a manifest document is a mapping with `apiVersion`, `kind` and `metadata`",
        );
        return;
    }
    let missing: Vec<&str> = ["apiVersion", "kind"]
        .into_iter()
        .filter(|k| root.get(k).and_then(Node::as_str).is_none())
        .collect();
    if !missing.is_empty() {
        let span = first_line_span(root);
        let names = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let wrong_type = missing.iter().any(|k| root.get(k).is_some());
        let msg = if wrong_type {
            format!("{names} must be a string; this document is not a valid Kubernetes object")
        } else {
            format!("this document has no {names}, so it is not a Kubernetes object")
        };
        report(
            diags,
            span,
            msg,
            "add `apiVersion` and `kind` (for example `apiVersion: v1` and `kind: Pod`); if this is a fragment or another tool's config, leave it out of the paths given to kubevet",
        );
        return;
    }
    let Some(obj) = Object::from_node(file, document, root) else {
        return;
    };
    let items = root.get("items").filter(|i| i.is_seq());
    if obj.kind.ends_with("List") && list_item.is_none() {
        if let Some(items) = items {
            for (i, item) in items.items().iter().enumerate() {
                extract_one(file, document, item, Some(i), out, diags);
            }
            return;
        }
    }
    out.push(Object { list_item, ..obj });
}

/// The first key of a mapping: a compact place to point at for whole-document findings.
fn first_line_span(root: &Node) -> crate::yaml::Span {
    root.entries().first().map_or(root.span, |e| e.key.span)
}
