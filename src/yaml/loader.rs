//! Builds the spanned [`Node`] tree from saphyr-parser events.
//!
//! saphyr's own `MarkedYaml` is not used: it counts characters rather than bytes, aborts a
//! whole file on a duplicate key and lets one broken document hide the others. This loader
//! reports duplicate keys with both spans and keeps going, expands aliases under a budget,
//! applies merge keys (`<<`), resolves plain scalars as Kubernetes does (YAML 1.1), and
//! parses each document separately so one syntax error loses only its own document.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle as PStyle, ScanError};

use super::node::{Entry, Node, NodeKind, Scalar, ScalarStyle, Span, Value};
use super::resolve::resolve_plain;
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
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

pub const RULE_SYNTAX: &str = "yaml-syntax";
pub const RULE_DUPLICATE_KEY: &str = "duplicate-key";
pub const RULE_LIMITS: &str = "yaml-limits";

/// Parses every document of `file`.
pub fn parse_file(file: &SourceFile, limits: &Limits) -> ParsedFile {
    let text = file.text.as_str();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut out = ParsedFile::default();
    let mut doc_index = 0usize;
    let mut alias_used = 0usize;
    for chunk in split_documents(text, start) {
        let mut loader = Loader {
            file,
            chunk,
            limits,
            out: &mut out,
            doc_index: &mut doc_index,
            alias_used: &mut alias_used,
            stack: Vec::new(),
            anchors: HashMap::new(),
        };
        if let Err(stop) = loader.run() {
            if stop == Stop::Fatal {
                break;
            }
        }
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Stop {
    /// Abandon this chunk (a syntax error or a limit inside one document).
    Chunk,
    /// Abandon the whole file (document count limit).
    Fatal,
}

enum Frame {
    Seq {
        start: usize,
        flow: bool,
        anchor: usize,
        items: Vec<Node>,
        /// End of the last child as written (an alias's own span, not its target's).
        last_end: usize,
    },
    Map {
        start: usize,
        flow: bool,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
        last_end: usize,
    },
}

struct Loader<'a> {
    file: &'a SourceFile,
    chunk: Chunk,
    limits: &'a Limits,
    out: &'a mut ParsedFile,
    doc_index: &'a mut usize,
    alias_used: &'a mut usize,
    stack: Vec<Frame>,
    /// Anchored nodes with their node counts, for alias expansion.
    anchors: HashMap<usize, (Node, usize)>,
}

impl Loader<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        let text = &self.file.text[self.chunk.start..self.chunk.end];
        let mut parser = Parser::new_from_str(text);
        let mut root: Option<Node> = None;
        let mut in_document = false;
        loop {
            let (event, span) = match parser.next_event() {
                None => return Ok(()),
                Some(Ok(ev)) => ev,
                Some(Err(err)) => {
                    self.syntax_error(&err);
                    return Err(Stop::Chunk);
                }
            };
            let start = self.byte(&span.start);
            let end = self.byte(&span.end);
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(()),
                Event::DocumentStart(_) => {
                    if *self.doc_index >= self.limits.max_documents {
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
                    self.anchors.clear();
                    root = None;
                }
                Event::DocumentEnd => {
                    if in_document {
                        let root = root.take().unwrap_or_else(|| null_node(start));
                        self.out.documents.push(Document {
                            index: *self.doc_index,
                            root,
                        });
                        *self.doc_index += 1;
                        in_document = false;
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = tag.map(|t| {
                        if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" {
                            format!("!!{}", t.suffix)
                        } else {
                            format!("{}{}", t.handle, t.suffix)
                        }
                    });
                    let node = scalar_node(&value, style, tag, Span::new(start, end));
                    self.complete(node, anchor, &mut root, end)?;
                }
                Event::Alias(id) => {
                    let Some(count) = self.anchors.get(&id).map(|(_, c)| *c) else {
                        self.error(
                            RULE_SYNTAX,
                            Span::new(start, end.max(start + 1)),
                            "this alias refers to an anchor that is not defined before it",
                        );
                        return Err(Stop::Chunk);
                    };
                    *self.alias_used += count;
                    if *self.alias_used > self.limits.alias_budget {
                        self.limit(
                            start,
                            format!(
                                "aliases expand to more than {} nodes (a \"billion laughs\" document?); this document is not checked",
                                self.limits.alias_budget
                            ),
                        );
                        return Err(Stop::Chunk);
                    }
                    let Some((node, _)) = self.anchors.get(&id) else {
                        return Err(Stop::Chunk);
                    };
                    let node = node.clone();
                    self.complete(node, 0, &mut root, end)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.push(start, anchor, false)?;
                }
                Event::MappingStart(anchor, _) => {
                    self.push(start, anchor, true)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        continue;
                    };
                    // A flow collection's end event sits on its closing bracket; a block
                    // collection's sits wherever the next token is.
                    let closer = if matches!(event, Event::SequenceEnd) {
                        b']'
                    } else {
                        b'}'
                    };
                    let closed = self.file.text.as_bytes().get(start) == Some(&closer);
                    let (node, anchor) = self.finish(frame, end, closed);
                    let written_end = node.span.end as usize;
                    self.complete(node, anchor, &mut root, written_end)?;
                }
            }
        }
    }

    fn push(&mut self, start: usize, anchor: usize, map: bool) -> Result<(), Stop> {
        if self.stack.len() >= self.limits.max_depth {
            self.limit(
                start,
                format!(
                    "nesting deeper than {} levels; this document is not checked",
                    self.limits.max_depth
                ),
            );
            return Err(Stop::Chunk);
        }
        let flow = matches!(self.file.text.as_bytes().get(start), Some(b'[' | b'{'));
        self.stack.push(if map {
            Frame::Map {
                start,
                flow,
                anchor,
                entries: Vec::new(),
                key: None,
                last_end: start,
            }
        } else {
            Frame::Seq {
                start,
                flow,
                anchor,
                items: Vec::new(),
                last_end: start,
            }
        });
        Ok(())
    }

    fn finish(&mut self, frame: Frame, end: usize, closed: bool) -> (Node, usize) {
        match frame {
            Frame::Seq {
                start,
                flow,
                anchor,
                items,
                last_end,
            } => {
                let flow = flow && closed;
                let end = if flow { end } else { last_end };
                // An indentless sequence (`key:\n- item` at the key's indentation) reports
                // its start at the first item's content; start at its `-` instead.
                let start = if flow {
                    start
                } else {
                    dash_before(&self.file.text, start)
                };
                (
                    Node {
                        kind: NodeKind::Seq(items),
                        span: Span::new(start, end),
                    },
                    anchor,
                )
            }
            Frame::Map {
                start,
                flow,
                anchor,
                mut entries,
                key,
                last_end,
            } => {
                if let Some(key) = key {
                    // A key with no value event cannot happen with a well-formed stream, but
                    // keep the key rather than lose it.
                    let at = key.span.end as usize;
                    entries.push(Entry {
                        key,
                        value: null_node(at),
                    });
                }
                let flow = flow && closed;
                let end = if flow { end } else { last_end };
                let entries = self.merge_keys(entries);
                self.check_duplicates(&entries);
                (
                    Node {
                        kind: NodeKind::Map(entries),
                        span: Span::new(start, end),
                    },
                    anchor,
                )
            }
        }
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn complete(
        &mut self,
        node: Node,
        anchor: usize,
        root: &mut Option<Node>,
        written_end: usize,
    ) -> Result<(), Stop> {
        if anchor != 0 {
            let count = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => *root = Some(node),
            Some(Frame::Seq {
                items, last_end, ..
            }) => {
                *last_end = written_end;
                items.push(node)
            }
            Some(Frame::Map {
                entries,
                key,
                last_end,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    *last_end = written_end;
                    entries.push(Entry {
                        key: k,
                        value: node,
                    })
                }
            },
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
                    let k = e.key.key_text();
                    if k.is_some() && !explicit.iter().any(|x| x.key.key_text() == k) {
                        explicit.push(e.clone());
                    }
                }
            }
        }
        explicit
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        if entries.len() < 2 {
            return;
        }
        let mut seen: HashMap<&str, &Entry> = HashMap::with_capacity(entries.len());
        let mut found = Vec::new();
        for e in entries {
            let Some(k) = e.key.key_text() else { continue };
            if let Some(first) = seen.insert(k, e) {
                // An entry copied in by a merge key shares its span with the source; it is
                // not a duplicate written by the user.
                if first.key.span != e.key.span {
                    found.push((k.to_string(), first.key.span, e.key.span));
                }
            }
        }
        for (k, first, second) in found {
            let d = Diagnostic::new(
                RULE_DUPLICATE_KEY,
                Severity::Error,
                self.file.id,
                second,
                format!("duplicate key `{k}` in the same mapping"),
            )
            .with_primary_label("defined again here")
            .with_label(self.file.id, first, "first defined here")
            .with_help(
                "the API server rejects duplicate fields, and a lenient decoder silently keeps only the last value; merge the two or remove one",
            )
            .with_document(*self.doc_index);
            self.out.diagnostics.push(d);
        }
    }

    fn byte(&self, m: &Marker) -> usize {
        let line = self.chunk.first_line + m.line().saturating_sub(1);
        let from = if m.line() <= 1 {
            Some(self.chunk.start)
        } else {
            None
        };
        self.file
            .lines
            .offset_of(&self.file.text, line, m.col(), from)
            .min(self.chunk.end)
    }

    fn syntax_error(&mut self, err: &ScanError) {
        let at = self.byte(err.marker());
        let (message, help) = explain_scan_error(err.info(), &self.file.text, &self.file.lines, at);
        let end = next_char_end(&self.file.text, at);
        let mut d = Diagnostic::new(
            RULE_SYNTAX,
            Severity::Error,
            self.file.id,
            Span::new(at, end),
            message,
        )
        .with_document(*self.doc_index);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.out.diagnostics.push(d);
    }

    fn error(&mut self, rule: &'static str, span: Span, message: &str) {
        let d = Diagnostic::new(rule, Severity::Error, self.file.id, span, message)
            .with_document(*self.doc_index);
        self.out.diagnostics.push(d);
    }

    fn limit(&mut self, at: usize, message: String) {
        let d = Diagnostic::new(
            RULE_LIMITS,
            Severity::Error,
            self.file.id,
            Span::new(at, next_char_end(&self.file.text, at)),
            message,
        )
        .with_document(*self.doc_index);
        self.out.diagnostics.push(d);
    }
}

/// `at` moved back over spaces to a preceding `-` indicator, if there is one.
fn dash_before(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = at.min(bytes.len());
    while i > 0 && bytes[i - 1] == b' ' {
        i -= 1;
    }
    if i > 0 && bytes[i - 1] == b'-' && i < at {
        i - 1
    } else {
        at
    }
}

fn next_char_end(text: &str, at: usize) -> usize {
    text[at.min(text.len())..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at, |c| at + c.len_utf8())
}

fn null_node(at: usize) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            text: "".into(),
            style: ScalarStyle::Plain,
            value: Value::Null,
            tag: None,
        }),
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
    let value = if style == ScalarStyle::Plain || core.is_some_and(|t| t != "str") {
        resolve_plain(text, core)
    } else {
        Value::Str
    };
    Node {
        kind: NodeKind::Scalar(Scalar {
            text: text.into(),
            style,
            value,
            tag: tag.map(String::into_boxed_str),
        }),
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
