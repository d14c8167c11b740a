//! Builds the spanned [`Node`] tree from saphyr-parser events.
//!
//! saphyr's own `MarkedYaml` is not used: it counts characters rather than bytes, aborts a
//! whole file on a duplicate key and lets one broken document hide the others. This loader
//! reports duplicate keys with both spans and keeps going, expands aliases under a budget,
//! applies merge keys (`<<`), resolves plain scalars as Kubernetes does (YAML 1.1), and
//! parses each document separately so one syntax error loses only its own document.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle as PStyle, ScanError};

use super::node::{Entry, Node, NodeKind, Scalar, ScalarStyle, Span, TypeName};
use super::split::{split_documents, Chunk};
use super::syntax_message::explain_scan_error;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;

/// Refusal thresholds for pathological input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Maximum nesting of sequences and mappings.
    pub max_depth: usize,
    /// Maximum number of nodes that alias expansion may copy in one file.
    pub alias_budget: usize,
    /// Maximum number of documents in one file.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 200,
            alias_budget: 200_000,
            max_documents: 100_000,
        }
    }
}

#[derive(Debug)]
pub struct Document {
    /// 0-based index of the document in its file.
    pub index: usize,
    pub root: Node,
    /// Some mapping holds a key twice (as Kubernetes reads keys: `on` and `true` are one),
    /// reported or not: later stages skip their own search when this is false.
    pub duplicate_keys: bool,
    /// Some mapping key is a plain YAML 1.1 boolean written as a word (`on`, `yes`, `n`):
    /// the rule that reports them skips documents without any.
    pub yaml11_boolean_keys: bool,
    /// Some integer does not fit 32 bits: only then can an `int32` field overflow.
    pub wide_integers: bool,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

pub const RULE_SYNTAX: &str = "yaml-syntax";
pub const RULE_DUPLICATE_KEY: &str = "duplicate-key";
pub const RULE_LIMITS: &str = "yaml-limits";

/// How many times one document is re-parsed with under-indented lines padded (see
/// [`Repair`]).
const MAX_REPAIRS: usize = 16;

/// Parses every document of `file`.
pub fn parse_file(file: &SourceFile, limits: &Limits) -> ParsedFile {
    let text = file.text.as_str();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut out = ParsedFile::default();
    let mut counters = Counters::default();
    let mut scratch = Scratch::default();
    // `kubectl` reads a file that starts with `{` as JSON, any other as YAML.
    let json = text[start..].trim_start().starts_with('{');
    'chunks: for chunk in split_documents(text, start, &file.lines) {
        if let Some((at, c)) = super::control::first_forbidden(&text[chunk.start..chunk.end], json)
        {
            out.diagnostics.push(forbidden_character(
                file,
                chunk.start + at,
                c,
                json,
                counters.doc_index,
            ));
            counters.doc_index += 1;
            continue;
        }
        let ascii = text.as_bytes()[chunk.start..chunk.end].is_ascii();
        let chunk_chars = if ascii {
            0
        } else {
            file.lines.chars_before(text, chunk.start)
        };
        // Lines (0-based, in the file) indented by extra spaces for a lenient re-parse.
        let mut pads: Vec<(usize, usize)> = Vec::new();
        let mut first_error: Option<Diagnostic> = None;
        for attempt in 0..=MAX_REPAIRS {
            let saved = (out.documents.len(), out.diagnostics.len(), counters);
            let padded = (!pads.is_empty()).then(|| pad_lines(file, chunk, &pads));
            // (What an abandoned attempt left open is dropped.)
            scratch.reserve(file.lines.line_of(chunk.end) - chunk.first_line);
            let mut loader = Loader {
                file,
                chunk,
                ascii,
                pads: &pads,
                limits,
                out: &mut out,
                counters: &mut counters,
                stack: Vec::new(),
                scratch: &mut scratch,
                anchors: HashMap::new(),
                prev_end: chunk.start,
                cursor: std::cell::Cell::new((usize::MAX, 0, 0)),
                chunk_chars,
                char_cursor: std::cell::Cell::new((0, chunk.start)),
                duplicate_keys: false,
                yaml11_boolean_keys: false,
                wide_integers: false,
            };
            let err = match loader.run(padded.as_deref()) {
                Ok(()) => break,
                Err(Stop::Chunk) => {
                    // The refused document keeps its index, so later ones keep theirs.
                    counters.doc_index += 1;
                    break;
                }
                Err(Stop::Fatal) => break 'chunks,
                Err(Stop::Syntax(err)) => err,
            };
            let diag = loader.syntax_diagnostic(&err);
            let repair = if attempt < MAX_REPAIRS {
                loader.repair(&err)
            } else {
                None
            };
            match repair {
                Some(fixes) => {
                    first_error.get_or_insert(diag);
                    out.documents.truncate(saved.0);
                    out.diagnostics.truncate(saved.1);
                    counters = saved.2;
                    for (line, pad) in fixes {
                        match pads.binary_search_by_key(&line, |p| p.0) {
                            Ok(i) => pads[i].1 = pads[i].1.max(pad),
                            Err(i) => pads.insert(i, (line, pad)),
                        }
                    }
                }
                None => {
                    // When padding did not help, the first error (in the text as written)
                    // is the one to show.
                    let diag = match first_error.take() {
                        Some(first) if is_indentation_error(err.info()) => first,
                        _ => diag,
                    };
                    out.diagnostics.push(diag);
                    counters.doc_index += 1;
                    break;
                }
            }
        }
    }
    out
}

