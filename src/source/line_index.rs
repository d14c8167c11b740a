//! Byte offset <-> (line, column) conversion.
//!
//! The YAML parser reports character positions and the JSON contract wants 1-based lines,
//! character columns and byte offsets, so every span passes through here. Lookups are a
//! binary search over line starts; only non-ASCII lines pay for a character scan.

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<u32>,
    /// 0-based lines holding a non-ASCII byte, ascending: on every other line a column is
    /// a byte difference, so positions cost no scan (a minified one-line JSON file with
    /// thousands of findings would otherwise count its line once per finding).
    non_ascii: Vec<u32>,
    /// For a non-ASCII text, the number of characters before each [`BLOCK`]-byte block, so
    /// a column on a long non-ASCII line costs at most one block's scan.
    chars_before_block: Vec<u32>,
    len: u32,
}

const BLOCK: usize = 256;

/// A UTF-8 byte that starts a character (is not a continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// A resolved position: 1-based line, 1-based character column, 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        // Lines end at '\n' only, so "\r\n" keeps the '\r' on the previous line and columns
        // stay right. A lone '\r' (a line break to YAML, rare outside old Mac files) stays
        // inside its line: the loader maps parser positions by character index, not by the
        // parser's line numbers, so the two need not agree.
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| (i + 1) as u32));
        let mut non_ascii = Vec::new();
        let mut chars_before_block = Vec::new();
        // One non-ASCII character (a typographic quote in a CRD's description) used to send
        // the whole file through a byte loop; lines and blocks are tested whole instead, and
        // only a non-ASCII block is counted.
        if !text.is_ascii() {
            let ends = starts
                .iter()
                .skip(1)
                .map(|&s| s as usize)
                .chain([bytes.len()]);
            for (line, (from, to)) in starts.iter().map(|&s| s as usize).zip(ends).enumerate() {
                if !bytes[from..to].is_ascii() {
                    non_ascii.push(line as u32);
                }
            }
            let mut count = 0u32;
            for block in bytes.chunks(BLOCK) {
                chars_before_block.push(count);
                count += if block.is_ascii() {
                    block.len() as u32
                } else {
                    block.iter().filter(|&&b| starts_char(b)).count() as u32
                };
            }
            chars_before_block.push(count);
        }
        LineIndex {
            starts,
            non_ascii,
            chars_before_block,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset of the start of 0-based line `line` (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len) as usize
    }

    /// The byte range of 0-based line `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        start..end.max(start)
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let off = offset.min(self.len as usize) as u32;
        match self.starts.binary_search(&off) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Resolves a byte offset. Offsets inside a multi-byte character snap back to its start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = if self.non_ascii.binary_search(&(line as u32)).is_ok() {
            self.chars_before(text, offset) - self.chars_before(text, start) + 1
        } else {
            offset - start + 1
        };
        Position {
            line: line as u32 + 1,
            column: column as u32,
            offset: offset as u32,
        }
    }

    /// Characters in `text[..offset]` (`offset` on a character boundary).
    pub fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        let Some(&before) = self.chars_before_block.get(block) else {
            return text[..offset].chars().count();
        };
        let from = block * BLOCK;
        before as usize
            + text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    /// Byte offset of the character with 0-based index `n` in the whole text (the end of
    /// the text past the last one): a block lookup, then at most a block's bytes.
    pub fn offset_of_char(&self, text: &str, n: usize) -> usize {
        if self.chars_before_block.is_empty() {
            return n.min(text.len());
        }
        // The last block that starts at or before character `n`.
        let block = self
            .chars_before_block
            .partition_point(|&c| c as usize <= n)
            .saturating_sub(1);
        let mut count = self.chars_before_block[block] as usize;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate().skip(block * BLOCK) {
            if starts_char(b) {
                if count == n {
                    return i;
                }
                count += 1;
            }
        }
        text.len()
    }

    /// Byte offset of character column `col` (0-based) on 0-based line `line`, counting
    /// from byte `from` when the line is entered mid-way (a document chunk that starts after
    /// a BOM).
    pub fn offset_of(&self, text: &str, line: usize, col: usize, from: Option<usize>) -> usize {
        let start = from.unwrap_or_else(|| self.line_start(line));
        let start = start.min(text.len());
        let rest = &text[start..];
        let line_bytes = rest.as_bytes();
        // Fast path: ASCII prefix.
        if col <= line_bytes.len() && line_bytes[..col].is_ascii() {
            return start + col;
        }
        match rest.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => text.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_bytes() {
        let text = "a: é\r\nbb: x\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.position(text, 0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        // 'x' is at byte 11 on line 2, column 5.
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.position(text, x),
            Position {
                line: 2,
                column: 5,
                offset: x as u32
            }
        );
        // After the two-byte 'é'.
        assert_eq!(idx.position(text, 5).column, 5);
        // Inside 'é' snaps back.
        assert_eq!(idx.position(text, 4).offset, 3);
        assert_eq!(idx.offset_of(text, 0, 3, None), 3);
        assert_eq!(idx.offset_of(text, 0, 4, None), 5);
        assert_eq!(idx.line_range(text, 0), 0..5);
        assert_eq!(idx.position(text, text.len()).line, 3);
    }

    #[test]
    fn character_indices_map_to_byte_offsets() {
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(if i % 5 == 0 {
                "ключ: é\r"
            } else {
                "key: v\n"
            });
        }
        let idx = LineIndex::new(&text);
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for (n, &at) in starts.iter().enumerate() {
            assert_eq!(idx.offset_of_char(&text, n), at, "character {n}");
            assert_eq!(idx.chars_before(&text, at), n);
        }
        assert_eq!(idx.offset_of_char(&text, starts.len()), text.len());
        assert_eq!(idx.offset_of_char(&text, starts.len() + 9), text.len());
        let ascii = "a: b\n";
        assert_eq!(LineIndex::new(ascii).offset_of_char(ascii, 3), 3);
    }

    #[test]
    fn columns_on_long_mixed_lines_match_a_character_count() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(if i % 7 == 0 {
                "ключ: é, "
            } else {
                "key: v, "
            });
            if i % 97 == 0 {
                text.push('\n');
            }
        }
        let idx = LineIndex::new(&text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let column = text[line_start..offset].chars().count() as u32 + 1;
            assert_eq!(idx.position(&text, offset).column, column, "at {offset}");
        }
    }

    proptest::proptest! {
        /// Every position agrees with counting from the text itself, whatever the mix of
        /// line breaks and multi-byte characters (and wherever the blocks fall).
        #[test]
        fn positions_match_a_naive_count(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "key: v", "\n", "\r\n", "\r", "é", "ключ", "’", " "]),
                0..200,
            ),
            pad in 0usize..300,
        ) {
            let text = format!("{}{}", "x".repeat(pad), parts.concat());
            let idx = LineIndex::new(&text);
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                let want = Position {
                    line: text[..offset].matches('\n').count() as u32 + 1,
                    column: text[line_start..offset].chars().count() as u32 + 1,
                    offset: offset as u32,
                };
                proptest::prop_assert_eq!(idx.position(&text, offset), want);
            }
        }
    }
}
