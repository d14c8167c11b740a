//! Finding `# kubevet-ignore` comments in source text.
//!
//! The YAML loader keeps no comments, so the text is scanned for the directive and a hit
//! counts only where YAML would see a comment: a `#` at the start of a line or after
//! whitespace, outside every scalar of the parsed tree (a `#` inside a quoted string or a
//! block scalar is text).

use crate::yaml::{Document, Node, NodeKind, Span};

const LINE: &str = "kubevet-ignore:";
const FILE: &str = "kubevet-ignore-file:";

#[derive(Debug, PartialEq)]
pub enum Kind {
    /// Its own line (applies to the next line with content) or the end of a line (that line).
    Line,
    /// The whole file or the document it stands in.
    File,
}

#[derive(Debug)]
pub struct Directive {
    pub kind: Kind,
    /// Byte offset of the `#`.
    pub at: usize,
    /// Whether only whitespace precedes the comment on its line.
    pub own_line: bool,
    /// Rule ids and their spans.
    pub rules: Vec<(String, Span)>,
    /// The span of the whole comment (for a directive that names no rule).
    pub span: Span,
}

fn scalar_spans(node: &Node, out: &mut Vec<Span>) {
    match &node.kind {
        NodeKind::Scalar(_) => out.push(node.span),
        NodeKind::Seq(items) => items.iter().for_each(|n| scalar_spans(n, out)),
        NodeKind::Map(entries) => entries.iter().for_each(|e| {
            scalar_spans(&e.key, out);
            scalar_spans(&e.value, out);
        }),
    }
}

/// What every directive starts with.
const MARK: &str = "kubevet-ignore";

/// Every directive in `text`, in order.
pub fn find(text: &str, documents: &[Document]) -> Vec<Directive> {
    // Every file is searched and few hold a directive: memchr's vectorised search, several
    // times faster than `str::contains`.
    if memchr::memmem::find(text.as_bytes(), MARK.as_bytes()).is_none() {
        return Vec::new();
    }
    let mut spans = Vec::new();
    for d in documents {
        scalar_spans(&d.root, &mut spans);
    }
    let in_scalar = |at: usize| {
        spans
            .iter()
            .any(|s| (s.start as usize) < at && at < s.end as usize)
    };
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if line.contains("kubevet-ignore") {
            out.extend(in_line(line, line_start, &in_scalar));
        }
        line_start += line.len();
    }
    out
}

fn in_line(line: &str, base: usize, in_scalar: &dyn Fn(usize) -> bool) -> Option<Directive> {
    for (i, _) in line.match_indices('#') {
        let before = &line[..i];
        if !(before.is_empty() || before.ends_with([' ', '\t'])) || in_scalar(base + i) {
            continue;
        }
        let body = &line[i + 1..];
        let trimmed = body.trim_start();
        let lead = body.len() - trimmed.len();
        let (kind, rest, skip) = if let Some(r) = trimmed.strip_prefix(FILE) {
            (Kind::File, r, FILE.len())
        } else if let Some(r) = trimmed.strip_prefix(LINE) {
            (Kind::Line, r, LINE.len())
        } else {
            // A comment that is not a directive: nothing after it on the line can be one.
            return None;
        };
        let list_start = base + i + 1 + lead + skip;
        let content = rest.trim_end_matches(['\n', '\r']);
        let list = content.split(" --").next().unwrap_or("");
        let mut rules = Vec::new();
        let mut pos = 0;
        for part in list.split(',') {
            let id = part.trim();
            if !id.is_empty() {
                let off = part.find(id).unwrap_or(0);
                let s = list_start + pos + off;
                rules.push((id.to_string(), Span::new(s, s + id.len())));
            }
            pos += part.len() + 1;
        }
        let end = base + line.trim_end_matches(['\n', '\r']).len();
        return Some(Directive {
            kind,
            at: base + i,
            own_line: before.trim().is_empty(),
            rules,
            span: Span::new(base + i, end),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};

    fn directives(text: &str) -> Vec<Directive> {
        let f = SourceFile::new(0, "t.yaml".into(), text.into());
        let p = parse_file(&f, &Limits::default());
        find(text, &p.documents)
    }

    #[test]
    fn reads_ids_reason_and_placement() {
        let text =
            "a: 1 # kubevet-ignore: rule-a, rule-b -- because\n  # kubevet-ignore-file: rule-c\n";
        let d = directives(text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].kind, Kind::Line);
        assert!(!d[0].own_line);
        let ids: Vec<&str> = d[0].rules.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(ids, ["rule-a", "rule-b"]);
        assert_eq!(&text[d[0].rules[1].1.range()], "rule-b");
        assert_eq!(d[1].kind, Kind::File);
        assert!(d[1].own_line);
        assert_eq!(&text[d[1].rules[0].1.range()], "rule-c");
    }

    #[test]
    fn text_inside_scalars_is_not_a_directive() {
        let text =
            "a: \"x # kubevet-ignore: r\"\nb: |\n  # kubevet-ignore: r\nc: x#kubevet-ignore\n";
        assert!(directives(text).is_empty());
    }
}
