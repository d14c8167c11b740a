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
    // Directives are rare: without one, the markers are found by searching for them rather
    // than by looking at every line.
    let directive = bytes.get(start) == Some(&b'%')
        || memchr::memmem::find(&bytes[start.min(bytes.len())..], b"\n%").is_some();
    if directive {
        split_lines(bytes, start, lines)
    } else {
        split_at_markers(bytes, start, lines)
    }
}

/// The chunks found so far and the one being read.
struct Chunker {
    chunks: Vec<Chunk>,
    start: usize,
    line: usize,
}

impl Chunker {
    fn new(start: usize) -> Chunker {
        Chunker {
            chunks: Vec::new(),
            start,
            line: 0,
        }
    }

    /// A new document starts at byte `at`, on line `line`.
    fn cut(&mut self, at: usize, line: usize) {
        if at > self.start {
            self.chunks.push(Chunk {
                start: self.start,
                end: at,
                first_line: self.line,
            });
        }
        self.start = at;
        self.line = line;
    }

    fn finish(mut self, len: usize) -> Vec<Chunk> {
        if self.start < len || self.chunks.is_empty() {
            self.chunks.push(Chunk {
                start: self.start,
                end: len,
                first_line: self.line,
            });
        }
        self.chunks
    }
}

/// [`split_documents`] for a text without directive lines.
fn split_at_markers(bytes: &[u8], start: usize, lines: &LineIndex) -> Vec<Chunk> {
    let mut chunker = Chunker::new(start);
    let from = start.min(bytes.len());
    let first = is_doc_start(&bytes[from..]).then_some(from);
    let rest = memchr::memmem::find_iter(&bytes[from..], b"\n---").map(|i| from + i + 1);
    for pos in first.into_iter().chain(rest) {
        if is_doc_start(&bytes[pos..]) {
            chunker.cut(pos, lines.line_of(pos));
        }
    }
    chunker.finish(bytes.len())
}

/// [`split_documents`] line by line, keeping directive lines with the marker below them.
fn split_lines(bytes: &[u8], start: usize, lines: &LineIndex) -> Vec<Chunk> {
    let mut chunker = Chunker::new(start);
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
            chunker.cut(cut, cut_line);
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
    chunker.finish(bytes.len())
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

    /// The search for markers splits as the walk over lines does.
    #[test]
    fn marker_search_agrees_with_the_line_walk() {
        let texts = [
            "",
            "a: 1",
            "---",
            "---\n",
            "--- \na: 1\n---\nb: 2\n",
            "a: 1\n---\r\nb: 2\r\n--- # c\n----\n  ---\n---x\n---\tz\n",
            "\u{feff}---\na: 1\n---",
            "\u{feff}a: 1\n---\n---\n---\n",
            "x: |\n  ---\n---\ny: 'é'\n---\n",
            "\n\n---\n\n",
        ];
        for t in texts {
            let start = if t.starts_with('\u{feff}') { 3 } else { 0 };
            let lines = LineIndex::new(t);
            assert_eq!(
                split_at_markers(t.as_bytes(), start, &lines),
                split_lines(t.as_bytes(), start, &lines),
                "{t:?}"
            );
        }
    }

    proptest::proptest! {
        /// Texts made of markers, near-markers, line breaks and content split alike.
        #[test]
        fn marker_search_agrees_on_any_text(parts in proptest::collection::vec(
            proptest::sample::select(vec!["---", "--", "-", "\n", "\r\n", " ", "\t", "a: 1", "#", "é", "|"]),
            0..40,
        )) {
            let t: String = parts.concat();
            let lines = LineIndex::new(&t);
            proptest::prop_assert_eq!(
                split_at_markers(t.as_bytes(), 0, &lines),
                split_lines(t.as_bytes(), 0, &lines)
            );
        }
    }

    #[test]
    fn empty_text_is_one_empty_chunk() {
        assert_eq!(split_documents("", 0, &LineIndex::new("")).len(), 1);
        let bom = "\u{feff}a: 1";
        assert_eq!(split_documents(bom, 3, &LineIndex::new(bom))[0].start, 3);
    }
}