/// A character the decoder refuses before it parses: the document is not checked, as a
/// document with a syntax error is not.
fn forbidden_character(
    file: &SourceFile,
    at: usize,
    c: char,
    json: bool,
    doc_index: usize,
) -> Diagnostic {
    let what = match super::control::name(c) {
        Some(name) => format!("U+{:04X} ({name})", c as u32),
        None => format!("U+{:04X}", c as u32),
    };
    let escape = match c as u32 {
        n if n <= 0xff && !json => format!("\\x{n:02x}"),
        n => format!("\\u{n:04x}"),
    };
    let (format, decoder_says) = if json {
        ("JSON", "invalid character")
    } else {
        ("YAML", "yaml: control characters are not allowed")
    };
    Diagnostic::new(
        RULE_SYNTAX,
        Severity::Error,
        file.id,
        Span::new(at, at + c.len_utf8()),
        format!("invalid {format}: the control character {what} is not allowed; this document is not checked"),
    )
    .with_document(doc_index)
    .with_help(format!(
        "kubectl refuses the whole document (`{decoder_says}`); delete the character (most editors do not show it), or write it as the escape `{escape}` inside a double-quoted string"
    ))
}

/// Per-file counters that a re-parsed chunk must roll back.
#[derive(Clone, Copy, Debug, Default)]
struct Counters {
    doc_index: usize,
    alias_used: usize,
    /// Nodes copied to keep anchored content for later aliases.
    anchored: usize,
}

/// Anchored content is copied when its anchor closes, whether or not an alias uses it:
/// anchors nested N deep copy the innermost content N times. Past this many copied nodes
/// per file (10x the alias budget), the document is refused.
const ANCHOR_BUDGET_FACTOR: usize = 10;

#[derive(Debug)]
enum Stop {
    /// Abandon this chunk (a limit inside one document, already reported).
    Chunk,
    /// Abandon the whole file (document count limit).
    Fatal,
    /// A syntax error, not reported yet: the chunk may be repaired and parsed again.
    Syntax(ScanError),
}

/// saphyr-parser rejects flow collections and multi-line quoted scalars whose continuation
/// lines are indented less than YAML 1.2 requires. go-yaml (and so Kubernetes) accepts them,
/// and indentation carries no meaning there, so such a document is parsed again with those
/// lines padded; positions are mapped back to the text as written.
fn is_indentation_error(info: &str) -> bool {
    matches!(
        info,
        "invalid indentation"
            | "invalid indentation in flow construct"
            | "invalid indentation in quoted scalar"
    )
}

/// The chunk's text with `pads` extra spaces at the start of the listed lines.
fn pad_lines(file: &SourceFile, chunk: Chunk, pads: &[(usize, usize)]) -> String {
    let text = &file.text[chunk.start..chunk.end];
    let extra: usize = pads.iter().map(|p| p.1).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut pi = 0;
    for (line, piece) in (chunk.first_line..).zip(text.split_inclusive('\n')) {
        while pi < pads.len() && pads[pi].0 < line {
            pi += 1;
        }
        if let Some(&(l, n)) = pads.get(pi) {
            if l == line {
                out.extend(std::iter::repeat_n(' ', n));
            }
        }
        out.push_str(piece);
    }
    out
}

struct Frame {
    start: usize,
    flow: bool,
    anchor: usize,
    /// Height of the tallest child (collections count 1 per level, scalars 0).
    height: usize,
    body: Body,
}

/// A collection being read; its children so far are the tail of [`Scratch`] from `base`.
enum Body {
    Seq { base: usize },
    Map { base: usize, key: Option<Node> },
}

