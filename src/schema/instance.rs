//! The spanned YAML tree as a JSON instance the validator reads in place: no `serde_json`
//! copy of each document (which cost more time and memory than the tree itself).
//!
//! The view is the one `Node::to_json_with_winner` builds: scalars as Kubernetes decodes
//! them, a non-finite float as `null`, mapping keys by their key text (`""` for a key that is
//! not a scalar), and among entries with the same key only the winner (the last, or the one
//! pinned by the shadowed-duplicate pass). The losers are found once per document, so the
//! common document without duplicate keys pays one walk and no allocation.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, Node as JsonNode, NodeIdentity, Object};
use jsonschema::types::JsonType;
use serde_json::{Number, Value as J};

use crate::yaml::{Entry, Node, NodeKind, Scalar, ScalarStyle, Span, TypeName, Value};

/// Mappings up to this size are checked for duplicate keys by a scan; larger ones by hashing.
const SCAN_MAX: usize = 16;

/// The representation marker for [`jsonschema::Validator`].
pub(crate) struct YamlJson;

/// Which entries of a document's mappings are hidden by a duplicate key.
pub(crate) struct Instance<'a> {
    root: &'a Node,
    winner: Option<Span>,
    /// Addresses of the hidden entries.
    losers: foldhash::HashSet<usize>,
}

impl<'a> Instance<'a> {
    /// `winner`: the key span of a duplicate entry that wins over the others with its key.
    pub fn new(root: &'a Node, winner: Option<Span>) -> Self {
        let mut losers = foldhash::HashSet::default();
        find_losers(root, winner, &mut losers);
        Instance {
            root,
            winner,
            losers,
        }
    }

    /// A document the loader found no duplicate key in: nothing to search for.
    pub fn unique(root: &'a Node) -> Self {
        // Debug builds (the tests, the fuzzer) check the loader's word.
        debug_assert!(
            !Instance::new(root, None).has_duplicates(),
            "the loader missed a duplicate key"
        );
        Instance {
            root,
            winner: None,
            losers: foldhash::HashSet::default(),
        }
    }

    /// True when some mapping holds a key twice.
    pub fn has_duplicates(&self) -> bool {
        !self.losers.is_empty()
    }

    pub fn root(&self) -> Inst<'_> {
        Inst {
            node: self.root,
            cx: Some(self),
        }
    }

    fn hides(&self, e: &Entry) -> bool {
        !self.losers.is_empty() && self.losers.contains(&(std::ptr::from_ref(e) as usize))
    }
}

fn key_of(e: &Entry) -> &str {
    e.key.key_text().unwrap_or_default()
}

fn find_losers(node: &Node, winner: Option<Span>, out: &mut foldhash::HashSet<usize>) {
    // An explicit stack of the collections being walked (not of their children: a list of
    // a million items costs one slot, not a million): nesting is bounded by the loader, but
    // a deep document must not cost a deep native stack here.
    enum Walk<'n> {
        Items(std::slice::Iter<'n, Node>),
        Values(std::slice::Iter<'n, Entry>),
    }
    let mut todo = vec![Walk::Items(std::slice::from_ref(node).iter())];
    while let Some(top) = todo.last_mut() {
        let next = match top {
            Walk::Items(it) => it.next(),
            Walk::Values(it) => it.next().map(|e| &e.value),
        };
        let Some(node) = next else {
            todo.pop();
            continue;
        };
        match &node.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => todo.push(Walk::Items(items.iter())),
            NodeKind::Map(entries) => {
                mark_losers(entries, winner, out);
                todo.push(Walk::Values(entries.iter()));
            }
        }
    }
}

fn mark_losers(entries: &[Entry], winner: Option<Span>, out: &mut foldhash::HashSet<usize>) {
    let addr = |e: &Entry| std::ptr::from_ref(e) as usize;
    if entries.len() <= SCAN_MAX {
        for (i, e) in entries.iter().enumerate() {
            let k = key_of(e);
            let same = || entries.iter().filter(move |o| key_of(o) == k);
            if !entries[i + 1..].iter().any(|o| key_of(o) == k)
                && !entries[..i].iter().any(|o| key_of(o) == k)
            {
                continue;
            }
            let pinned = winner.is_some_and(|w| same().any(|o| o.key.span == w));
            let wins = if pinned {
                winner == Some(e.key.span)
            } else {
                !entries[i + 1..].iter().any(|o| key_of(o) == k)
            };
            if !wins {
                out.insert(addr(e));
            }
        }
        return;
    }
    // Key -> index of its winning entry.
    let mut win: foldhash::HashMap<&str, usize> =
        foldhash::HashMapExt::with_capacity(entries.len());
    let mut pinned: Option<&str> = None;
    let mut dup = false;
    for (i, e) in entries.iter().enumerate() {
        let k = key_of(e);
        if winner == Some(e.key.span) {
            pinned = Some(k);
            dup |= win.insert(k, i).is_some();
        } else if pinned != Some(k) {
            dup |= win.insert(k, i).is_some();
        } else {
            dup = true;
        }
    }
    if !dup {
        return;
    }
    for (i, e) in entries.iter().enumerate() {
        if win.get(key_of(e)) != Some(&i) {
            out.insert(addr(e));
        }
    }
}

