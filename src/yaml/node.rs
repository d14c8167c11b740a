//! The spanned YAML tree every later stage reads.
//!
//! Spans are byte ranges into the whole source file (not into a single document), so a
//! node's span can be rendered without knowing which document it came from.

use std::fmt;

use super::resolve::resolve_plain;

/// A byte range `[start, end)` into a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX).max(start);
        Span { start, end }
    }

    pub fn empty(at: usize) -> Self {
        Span::new(at, at)
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// How a scalar was written. Rules use it to explain YAML 1.1 surprises ("quote it").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }
}

/// The value a scalar decodes to in Kubernetes (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers beyond i64 (go-yaml falls back to uint64).
    UInt(u64),
    Float(f64),
    Str,
}

/// What a [`Scalar`] decodes to, without the number itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Null,
    False,
    True,
    Int,
    UInt,
    Float,
    Str,
}

/// A scalar: its text, how it was written, and what it decodes to.
///
/// A run holds every node of every file at once, so a scalar keeps only a one-byte kind
/// of its value: a number is read again from its text when asked for, which gives what the
/// loader resolved (an explicit `!!int` or `!!float` tag does not change how a number is
/// read, and `!!str` makes a string). With the number stored, as a [`Value`] or as eight
/// bytes beside a kind, a node was 56 or 48 bytes; it is 40.
#[derive(Clone)]
pub struct Scalar {
    /// The scalar's text after YAML unescaping/folding (what a string field would receive).
    pub text: compact_str::CompactString,
    kind: ValueKind,
    pub style: ScalarStyle,
}

impl Scalar {
    /// A scalar as the loader reads it: a plain one, or one with an explicit core tag (`int`
    /// for `!!int`), resolves as Kubernetes' decoder resolves it; a quoted or block one is a
    /// string. The tag has its effect here and is not kept: nothing reads it.
    pub fn resolve(text: &str, style: ScalarStyle, tag: Option<&str>) -> Self {
        let value = if style == ScalarStyle::Plain || tag.is_some_and(|t| t != "str") {
            resolve_plain(text, tag)
        } else {
            Value::Str
        };
        let kind = match value {
            Value::Null => ValueKind::Null,
            Value::Bool(false) => ValueKind::False,
            Value::Bool(true) => ValueKind::True,
            Value::Int(_) => ValueKind::Int,
            Value::UInt(_) => ValueKind::UInt,
            Value::Float(_) => ValueKind::Float,
            Value::Str => ValueKind::Str,
        };
        let scalar = Scalar {
            text: text.into(),
            kind,
            style,
        };
        debug_assert!(
            matches!((scalar.value(), value), (Value::Float(a), Value::Float(b)) if a.is_nan() && b.is_nan())
                || scalar.value() == value,
            "{text:?} ({tag:?}) reads back as another value"
        );
        scalar
    }

    /// A string, whatever its text reads like.
    pub fn string(text: &str, style: ScalarStyle) -> Self {
        Scalar {
            text: text.into(),
            kind: ValueKind::Str,
            style,
        }
    }

    /// The empty plain scalar: null.
    pub fn null() -> Self {
        Scalar {
            text: compact_str::CompactString::default(),
            kind: ValueKind::Null,
            style: ScalarStyle::Plain,
        }
    }

    /// The resolved value; `Value::Str` means "the string in `text`".
    pub fn value(&self) -> Value {
        match self.kind {
            ValueKind::Null => Value::Null,
            ValueKind::False => Value::Bool(false),
            ValueKind::True => Value::Bool(true),
            ValueKind::Str => Value::Str,
            ValueKind::Int | ValueKind::UInt | ValueKind::Float => resolve_plain(&self.text, None),
        }
    }

    /// Decodes to a string (cheaper than asking for [`Scalar::value`]).
    pub fn is_str(&self) -> bool {
        self.kind == ValueKind::Str
    }

    /// Decodes to null.
    pub fn is_null(&self) -> bool {
        self.kind == ValueKind::Null
    }

    /// Decodes to a number, integer or not.
    pub fn is_number(&self) -> bool {
        matches!(
            self.kind,
            ValueKind::Int | ValueKind::UInt | ValueKind::Float
        )
    }

    /// The JSON type the scalar decodes to.
    pub fn type_name(&self) -> TypeName {
        match self.kind {
            ValueKind::Null => TypeName::Null,
            ValueKind::False | ValueKind::True => TypeName::Boolean,
            ValueKind::Int | ValueKind::UInt => TypeName::Integer,
            ValueKind::Float => TypeName::Number,
            ValueKind::Str => TypeName::String,
        }
    }
}

// By the decoded value, as before the packing (a NaN is unequal to itself).
impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.style == other.style && self.value() == other.value()
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scalar")
            .field("text", &self.text)
            .field("style", &self.style)
            .field("value", &self.value())
            .finish()
    }
}

