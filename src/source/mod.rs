//! Source files: discovery, reading, and the line index every span is resolved with.

mod discover;
mod line_index;
mod read;
mod stdin;

pub use discover::{discover, discover_each, Input, InputError};
pub use line_index::{LineIndex, Position};
pub use read::{read_input, read_text, RULE_NO_MANIFESTS, RULE_UNREADABLE};
pub use stdin::{empty_stdin, name_stdin, STDIN};

/// Index of a file in the run, stable for the whole run.
pub type FileId = usize;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user named it (or as found under a named directory); `-` is stdin.
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(id: FileId, path: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        SourceFile {
            id,
            path,
            text,
            lines,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }
}