/// The children of the open collections, innermost last, in two stacks shared by the whole
/// file: a finished collection takes its tail in one allocation of its exact size, instead
/// of a vector per collection grown by doubling (and then copied to its size).
#[derive(Default)]
struct Scratch {
    items: Vec<Node>,
    entries: Vec<Entry>,
    /// What the stacks were reserved for at the start of a long document (see
    /// [`Scratch::reserve`]).
    reserved: usize,
}

/// A document of more lines than this has its stacks reserved up front.
const RESERVE_LINES: usize = 4096;

impl Scratch {
    /// Makes room for a document of `lines` lines, if it is long. A block collection's
    /// children take a line each at least, so neither stack outgrows this (flow style
    /// aside). Grown by doubling instead, a stack briefly holds its old and new allocations
    /// at once: a ConfigMap of a million keys peaked at 265 MB. Room that is never written
    /// is never touched, so a reservation costs address space, not memory.
    fn reserve(&mut self, lines: usize) {
        self.items.clear();
        self.entries.clear();
        self.reserved = 0;
        if lines > RESERVE_LINES {
            self.items.reserve(lines);
            self.entries.reserve(lines);
            self.reserved = lines;
        }
    }
}

/// An anchored node, kept for alias expansion with its size and height.
struct Anchored {
    node: Node,
    count: usize,
    height: usize,
}

struct Loader<'a> {
    file: &'a SourceFile,
    chunk: Chunk,
    /// The chunk is pure ASCII: a marker's character index is its byte offset.
    ascii: bool,
    pads: &'a [(usize, usize)],
    limits: &'a Limits,
    out: &'a mut ParsedFile,
    counters: &'a mut Counters,
    stack: Vec<Frame>,
    scratch: &'a mut Scratch,
    anchors: HashMap<usize, Anchored>,
    /// Byte end of the previous event (where a block scalar's indicator is searched from).
    prev_end: usize,
    /// The last position resolved by [`Loader::byte`] in a padded text: (file line, column,
    /// byte offset).
    cursor: std::cell::Cell<(usize, usize, usize)>,
    /// Characters in the file before the chunk (a non-ASCII chunk only).
    chunk_chars: usize,
    /// The last position resolved by [`Loader::byte_of_char`]: (character index in the
    /// chunk, byte offset).
    char_cursor: std::cell::Cell<(usize, usize)>,
    /// Some mapping of the current document holds a key twice.
    duplicate_keys: bool,
    /// Some mapping key of the current document is a YAML 1.1 boolean word.
    yaml11_boolean_keys: bool,
    /// Some integer of the current document does not fit 32 bits.
    wide_integers: bool,
}

