//! Splits a YAML stream into per-document chunks before parsing, so that a syntax error
//! loses only its own document: the parser has no way to resynchronise after an error.
//!
//! A line that starts with `---` (followed by a space, a tab or the line end) always
//! starts a new document in YAML: a document marker at column 0 ends any block scalar,
//! and inside a flow collection or quoted scalar it is an error anyway. Directive lines
//! (`%YAML`, `%TAG`) just above a marker travel with it.

/// A chunk of the text: the byte range and the 0-based line it starts on.
use crate::source::LineIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    pub first_line: usize,
}

fn is_doc_start(line: &[u8]) -> bool {
    line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// `start` skips a leading byte-order mark; `lines` is the text's line index (so lines are
/// not scanned for again).
pub fn split_documents(text: &str, start: usize, lines: &LineIndex) -> Vec<Chunk> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut chunk_start = start;
    let mut chunk_line = 0;
    // Start of a run of directive lines right before the current position.
    let mut directive_run: Option<(usize, usize)> = None;
    for line_no in 0..lines.line_count() {
        let pos = if line_no == 0 {
            start
        } else {
            lines.line_start(line_no)
        };
        if pos >= bytes.len() {
            break;
        }
        let line = &bytes[pos..];
        if is_doc_start(line) {
            let (cut, cut_line) = directive_run.unwrap_or((pos, line_no));
            if cut > chunk_start {
                chunks.push(Chunk {
                    start: chunk_start,
                    end: cut,
                    first_line: chunk_line,
                });
            }
            chunk_start = cut;
            chunk_line = cut_line;
            directive_run = None;
        } else if line.first() == Some(&b'%') {
            directive_run.get_or_insert((pos, line_no));
        } else if directive_run.is_some()
            && !matches!(
                line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r')),
                None | Some(b'\n' | b'#')
            )
        {
            // (Only a pending directive run needs to know whether a line is blank.)
            directive_run = None;
        }
    }
    if chunk_start < bytes.len() || chunks.is_empty() {
        chunks.push(Chunk {
            start: chunk_start,
            end: bytes.len(),
            first_line: chunk_line,
        });
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_column_zero_markers() {
        let t = "a: 1\n---\nb: 2\n--- # c\nc: 3\n  ---\n----\n";
        let c = split_documents(t, 0, &LineIndex::new(t));
        assert_eq!(c.len(), 3);
        assert_eq!(&t[c[0].start..c[0].end], "a: 1\n");
        assert_eq!(&t[c[1].start..c[1].end], "---\nb: 2\n");
        assert_eq!(c[1].first_line, 1);
        assert_eq!(&t[c[2].start..c[2].end], "--- # c\nc: 3\n  ---\n----\n");
    }

    #[test]
    fn directives_travel_with_their_marker() {
        let t = "a: 1\n%YAML 1.1\n---\nb: 2\n";
        let c = split_documents(t, 0, &LineIndex::new(t));
        assert_eq!(&t[c[1].start..c[1].end], "%YAML 1.1\n---\nb: 2\n");
        assert_eq!(c[1].first_line, 1);
    }

    #[test]
    fn empty_text_is_one_empty_chunk() {
        assert_eq!(split_documents("", 0, &LineIndex::new("")).len(), 1);
        let bom = "\u{feff}a: 1";
        assert_eq!(split_documents(bom, 3, &LineIndex::new(bom))[0].start, 3);
    }
}
