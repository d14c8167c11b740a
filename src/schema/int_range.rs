//! Integers that do not fit the Go type of their field: strict decoding fails before
//! validation (`cannot unmarshal number 3000000000 into Go struct field ... of type int32`).
//! The schemas say `format: int32` / `int64`; the validator does not check formats.

use serde_json::Value;

use super::nav::{Nav, Step};
use super::validator::Seg;
use super::RULE_INVALID_TYPE;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

/// Nesting bound, as a path length (a document deeper than this is refused by the loader).
const MAX_DEPTH: usize = 64;

pub(crate) fn check(root: &Value, file: FileId, doc: &Node) -> Vec<Diagnostic> {
    let nav = Nav::new(root);
    let mut out = Vec::new();
    walk(&nav, nav.root(), doc, file, &mut out, "");
    out
}

fn walk(
    nav: &Nav<'_>,
    step: Step<'_>,
    node: &Node,
    file: FileId,
    out: &mut Vec<Diagnostic>,
    path: &str,
) {
    if path.len() > MAX_DEPTH * 64 {
        return;
    }
    match &node.kind {
        NodeKind::Map(_) => {
            for e in node.entries() {
                let Some(k) = e.key.key_text() else { continue };
                if let Some(child) = nav.child(step, &Seg::Key(k.to_string())) {
                    let p = if path.is_empty() {
                        k.to_string()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(nav, child, &e.value, file, out, &p);
                }
            }
        }
        NodeKind::Seq(_) => {
            for (i, item) in node.items().iter().enumerate() {
                if let Some(child) = nav.child(step, &Seg::Index(i)) {
                    walk(nav, child, item, file, out, &format!("{path}[{i}]"));
                }
            }
        }
        NodeKind::Scalar(_) => {
            if step.schema.get("format").and_then(Value::as_str) != Some("int32") {
                return;
            }
            let Some(n) = node.as_i64() else { return };
            if i32::try_from(n).is_ok() {
                return;
            }
            out.push(
                Diagnostic::new(
                    RULE_INVALID_TYPE,
                    Severity::Error,
                    file,
                    node.span,
                    format!(
                        "`{path}: {n}` does not fit a 32-bit integer: the API server cannot decode it (cannot unmarshal number {n} into a field of type int32)"
                    ),
                )
                .with_primary_label("out of the int32 range")
                .with_help("the field is an int32: at most 2147483647 (and at least -2147483648)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};
    use serde_json::json;

    #[test]
    fn int32_fields_reject_larger_numbers() {
        let schema = json!({"properties": {
            "a": {"type": "integer", "format": "int32"},
            "b": {"type": "integer", "format": "int64"},
            "c": {"type": "array", "items": {"type": "integer", "format": "int32"}}
        }});
        let text = "a: 2147483648\nb: 3000000000\nc: [2147483647, -2147483649]\n";
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let f = check(&schema, 0, &parsed.documents[0].root);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert!(
            f[0].message.starts_with("`a: 2147483648`"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message.starts_with("`c[1]: -2147483649`"),
            "{}",
            f[1].message
        );
    }
}