impl Loader<'_> {
    /// Parses the chunk, or `padded`, its text with some lines padded.
    fn run(&mut self, padded: Option<&str>) -> Result<(), Stop> {
        let file = self.file;
        let text = padded.unwrap_or(&file.text[self.chunk.start..self.chunk.end]);
        let mut parser = Parser::new_from_str(text);
        let mut root: Option<Node> = None;
        let mut in_document = false;
        loop {
            let (event, span) = match parser.next_event() {
                None => return Ok(()),
                Some(Ok(ev)) => ev,
                Some(Err(err)) => return Err(Stop::Syntax(err)),
            };
            let start = self.byte(&span.start);
            let end = self.byte(&span.end).max(start);
            let prev_end = std::mem::replace(&mut self.prev_end, end);
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(_) => {
                    if self.counters.doc_index >= self.limits.max_documents {
                        self.limit(
                            start,
                            format!(
                                "more than {} documents in one file; the rest is not checked",
                                self.limits.max_documents
                            ),
                        );
                        return Err(Stop::Fatal);
                    }
                    in_document = true;
                    self.duplicate_keys = false;
                    self.yaml11_boolean_keys = false;
                    self.wide_integers = false;
                    self.anchors.clear();
                    root = None;
                }
                Event::DocumentEnd => {
                    if in_document {
                        let root = root.take().unwrap_or_else(|| null_node(start));
                        self.out.documents.push(Document {
                            index: self.counters.doc_index,
                            root,
                            duplicate_keys: self.duplicate_keys,
                            yaml11_boolean_keys: self.yaml11_boolean_keys,
                            wide_integers: self.wide_integers,
                        });
                        self.counters.doc_index += 1;
                        in_document = false;
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let has_props = anchor != 0 || tag.is_some();
                    let tag = tag.map(|t| {
                        if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" {
                            format!("!!{}", t.suffix)
                        } else {
                            format!("{}{}", t.handle, t.suffix)
                        }
                    });
                    let span = self.scalar_span(start, end, style, has_props, prev_end);
                    let node = scalar_node(&value, style, tag, span);
                    self.wide_integers |= node.as_i64().is_some_and(|n| i32::try_from(n).is_err());
                    self.complete(node, anchor, 0, &mut root)?;
                }
                Event::Alias(id) => {
                    let Some(anchored) = self.anchors.get(&id) else {
                        // The parser reports unknown anchors itself; keep a guard anyway.
                        self.error(
                            RULE_SYNTAX,
                            Span::new(start, end.max(next_char_end(&file.text, start))),
                            "this alias refers to an anchor that is not defined before it",
                        );
                        return Err(Stop::Chunk);
                    };
                    let (count, height) = (anchored.count, anchored.height);
                    self.counters.alias_used = self.counters.alias_used.saturating_add(count);
                    if self.counters.alias_used > self.limits.alias_budget {
                        self.limit(
                            start,
                            format!(
                                "aliases expand to more than {} nodes (a \"billion laughs\" document?); this document is not checked",
                                self.limits.alias_budget
                            ),
                        );
                        return Err(Stop::Chunk);
                    }
                    if self.stack.len() + height > self.limits.max_depth {
                        self.depth_limit(start);
                        return Err(Stop::Chunk);
                    }
                    let Some(anchored) = self.anchors.get(&id) else {
                        return Err(Stop::Chunk);
                    };
                    // The copy keeps the spans of what it copies, so findings inside it
                    // point at the anchored text; the alias itself spans `*name`.
                    let mut node = anchored.node.clone();
                    node.span = Span::new(start, end);
                    self.complete(node, 0, height, &mut root)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.push(start, end, anchor, false)?;
                }
                Event::MappingStart(anchor, _) => {
                    self.push(start, end, anchor, true)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        continue;
                    };
                    let (node, anchor, height) = self.finish(frame, start, end);
                    self.complete(node, anchor, height, &mut root)?;
                }
            }
        }
    }

    fn push(&mut self, start: usize, end: usize, anchor: usize, map: bool) -> Result<(), Stop> {
        if self.stack.len() >= self.limits.max_depth {
            self.depth_limit(start);
            return Err(Stop::Chunk);
        }
        let bytes = self.file.text.as_bytes();
        let start = skip_properties(bytes, start, end, true);
        let flow = matches!(bytes.get(start), Some(b'[' | b'{'));
        // An indentless block sequence (`key:\n- a`) starts after its first `- `.
        let start = if !map && !flow && bytes.get(start) != Some(&b'-') {
            let mut p = start;
            while p > self.chunk.start && matches!(bytes[p - 1], b' ' | b'\t') {
                p -= 1;
            }
            if p > self.chunk.start && bytes[p - 1] == b'-' {
                p - 1
            } else {
                start
            }
        } else {
            start
        };
        self.stack.push(Frame {
            start,
            flow,
            anchor,
            height: 0,
            body: if map {
                Body::Map {
                    base: self.scratch.entries.len(),
                    key: None,
                }
            } else {
                Body::Seq {
                    base: self.scratch.items.len(),
                }
            },
        });
        Ok(())
    }

    /// Builds the node of a finished collection; returns it with its anchor and height.
    fn finish(&mut self, frame: Frame, end_start: usize, end: usize) -> (Node, usize, usize) {
        let Frame {
            start,
            flow,
            anchor,
            height,
            body,
        } = frame;
        let height = height + 1;
        match body {
            Body::Seq { base } => {
                let items = tail(&mut self.scratch.items, base, self.scratch.reserved);
                let end = if flow {
                    self.flow_end(end_start, end, b']')
                } else {
                    items.last().map_or(start, |n| n.span.end as usize)
                };
                let node = Node {
                    kind: NodeKind::Seq(items),
                    span: Span::new(start, end),
                };
                (node, anchor, height)
            }
            Body::Map { base, key } => {
                let mut entries = tail(&mut self.scratch.entries, base, self.scratch.reserved);
                if let Some(key) = key {
                    // A key with no value event cannot happen with a well-formed stream, but
                    // keep the key rather than lose it.
                    let at = key.span.end as usize;
                    entries.push(Entry {
                        key,
                        value: null_node(at),
                    });
                }
                let end = if flow {
                    self.flow_end(end_start, end, b'}')
                } else {
                    entries
                        .last()
                        .map_or(start, |e| e.value.span.end.max(e.key.span.end) as usize)
                };
                let entries = self.merge_keys(entries);
                self.check_duplicates(&entries);
                self.yaml11_boolean_keys |= entries.iter().any(|e| {
                    matches!(&e.key.kind, NodeKind::Scalar(k) if k.type_name() == TypeName::Boolean && k.is_yaml11_surprise())
                });
                let node = Node {
                    kind: NodeKind::Map(entries),
                    span: Span::new(start, end),
                };
                (node, anchor, height)
            }
        }
    }

    /// The end of a flow collection: just after its closing bracket. With a trailing comma
    /// (`{a: 1,}`, as KYAML writes) the parser's end event spans the comma instead.
    fn flow_end(&self, start: usize, end: usize, closer: u8) -> usize {
        let bytes = self.file.text.as_bytes();
        if end > 0 && bytes.get(end - 1) == Some(&closer) {
            return end;
        }
        let mut p = start;
        while p < self.chunk.end {
            match bytes[p] {
                b' ' | b'\t' | b'\r' | b'\n' | b',' => p += 1,
                b'#' => {
                    while p < self.chunk.end && bytes[p] != b'\n' {
                        p += 1;
                    }
                }
                b if b == closer => return p + 1,
                _ => break,
            }
        }
        end
    }

    /// The span of a scalar: without its anchor and tag, and for block scalars from the
    /// `|`/`>` indicator to the end of the last content line.
    fn scalar_span(
        &self,
        start: usize,
        end: usize,
        style: PStyle,
        has_props: bool,
        prev_end: usize,
    ) -> Span {
        let bytes = self.file.text.as_bytes();
        let mut start = if has_props {
            skip_properties(bytes, start, end, false)
        } else {
            start
        };
        let mut end = end;
        if matches!(style, PStyle::Literal | PStyle::Folded) {
            if !has_props {
                start = find_block_indicator(bytes, prev_end.min(start), start).unwrap_or(start);
            }
            while end > start + 1 && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                end -= 1;
            }
        }
        // The parser may end a quoted scalar where the next token starts, past a trailing
        // comment: a fix replacing the scalar would take the comment with it.
        if matches!(style, PStyle::SingleQuoted | PStyle::DoubleQuoted) {
            if let Some(close) = quoted_scalar_end(bytes, start, end) {
                end = close + 1;
            }
        }
        Span::new(start, end.max(start))
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn complete(
        &mut self,
        node: Node,
        anchor: usize,
        height: usize,
        root: &mut Option<Node>,
    ) -> Result<(), Stop> {
        if anchor != 0 {
            let count = count_nodes(&node);
            self.counters.anchored = self.counters.anchored.saturating_add(count);
            let budget = self
                .limits
                .alias_budget
                .saturating_mul(ANCHOR_BUDGET_FACTOR);
            if self.counters.anchored > budget {
                self.limit(
                    node.span.start as usize,
                    format!(
                        "anchors hold more than {budget} nodes (nested anchors copy their content once per level); this document is not checked"
                    ),
                );
                return Err(Stop::Chunk);
            }
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    count,
                    height,
                },
            );
        }
        match self.stack.last_mut() {
            None => *root = Some(node),
            Some(frame) => {
                frame.height = frame.height.max(height);
                match &mut frame.body {
                    Body::Seq { .. } => self.scratch.items.push(node),
                    Body::Map { key, .. } => match key.take() {
                        None => *key = Some(node),
                        Some(k) => self.scratch.entries.push(Entry {
                            key: k,
                            value: node,
                        }),
                    },
                }
            }
        }
        Ok(())
    }
    /// Applies `<<` merge keys the way go-yaml v2 does: explicit keys win over merged ones,
    /// and among merged maps the earlier wins.
    fn merge_keys(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let is_merge = |e: &Entry| matches!(&e.key.kind, NodeKind::Scalar(s) if s.style == ScalarStyle::Plain && &*s.text == "<<");
        if !entries.iter().any(is_merge) {
            return entries;
        }
        let (merges, mut explicit): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(is_merge);
        // Keys present so far (a set: merging a large map into a large map stays linear).
        let mut present: std::collections::HashSet<String> = explicit
            .iter()
            .filter_map(|e| e.key.key_text().map(str::to_string))
            .collect();
        for m in merges {
            let sources: Vec<&Node> = match &m.value.kind {
                NodeKind::Map(_) => vec![&m.value],
                NodeKind::Seq(items) if items.iter().all(Node::is_map) => items.iter().collect(),
                _ => {
                    self.error(
                        RULE_SYNTAX,
                        m.value.span,
                        "a merge key `<<` needs a mapping or a list of mappings",
                    );
                    continue;
                }
            };
            for src in sources {
                for e in src.entries() {
                    let Some(k) = e.key.key_text() else { continue };
                    if !present.contains(k) {
                        present.insert(k.to_string());
                        explicit.push(e.clone());
                    }
                }
            }
        }
        exact(explicit)
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        if entries.len() < 2 {
            return;
        }
        // The schema stage reads keys as JSON does, a key that is not a scalar as "": two
        // such keys collide there too.
        let unnamed = entries
            .iter()
            .filter(|e| e.key.key_text().is_none())
            .count();
        if unnamed > 1 || (unnamed == 1 && entries.iter().any(|e| e.key.key_text() == Some(""))) {
            self.duplicate_keys = true;
        }
        let mut found = Vec::new();
        let mut any = false;
        let mut report = |k: &str, first: &Entry, e: &Entry| {
            any = true;
            // An entry copied in by a merge key shares its span with the source; it is
            // not a duplicate written by the user.
            if first.key.span != e.key.span {
                let raw = |x: &Entry| x.key.text().unwrap_or(k).to_string();
                found.push((
                    k.to_string(),
                    raw(first),
                    raw(e),
                    first.key.span,
                    e.key.span,
                ));
            }
        };
        if entries.len() <= 16 {
            // Most mappings are small: a scan beats hashing (and allocates nothing).
            for (i, e) in entries.iter().enumerate().skip(1) {
                let Some(k) = e.key.key_text() else { continue };
                if let Some(first) = entries[..i]
                    .iter()
                    .rev()
                    .find(|p| p.key.key_text() == Some(k))
                {
                    report(k, first, e);
                }
            }
        } else {
            let key = |i: usize| entries[i].key.key_text();
            // The repeats are reported as found; which entries come last is not needed.
            let _ = super::last_of_each(entries.len(), key, |j, i| {
                report(key(i).unwrap_or_default(), &entries[j], &entries[i]);
            });
        }
        self.duplicate_keys |= any;
        for (k, first_raw, second_raw, first, second) in found {
            // `on:` and `yes:` are both the key "true" to Kubernetes: say why they collide.
            let message = if first_raw != k || second_raw != k {
                format!(
                    "duplicate key: `{second_raw}` and `{first_raw}` are both the key `{k}` in YAML 1.1, as Kubernetes reads it"
                )
            } else {
                format!("duplicate key `{k}` in the same mapping")
            };
            let d = Diagnostic::new(
                RULE_DUPLICATE_KEY,
                Severity::Error,
                self.file.id,
                second,
                message,
            )
            .with_primary_label("defined again here")
            .with_label(self.file.id, first, "first defined here")
            .with_help(
                "the API server rejects duplicate fields, and a lenient decoder silently keeps only the last value; merge the two or remove one",
            )
            .with_document(self.counters.doc_index);
            self.out.diagnostics.push(d);
        }
    }

    /// Byte offset in the file of a parser position.
    fn byte(&self, m: &Marker) -> usize {
        if self.pads.is_empty() {
            if self.ascii {
                return (self.chunk.start + m.index()).min(self.chunk.end);
            }
            return self.byte_of_char(m.index());
        }
        // A padded text's character indices are not the file's; its lines and columns are,
        // once a padded line's extra spaces are taken off.
        let line = self.chunk.first_line + m.line().saturating_sub(1);
        let col = match self.pads.binary_search_by_key(&line, |p| p.0) {
            Ok(i) => m.col().saturating_sub(self.pads[i].1),
            Err(_) => m.col(),
        };
        // Events come in text order: on the line of the previous position, count characters
        // on from there rather than from the line start (a long non-ASCII line of flow
        // items would otherwise cost quadratic time).
        let text = &self.file.text;
        let (c_line, c_col, c_byte) = self.cursor.get();
        let offset = if c_line == line && col >= c_col && c_byte <= text.len() {
            match text[c_byte..].char_indices().nth(col - c_col) {
                Some((i, _)) => c_byte + i,
                None => text.len(),
            }
        } else {
            let from = if m.line() <= 1 {
                Some(self.chunk.start)
            } else {
                None
            };
            self.file.lines.offset_of(text, line, col, from)
        };
        self.cursor.set((line, col, offset));
        offset.min(self.chunk.end)
    }

    /// Byte offset in the file of the chunk's character `index`. By index rather than by the
    /// parser's line and column: the parser ends a line at a lone `\r` too (YAML does), the
    /// line index only at `\n`, and every position after such a `\r` in a non-ASCII document
    /// used to land on the end of the text.
    fn byte_of_char(&self, index: usize) -> usize {
        let text = &self.file.text;
        // Positions come in text order: count on from the previous one when it is near, so a
        // long non-ASCII line of flow items costs linear time; else look the index up.
        let (c_index, c_byte) = self.char_cursor.get();
        let offset = match index.checked_sub(c_index) {
            Some(ahead) if ahead <= 64 && c_byte <= text.len() => {
                match text[c_byte..].char_indices().nth(ahead) {
                    Some((i, _)) => c_byte + i,
                    None => text.len(),
                }
            }
            _ => self
                .file
                .lines
                .offset_of_char(text, self.chunk_chars + index),
        };
        self.char_cursor.set((index, offset));
        offset.min(self.chunk.end)
    }

    fn syntax_diagnostic(&self, err: &ScanError) -> Diagnostic {
        let text = &self.file.text;
        let mut at = self.byte(err.marker());
        let (mut message, mut help) = explain_scan_error(err.info(), text, &self.file.lines, at);
        let mut rule = RULE_SYNTAX;
        if err.info() == "recursion limit exceeded" {
            rule = RULE_LIMITS;
            message =
                "`[`/`{` nested more than 255 levels deep; this document is not checked".into();
            help = None;
        } else if at >= self.chunk.start + text[self.chunk.start..self.chunk.end].trim_end().len() {
            // The document ended early: point at the bracket that is still open.
            if let Some(open) = self.stack.iter().rev().find(|f| f.flow).map(|f| f.start) {
                let bracket = if text.as_bytes().get(open) == Some(&b'{') {
                    "{"
                } else {
                    "["
                };
                let closer = if bracket == "{" { "}" } else { "]" };
                at = open;
                message = format!("this `{bracket}` is never closed");
                help = Some(format!(
                    "add the matching `{closer}`; inside `{bracket}...{closer}` items are separated by `,`"
                ));
            }
        }
        let end = next_char_end(text, at);
        let mut d = Diagnostic::new(
            rule,
            Severity::Error,
            self.file.id,
            Span::new(at, end),
            message,
        )
        .with_document(self.counters.doc_index);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        d
    }

    /// Lines to pad (0-based file line, spaces) so that an indentation error that go-yaml
    /// would not raise goes away; `None` when `err` is not such an error.
    fn repair(&self, err: &ScanError) -> Option<Vec<(usize, usize)>> {
        let text = &self.file.text;
        let lines = &self.file.lines;
        let at = self.byte(err.marker());
        let existing = |line: usize| {
            self.pads
                .binary_search_by_key(&line, |p| p.0)
                .map_or(0, |i| self.pads[i].1)
        };
        let indent_of = |line: usize| {
            text[lines.line_range(text, line)]
                .bytes()
                .take_while(|&b| b == b' ')
                .count()
        };
        let column = |offset: usize| {
            let start = lines.line_start(lines.line_of(offset));
            text.get(start..offset).map_or(0, |s| s.chars().count())
        };
        match err.info() {
            "invalid indentation" | "invalid indentation in flow construct" => {
                let line = lines.line_of(at);
                if line <= self.chunk.first_line {
                    return None;
                }
                // Any column right of the enclosing block's indentation will do; the
                // outermost open flow collection's bracket always is.
                let target = self
                    .stack
                    .iter()
                    .find(|f| f.flow)
                    .map(|f| column(f.start))
                    .unwrap_or(0);
                let current = indent_of(line) + existing(line);
                let pad = if target > current {
                    existing(line) + target - current
                } else {
                    existing(line) + 2
                };
                Some(vec![(line, pad)])
            }
            "invalid indentation in quoted scalar" => {
                // The error is reported at the scalar's opening quote.
                let quote = *text.as_bytes().get(at)?;
                if quote != b'\'' && quote != b'"' {
                    return None;
                }
                let close = quoted_scalar_end(text.as_bytes(), at, self.chunk.end)?;
                let target = column(at) + 1;
                let first = lines.line_of(at) + 1;
                let last = lines.line_of(close);
                let mut fixes = Vec::new();
                for line in first..=last {
                    let range = lines.line_range(text, line);
                    if text[range].trim().is_empty() {
                        continue;
                    }
                    let indent = indent_of(line) + existing(line);
                    if indent < target {
                        fixes.push((line, existing(line) + target - indent));
                    }
                }
                (!fixes.is_empty()).then_some(fixes)
            }
            _ => None,
        }
    }

    fn error(&mut self, rule: &'static str, span: Span, message: &str) {
        let d = Diagnostic::new(rule, Severity::Error, self.file.id, span, message)
            .with_document(self.counters.doc_index);
        self.out.diagnostics.push(d);
    }

    fn depth_limit(&mut self, at: usize) {
        self.limit(
            at,
            format!(
                "nesting deeper than {} levels; this document is not checked",
                self.limits.max_depth
            ),
        );
    }

    fn limit(&mut self, at: usize, message: String) {
        let d = Diagnostic::new(
            RULE_LIMITS,
            Severity::Error,
            self.file.id,
            Span::new(at, next_char_end(&self.file.text, at)),
            message,
        )
        .with_document(self.counters.doc_index);
        self.out.diagnostics.push(d);
    }
}