/// A node of the instance.
#[derive(Clone, Copy)]
pub(crate) struct Inst<'a> {
    node: &'a Node,
    /// `None` only for the property-name strings the validator makes.
    cx: Option<&'a Instance<'a>>,
}

impl<'a> Inst<'a> {
    /// The node an instance path leads to.
    pub fn at(self, path: &[super::validator::Seg]) -> Option<Inst<'a>> {
        use super::validator::Seg;
        path.iter().try_fold(self, |n, seg| match seg {
            Seg::Key(k) => n.as_object()?.find(k),
            Seg::Index(i) => n.as_array()?.items.get(*i).map(|c| n.child(c)),
        })
    }

    /// The length of the node's source text.
    pub fn source_len(self) -> usize {
        self.node.span.len()
    }

    /// The names of a mapping's visible entries.
    pub fn keys(self) -> Vec<String> {
        match self.as_object() {
            Some(o) => o.members().map(|(k, _)| k.to_string()).collect(),
            None => Vec::new(),
        }
    }

    fn child(self, node: &'a Node) -> Inst<'a> {
        Inst { node, cx: self.cx }
    }

    fn finite_scalar(&self) -> Option<&'a Scalar> {
        match &self.node.kind {
            // Only a float is read again from its text to see whether it is finite.
            NodeKind::Scalar(s) if s.type_name() == TypeName::Number => match s.value() {
                Value::Float(f) if !f.is_finite() => None,
                _ => Some(s),
            },
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

impl Json for YamlJson {
    type Node<'a> = Inst<'a>;
    type PreparedKey = Box<str>;
    /// A lookup is a scan of the mapping: a members pass is never dearer.
    const KEYS_PER_LOOKUP: usize = 1 << 16;
    type StringBuffer = Option<Node>;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>(
        buffer: &mut Option<Node>,
        string: &str,
        f: impl FnOnce(Inst<'_>) -> T,
    ) -> T {
        let node = buffer.insert(Node {
            kind: NodeKind::Scalar(Scalar::string(string, ScalarStyle::DoubleQuoted)),
            span: Span::default(),
        });
        f(Inst { node, cx: None })
    }
}

impl<'a> JsonNode<'a, YamlJson> for Inst<'a> {
    type Object = Obj<'a>;
    type Array = Arr<'a>;
    type Number = Number;

    fn as_object(&self) -> Option<Obj<'a>> {
        match &self.node.kind {
            NodeKind::Map(entries) => Some(Obj {
                entries,
                cx: self.cx,
            }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Arr<'a>> {
        match &self.node.kind {
            NodeKind::Seq(items) => Some(Arr { items, cx: self.cx }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match &self.node.kind {
            NodeKind::Scalar(s) if s.is_str() => Some(Cow::Borrowed(s.text.as_str())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<Number> {
        // One read of the number: `from_f64` refuses what is not finite, as `finite_scalar`
        // would, which reads it too.
        match self.node.scalar().filter(|s| s.is_number())?.value() {
            Value::Int(i) => Some(Number::from(i)),
            Value::UInt(u) => Some(Number::from(u)),
            Value::Float(f) => Number::from_f64(f),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        self.finite_scalar().is_some_and(Scalar::is_number)
    }

    fn as_boolean(&self) -> Option<bool> {
        self.node.as_bool()
    }

    fn is_null(&self) -> bool {
        self.json_type() == JsonType::Null
    }

    fn json_type(&self) -> JsonType {
        match &self.node.kind {
            NodeKind::Map(_) => JsonType::Object,
            NodeKind::Seq(_) => JsonType::Array,
            NodeKind::Scalar(s) => match s.type_name() {
                TypeName::Null => JsonType::Null,
                TypeName::Boolean => JsonType::Boolean,
                TypeName::Integer => JsonType::Number,
                TypeName::Number if self.finite_scalar().is_some() => JsonType::Number,
                TypeName::Number => JsonType::Null,
                _ => JsonType::String,
            },
        }
    }

    fn equals_value(&self, expected: &J) -> bool {
        // `enum` runs on every such field: compare strings in place.
        match (&self.node.kind, expected) {
            (NodeKind::Scalar(s), J::String(e)) => s.is_str() && s.text == e.as_str(),
            (NodeKind::Scalar(_), _) => jsonschema::json::cmp::equal(&self.to_value(), expected),
            _ => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, J> {
        Cow::Owned(
            self.node
                .to_json_with_winner(self.cx.and_then(|c| c.winner)),
        )
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref(self.node) as usize))
    }
}

/// A mapping's visible entries.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    entries: &'a [Entry],
    cx: Option<&'a Instance<'a>>,
}

impl<'a> Obj<'a> {
    fn visible(&self, e: &Entry) -> bool {
        self.cx.is_none_or(|c| !c.hides(e))
    }

    /// The visible entry `key` (the last of duplicates unless another is pinned).
    pub fn find(&self, key: &str) -> Option<Inst<'a>> {
        self.entries
            .iter()
            .rev()
            .find(|e| key_of(e) == key && self.visible(e))
            .map(|e| Inst {
                node: &e.value,
                cx: self.cx,
            })
    }
}

impl<'a> Object<'a, YamlJson> for Obj<'a> {
    type Node = Inst<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        match self.cx {
            Some(c) if c.has_duplicates() => {
                self.entries.iter().filter(|e| self.visible(e)).count()
            }
            _ => self.entries.len(),
        }
    }

    fn get(&self, key: &Box<str>) -> Option<Inst<'a>> {
        self.find(key)
    }

    fn members(&self) -> Members<'a> {
        Members {
            iter: self.entries.iter(),
            obj: *self,
        }
    }
}

pub(crate) struct Members<'a> {
    iter: std::slice::Iter<'a, Entry>,
    obj: Obj<'a>,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, Inst<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let obj = self.obj;
        self.iter.find(|e| obj.visible(e)).map(|e| {
            (
                key_of(e),
                Inst {
                    node: &e.value,
                    cx: obj.cx,
                },
            )
        })
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Arr<'a> {
    items: &'a [Node],
    cx: Option<&'a Instance<'a>>,
}

impl<'a> Array<'a, YamlJson> for Arr<'a> {
    type Node = Inst<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn elements(&self) -> Elements<'a> {
        Elements {
            iter: self.items.iter(),
            cx: self.cx,
        }
    }
}

