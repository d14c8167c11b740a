//! Byte offsets <-> LSP positions. LSP counts a line's characters in UTF-16 code units unless
//! the client accepts UTF-8 (LSP 3.17 `positionEncoding`); kubevet's spans are bytes.

use crate::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }
}

/// The 0-based line and the character of `offset` in `enc` units.
pub fn to_lsp(file: &SourceFile, offset: usize, enc: Encoding) -> (u32, u32) {
    let text = &file.text;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = file.lines.line_of(offset);
    let start = file.lines.line_start(line).min(offset);
    let before = &text[start..offset];
    let character = match enc {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.encode_utf16().count(),
    };
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(character).unwrap_or(u32::MAX),
    )
}

/// The byte offset of an LSP position; past the end of its line, the line's end (as LSP
/// says), and past the last line, the end of the text.
pub fn from_lsp(file: &SourceFile, line: u32, character: u32, enc: Encoding) -> usize {
    let text = &file.text;
    let line = line as usize;
    if line >= file.lines.line_count() {
        return text.len();
    }
    let start = file.lines.line_start(line).min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0usize;
    for (i, c) in text[start..end].char_indices() {
        if units >= character as usize {
            return start + i;
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(0, "t.yaml".into(), text.into())
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` 4 bytes and 2 units.
        let f = file("a: 1\nb: é😀x\n");
        let x = f.text.find('x').unwrap_or_default();
        assert_eq!(to_lsp(&f, x, Encoding::Utf16), (1, 6));
        assert_eq!(to_lsp(&f, x, Encoding::Utf8), (1, 9));
        assert_eq!(from_lsp(&f, 1, 6, Encoding::Utf16), x);
        assert_eq!(from_lsp(&f, 1, 9, Encoding::Utf8), x);
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let f = file("a: 1\nbb\n");
        assert_eq!(from_lsp(&f, 0, 99, Encoding::Utf16), 4);
        assert_eq!(from_lsp(&f, 9, 0, Encoding::Utf16), f.text.len());
        assert_eq!(to_lsp(&f, 999, Encoding::Utf16), (2, 0));
    }
}