impl Scalar {
    /// True when a plain scalar decodes to something other than a string although it reads
    /// like a word (YAML 1.1 booleans such as `on`, `yes`, `n`) or like a string of digits
    /// with a meaningful leading zero (octal).
    pub fn is_yaml11_surprise(&self) -> bool {
        if self.style != ScalarStyle::Plain {
            return false;
        }
        match self.type_name() {
            TypeName::Boolean => {
                !matches!(self.text.to_ascii_lowercase().as_str(), "true" | "false")
            }
            TypeName::Integer => {
                let t = self.text.trim_start_matches(['-', '+']);
                t.len() > 1 && t.starts_with('0') && !t.starts_with("0x") && !t.starts_with("0b")
            }
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

// A run holds every node of every file at once (a third of the corpus run's memory): a
// larger node is felt, so its size is pinned.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Node>() == 40);

/// The JSON-ish type name of a node, in the words Kubernetes' decoder errors use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeName {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TypeName::Null => "null",
            TypeName::Boolean => "boolean",
            TypeName::Integer => "integer",
            TypeName::Number => "number",
            TypeName::String => "string",
            TypeName::Array => "list",
            TypeName::Object => "map",
        })
    }
}

impl Node {
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(i) => i,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    pub fn is_null(&self) -> bool {
        self.scalar().is_some_and(Scalar::is_null)
    }