/// Skips an anchor (`&a`) and a tag (`!t`, `!!str`, `!<...>`), with the blanks, line
/// breaks and comments after them, from `start`. Stays within `end` (inclusive for
/// collections, whose start event ends where their content starts; exclusive for scalars).
fn skip_properties(bytes: &[u8], start: usize, end: usize, inclusive: bool) -> usize {
    let mut p = start;
    let limit = end.min(bytes.len());
    while p < limit && matches!(bytes[p], b'&' | b'!') {
        while p < limit && !matches!(bytes[p], b' ' | b'\t' | b'\r' | b'\n') {
            p += 1;
        }
        p = skip_blanks_and_comments(bytes, p, limit);
    }
    if p < limit || (inclusive && p == limit) {
        p
    } else {
        start
    }
}

fn skip_blanks_and_comments(bytes: &[u8], mut p: usize, limit: usize) -> usize {
    while p < limit {
        match bytes[p] {
            b' ' | b'\t' | b'\r' | b'\n' => p += 1,
            b'#' => {
                while p < limit && bytes[p] != b'\n' {
                    p += 1;
                }
            }
            _ => break,
        }
    }
    p
}

/// The `|` or `>` header of a block scalar whose content starts at `content`, searched from
/// the end of the previous event across `:`, `-`, `?` indicators, blanks and comments.
fn find_block_indicator(bytes: &[u8], from: usize, content: usize) -> Option<usize> {
    let mut p = from;
    while p < content {
        match bytes[p] {
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' => p += 1,
            b'#' => {
                while p < content && bytes[p] != b'\n' {
                    p += 1;
                }
            }
            b'|' | b'>' => return Some(p),
            _ => return None,
        }
    }
    None
}

