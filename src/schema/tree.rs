//! The node tree as the validator sees it: instance paths back to nodes, and the shadowed
//! duplicate keys a lenient decoder drops (the JSON conversion itself is `Node::to_json`).

use std::cell::RefCell;
use std::collections::HashMap;

use super::validator::Seg;
use crate::yaml::{Entry, Node, NodeKind, Span};

/// Mappings up to this size are searched by a scan; larger ones get a hash index.
const SCAN_MAX: usize = 16;

/// Resolves instance paths in one document. Every validator error is resolved to its node,
/// and a mapping may hold a million keys with an error each: large mappings get a key index
/// on first use, so explaining all their errors stays linear.
pub(crate) struct Lookup<'a> {
    winner: Option<Span>,
    /// Keyed by the address of a mapping's entries: the document outlives the lookup, so
    /// an address is never reused while it is in here.
    index: RefCell<HashMap<*const Entry, HashMap<&'a str, usize>>>,
}

impl<'a> Lookup<'a> {
    /// `winner`: the key span of a shadowed duplicate entry that wins over its duplicates.
    pub fn new(winner: Option<Span>) -> Self {
        Lookup {
            winner,
            index: RefCell::new(HashMap::new()),
        }
    }

    /// The entry a mapping key resolves to: the one pinned by `winner`, else the last.
    pub fn entry_for(&self, node: &'a Node, key: &str) -> Option<&'a Entry> {
        let entries = node.entries();
        if entries.len() <= SCAN_MAX {
            return entry_for(entries, key, self.winner);
        }
        let mut index = self.index.borrow_mut();
        let keys = index
            .entry(entries.as_ptr())
            .or_insert_with(|| key_index(entries, self.winner));
        keys.get(key).and_then(|&i| entries.get(i))
    }

    /// The node an instance path points at, and the nodes along the way (`out[0]` is `root`).
    pub fn nodes_along(&self, root: &'a Node, path: &[Seg]) -> Vec<&'a Node> {
        let mut out = Vec::with_capacity(path.len() + 1);
        let mut cur = root;
        out.push(cur);
        for seg in path {
            let next = match seg {
                Seg::Key(k) => self.entry_for(cur, k).map(|e| &e.value),
                Seg::Index(i) => cur.items().get(*i),
            };
            match next {
                Some(n) => {
                    out.push(n);
                    cur = n;
                }
                None => break,
            }
        }
        out
    }
}

fn entry_for<'a>(entries: &'a [Entry], key: &str, winner: Option<Span>) -> Option<&'a Entry> {
    let mut found = None;
    for e in entries {
        if e.key.key_text() == Some(key) {
            if winner == Some(e.key.span) {
                return Some(e);
            }
            found = Some(e);
        }
    }
    found
}

/// Key -> index of the entry it resolves to, with the same choice as [`entry_for`].
fn key_index(entries: &[Entry], winner: Option<Span>) -> HashMap<&str, usize> {
    let mut out: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    let mut pinned: Option<&str> = None;
    for (i, e) in entries.iter().enumerate() {
        let Some(k) = e.key.key_text() else { continue };
        if winner == Some(e.key.span) {
            pinned = Some(k);
            out.insert(k, i);
        } else if pinned != Some(k) {
            out.insert(k, i);
        }
    }
    out
}

/// Renders an instance path as `spec.containers[0].image`.
pub(crate) fn display_path(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// A mapping entry hidden by a later entry with the same key.
pub(crate) struct Shadowed {
    /// Instance path of the shadowed entry's value (as if it had won).
    pub path: Vec<Seg>,
    pub key_span: Span,
}

/// Each shadowed entry costs a validation of the whole document; past this many (already
/// reported as `duplicate-key` by the loader) the rest are not validated on their own.
const MAX_SHADOWED: usize = 32;

/// Shadowed duplicate entries reachable through winning entries (at most [`MAX_SHADOWED`]).
pub(crate) fn shadowed_entries(root: &Node) -> Vec<Shadowed> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect_shadowed(root, &mut path, &mut out);
    out
}

/// A step of the path walked so far, borrowed: most documents have no shadowed entry, so
/// owned paths are only built for the ones found.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn collect_shadowed<'a>(node: &'a Node, path: &mut Vec<Step<'a>>, out: &mut Vec<Shadowed>) {
    if out.len() >= MAX_SHADOWED {
        return;
    }
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                collect_shadowed(item, path, out);
                path.pop();
            }
        }
        NodeKind::Map(entries) => {
            // The index of the last entry of each key, for mappings too large to scan.
            let last: Option<HashMap<&str, usize>> = (entries.len() > SCAN_MAX).then(|| {
                entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| Some((e.key.key_text()?, i)))
                    .collect()
            });
            for (i, e) in entries.iter().enumerate() {
                let Some(key) = e.key.key_text() else {
                    continue;
                };
                let shadowed = match &last {
                    Some(last) => last.get(key).is_some_and(|&j| j > i),
                    None => entries[i + 1..]
                        .iter()
                        .any(|later| later.key.key_text() == Some(key)),
                };
                path.push(Step::Key(key));
                if shadowed {
                    if out.len() < MAX_SHADOWED {
                        out.push(Shadowed {
                            path: path
                                .iter()
                                .map(|s| match *s {
                                    Step::Key(k) => Seg::Key(k.to_string()),
                                    Step::Index(i) => Seg::Index(i),
                                })
                                .collect(),
                            key_span: e.key.span,
                        });
                    }
                } else {
                    collect_shadowed(&e.value, path, out);
                }
                path.pop();
            }
        }
    }
}