    /// The entry for `key` in a mapping. Keys compare by their decoded text.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .find(|e| e.key.key_text() == Some(key))
    }

    /// The value for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    /// A mapping key's text as the Kubernetes decoder sees it (sigs.k8s.io/yaml turns
    /// non-string keys into their string form).
    pub fn key_text(&self) -> Option<&str> {
        self.scalar().map(|s| match s.kind {
            ValueKind::True => "true",
            ValueKind::False => "false",
            _ => &s.text,
        })
    }

    /// The string value, if this scalar decodes to a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) if s.is_str() => Some(&s.text),
            _ => None,
        }
    }

    /// The scalar's text whatever it decodes to (for messages and lenient reads).
    pub fn text(&self) -> Option<&str> {
        self.scalar().map(|s| &*s.text)
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Scalar(s) => match s.value() {
                Value::Int(i) => Some(i),
                Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.scalar()?.kind {
            ValueKind::True => Some(true),
            ValueKind::False => Some(false),
            _ => None,
        }
    }

    pub fn type_name(&self) -> TypeName {
        match &self.kind {
            NodeKind::Map(_) => TypeName::Object,
            NodeKind::Seq(_) => TypeName::Array,
            NodeKind::Scalar(s) => s.type_name(),
        }
    }

    /// The node as Kubernetes' decoder would see it, as JSON: later duplicate keys win.
    /// Whether two nodes hold the same data, wherever they are written: the same values
    /// (strings by their text), keys in the same order. Cheaper than comparing
    /// [`Node::to_json`] copies, and never `true` where those differ.
    pub fn same_data(&self, other: &Node) -> bool {
        match (&self.kind, &other.kind) {
            (NodeKind::Scalar(a), NodeKind::Scalar(b)) => {
                a.kind == b.kind
                    && match a.kind {
                        ValueKind::Str => a.text == b.text,
                        ValueKind::Int | ValueKind::UInt | ValueKind::Float => {
                            a.value() == b.value()
                        }
                        ValueKind::Null | ValueKind::False | ValueKind::True => true,
                    }
            }
            (NodeKind::Seq(a), NodeKind::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_data(y))
            }
            (NodeKind::Map(a), NodeKind::Map(b)) => {
                a.len() == b.len()
                    && a.iter().zip(b).all(|(x, y)| {
                        x.key.key_text() == y.key.key_text() && x.value.same_data(&y.value)
                    })
            }
            _ => false,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_with_winner(None)
    }

    /// Like [`Node::to_json`], except that the mapping entry whose key span is `winner` wins
    /// over its duplicates: how the schema stage validates a shadowed duplicate entry.
    pub fn to_json_with_winner(&self, winner: Option<Span>) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            NodeKind::Scalar(s) => match s.value() {
                Value::Null => J::Null,
                Value::Bool(b) => J::Bool(b),
                Value::Int(i) => J::from(i),
                Value::UInt(u) => J::from(u),
                Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
                Value::Str => J::String(s.text.to_string()),
            },
            NodeKind::Seq(items) => J::Array(
                items
                    .iter()
                    .map(|n| n.to_json_with_winner(winner))
                    .collect(),
            ),
            NodeKind::Map(entries) => {
                let mut m = serde_json::Map::with_capacity(entries.len());
                let mut pinned: Option<&str> = None;
                for e in entries {
                    let key = e.key.key_text().unwrap_or_default();
                    if pinned == Some(key) {
                        continue;
                    }
                    m.insert(key.to_string(), e.value.to_json_with_winner(winner));
                    if winner == Some(e.key.span) {
                        pinned = Some(key);
                    }
                }
                J::Object(m)
            }
        }
    }

    /// Finds the chain of nodes from `self` down to the node whose span is `target`
    /// (a value or a mapping key) and renders it as a JSON-path-like string.
    pub fn path_to(&self, target: Span) -> Option<String> {
        let mut out = String::new();
        if self.path_rec(target, &mut out) {
            Some(out)
        } else {
            None
        }
    }

    fn path_rec(&self, target: Span, out: &mut String) -> bool {
        if self.span == target {
            return true;
        }
        if !self.span.contains(target) {
            return false;
        }
        // Children are in text order unless aliases copied some in: the child found by a
        // binary search is tried first, so a mapping with a million keys costs a million
        // lookups their logarithm, not their square; the scan remains for aliased copies.
        match &self.kind {
            NodeKind::Scalar(_) => false,
            NodeKind::Seq(items) => {
                let guess = items
                    .partition_point(|n| n.span.start <= target.start)
                    .checked_sub(1);
                let order = guess
                    .into_iter()
                    .chain((0..items.len()).filter(|&i| Some(i) != guess));
                for i in order {
                    let item = &items[i];
                    if item.span.contains(target) {
                        let len = out.len();
                        out.push_str(&format!("[{i}]"));
                        if item.path_rec(target, out) {
                            return true;
                        }
                        out.truncate(len);
                    }
                }
                false
            }
            NodeKind::Map(entries) => {
                let guess = entries
                    .partition_point(|e| e.key.span.start <= target.start)
                    .checked_sub(1);
                let order = guess
                    .into_iter()
                    .chain((0..entries.len()).filter(|&i| Some(i) != guess));
                for i in order {
                    let e = &entries[i];
                    let in_key = e.key.span.contains(target);
                    if in_key || e.value.span.contains(target) {
                        let len = out.len();
                        if !out.is_empty() {
                            out.push('.');
                        }
                        out.push_str(e.key.key_text().unwrap_or("?"));
                        if in_key || e.value.path_rec(target, out) {
                            return true;
                        }
                        out.truncate(len);
                    }
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Scalar, ScalarStyle, Value};
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits, ParsedFile};

    /// A scalar keeps no number: reading it again from the text must give what the loader
    /// resolved, with and without an explicit tag.
    #[test]
    fn a_scalar_reads_back_the_value_it_resolved_to() {
        let plain = ScalarStyle::Plain;
        let quoted = ScalarStyle::DoubleQuoted;
        for (text, style, tag, value) in [
            ("", plain, None, Value::Null),
            ("~", plain, None, Value::Null),
            ("off", plain, None, Value::Bool(false)),
            ("Yes", plain, None, Value::Bool(true)),
            ("0", plain, None, Value::Int(0)),
            ("-0x1F", plain, None, Value::Int(-31)),
            ("0644", plain, None, Value::Int(420)),
            ("1_000", plain, None, Value::Int(1000)),
            ("-9223372036854775808", plain, None, Value::Int(i64::MIN)),
            ("18446744073709551615", plain, None, Value::UInt(u64::MAX)),
            ("-.inf", plain, None, Value::Float(f64::NEG_INFINITY)),
            ("1.5e300", plain, None, Value::Float(1.5e300)),
            ("-0.0", plain, None, Value::Float(-0.0)),
            ("5", plain, Some("float"), Value::Int(5)),
            ("5", quoted, Some("int"), Value::Int(5)),
            ("5", quoted, None, Value::Str),
            ("5", plain, Some("str"), Value::Str),
            ("true", plain, Some("foo"), Value::Str),
            ("a: b", plain, None, Value::Str),
        ] {
            let s = Scalar::resolve(text, style, tag);
            assert_eq!(s.value(), value, "{text:?} {tag:?}");
            assert_eq!(s, s.clone());
        }
        let nan = Scalar::resolve(".nan", plain, None);
        assert!(matches!(nan.value(), Value::Float(f) if f.is_nan()));
        // As before: a NaN is unequal to itself.
        assert_ne!(nan, nan.clone());
        assert!(Scalar::string("5", plain).is_str());
        assert!(Scalar::null().is_null());
    }

    fn parsed(text: &str) -> ParsedFile {
        parse_file(
            &SourceFile::new(0, "t.yaml".into(), text.into()),
            &Limits::default(),
        )
    }

    #[test]
    fn same_data_ignores_where_and_how_it_is_written() {
        let a = parsed("type: object\nproperties:\n  port: {type: integer, enum: [1, 2]}\n");
        let b = parsed(
            "# moved\n\ntype: object\nproperties:\n  port:\n    type: 'integer'\n    enum:\n    - 1\n    - 2\n",
        );
        let root = |p: &ParsedFile| p.documents[0].root.clone();
        assert!(root(&a).same_data(&root(&b)));
        for other in [
            "type: object\nproperties:\n  port: {type: integer, enum: [1, 3]}\n",
            "type: object\nproperties:\n  port: {type: integer, enum: ['1', 2]}\n",
            "type: object\nproperties:\n  port: {enum: [1, 2], type: integer}\n",
            "type: object\nproperties:\n  port: {type: integer, enum: [1, 2], description: d}\n",
            "type: object\nproperties:\n  port: {type: integer, enum: [1, 2.0]}\n",
        ] {
            let o = parsed(other);
            // (Keys in another order are other data here, though not in JSON: stricter is
            // safe, the caller then compares converted schemas.)
            assert!(!root(&a).same_data(&root(&o)), "{other}");
        }
    }
}