/// The offset of the closing quote of the quoted scalar opened at `open`.
fn quoted_scalar_end(bytes: &[u8], open: usize, limit: usize) -> Option<usize> {
    let quote = *bytes.get(open)?;
    let mut p = open + 1;
    while p < limit.min(bytes.len()) {
        let b = bytes[p];
        if quote == b'"' && b == b'\\' {
            p += 2;
        } else if b == quote {
            if quote == b'\'' && bytes.get(p + 1) == Some(&b'\'') {
                p += 2;
            } else {
                return Some(p);
            }
        } else {
            p += 1;
        }
    }
    None
}

fn next_char_end(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at, |c| at + c.len_utf8())
}

/// The children of a finished collection: `stack` from `base`, in an allocation of their
/// exact size. A large collection that is most of the stack (a list of a million items)
/// takes the stack's allocation itself instead, so that its items are never held twice;
/// the few children of the collections still open move to a new stack. The stack's
/// allocation is kept as it is when it was `reserved` for the document and is at least a
/// quarter used (an item of a block list takes a line or a few): what was never written
/// was never touched.
fn tail<T>(stack: &mut Vec<T>, base: usize, reserved: usize) -> Vec<T> {
    let len = stack.len().saturating_sub(base);
    if len >= 4096 && base <= len / 8 {
        let mut all = std::mem::take(stack);
        *stack = all.drain(..base).collect();
        let untouched = all.capacity() == reserved && reserved <= 4 * all.len();
        return if untouched { all } else { exact(all) };
    }
    stack.drain(base..).collect()
}

