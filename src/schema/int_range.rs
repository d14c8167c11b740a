//! Integers that do not fit the Go type of their field: strict decoding fails before
//! validation (`cannot unmarshal number 3000000000 into Go struct field ... of type int32`).
//! The schemas say `format: int32` / `int64`; the validator does not check formats.

use serde_json::Value;

use super::nav::{Nav, Step};
use super::RULE_INVALID_TYPE;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

/// Nesting bound, as a path length (a document deeper than this is refused by the loader).
const MAX_DEPTH: usize = 64 * 64;

pub(crate) fn check(nav: &Nav<'_>, file: FileId, doc: &Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(nav, nav.root(), doc, file, &mut out, &mut path);
    out
}

/// A step of the path walked so far, borrowed: the path is only written out for a finding.
enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

fn walk<'d>(
    nav: &Nav<'_>,
    step: Step<'_>,
    node: &'d Node,
    file: FileId,
    out: &mut Vec<Diagnostic>,
    path: &mut Vec<PathStep<'d>>,
) {
    if path.len() > MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                let Some(k) = e.key.key_text() else { continue };
                if let Some(child) = nav.child_key(step, k) {
                    path.push(PathStep::Key(k));
                    walk(nav, child, &e.value, file, out, path);
                    path.pop();
                }
            }
        }
        NodeKind::Seq(items) => {
            let Some(child) = nav.child_item(step) else {
                return;
            };
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                walk(nav, child, item, file, out, path);
                path.pop();
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
            let path = display(path);
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

/// `spec.containers[0].ports[1].containerPort`.
fn display(path: &[PathStep<'_>]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            PathStep::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathStep::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
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
        let f = check(
            &Nav::starting_at(&schema, &schema),
            0,
            &parsed.documents[0].root,
        );
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