pub(crate) struct Elements<'a> {
    iter: std::slice::Iter<'a, Node>,
    cx: Option<&'a Instance<'a>>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Inst<'a>;

    fn next(&mut self) -> Option<Inst<'a>> {
        let cx = self.cx;
        self.iter.next().map(|node| Inst { node, cx })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};

    fn to_value(text: &str) -> (J, J) {
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let root = &parsed.documents[0].root;
        let inst = Instance::new(root, None);
        (root.to_json(), deep(inst.root()))
    }

    /// The instance rebuilt through the trait only, as the validator sees it.
    fn deep(n: Inst<'_>) -> J {
        if let Some(o) = n.as_object() {
            assert_eq!(o.len(), o.members().count());
            let m: serde_json::Map<String, J> =
                o.members().map(|(k, v)| (k.to_string(), deep(v))).collect();
            for (k, v) in &m {
                assert_eq!(&deep(o.get(&k.as_str().into()).unwrap()), v);
            }
            return J::Object(m);
        }
        if let Some(a) = n.as_array() {
            return J::Array(a.elements().map(deep).collect());
        }
        if let Some(s) = n.as_string() {
            return J::String(s.into_owned());
        }
        if let Some(b) = n.as_boolean() {
            return J::Bool(b);
        }
        if let Some(x) = n.as_number() {
            return J::Number(x);
        }
        assert!(n.is_null());
        J::Null
    }

    #[test]
    fn reads_as_the_json_conversion() {
        for text in [
            "a: 1\nb: [x, 2.5, .inf, ~, yes, 0755]\nc: {d: e}\n",
            "a: 1\na: 2\nb: {c: 1, c: {d: 2}}\n",
            "? [k]\n: 1\n? {x: y}\n: 2\ntrue: 3\n",
        ] {
            let (want, got) = to_value(text);
            assert_eq!(want, got, "{text}");
        }
        let many: String = (0..100).map(|i| format!("k{}: {i}\n", i % 40)).collect();
        let (want, got) = to_value(&many);
        assert_eq!(want, got);
    }

    #[test]
    fn a_pinned_winner_hides_the_others() {
        let text = "a: 1\na: 2\na: 3\n";
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let root = &parsed.documents[0].root;
        let mid = root.entries()[1].key.span;
        let inst = Instance::new(root, Some(mid));
        assert_eq!(deep(inst.root()), root.to_json_with_winner(Some(mid)));
        let many: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect::<String>() + text;
        let file = SourceFile::new(0, "t.yaml".into(), many);
        let parsed = parse_file(&file, &Limits::default());
        let root = &parsed.documents[0].root;
        let mid = root.entries()[41].key.span;
        let inst = Instance::new(root, Some(mid));
        assert_eq!(deep(inst.root()), root.to_json_with_winner(Some(mid)));
    }
}