/// `v` in an allocation of its length: a vector grows by doubling, so a list of a million
/// items would otherwise hold room for up to twice that. (Shrinking in place does not return
/// the memory to the allocator: it keeps a block that is still at least half used.)
fn exact<T>(v: Vec<T>) -> Vec<T> {
    // Within an eighth of its length: not worth a second allocation (for a large list, the
    // copy would briefly hold both).
    if v.capacity() - v.len() <= v.len() / 8 {
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    out.extend(v);
    out
}

fn null_node(at: usize) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar::null()),
        span: Span::empty(at),
    }
}

fn scalar_node(text: &str, style: PStyle, tag: Option<String>, span: Span) -> Node {
    let style = match style {
        PStyle::Plain => ScalarStyle::Plain,
        PStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        PStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        PStyle::Literal => ScalarStyle::Literal,
        PStyle::Folded => ScalarStyle::Folded,
    };
    let core = tag.as_deref().and_then(|t| t.strip_prefix("!!"));
    Node {
        kind: NodeKind::Scalar(Scalar::resolve(text, style, core)),
        span,
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Scalar(_) => 0,
        NodeKind::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|e| count_nodes(&e.key) + count_nodes(&e.value))
            .sum(),
    }
}

#[cfg(test)]
#[path = "loader_tests.rs"]
mod tests;
