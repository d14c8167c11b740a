//! The node tree as the validator sees it: instance paths back to nodes, and the shadowed
//! duplicate keys a lenient decoder drops (the JSON conversion itself is `Node::to_json`).

use super::validator::Seg;
use crate::yaml::{Node, NodeKind, Span};

/// The entry a mapping key resolves to: the one pinned by `winner`, else the last.
pub(crate) fn entry_for<'a>(
    node: &'a Node,
    key: &str,
    winner: Option<Span>,
) -> Option<&'a crate::yaml::Entry> {
    let mut found = None;
    for e in node.entries() {
        if e.key.key_text() == Some(key) {
            if winner == Some(e.key.span) {
                return Some(e);
            }
            found = Some(e);
        }
    }
    found
}

/// The node an instance path points at, and the nodes along the way (`out[0]` is `root`).
pub(crate) fn nodes_along<'a>(root: &'a Node, path: &[Seg], winner: Option<Span>) -> Vec<&'a Node> {
    let mut out = Vec::with_capacity(path.len() + 1);
    let mut cur = root;
    out.push(cur);
    for seg in path {
        let next = match seg {
            Seg::Key(k) => entry_for(cur, k, winner).map(|e| &e.value),
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

/// Every shadowed duplicate entry reachable through winning entries.
pub(crate) fn shadowed_entries(root: &Node) -> Vec<Shadowed> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect_shadowed(root, &mut path, &mut out);
    out
}

fn collect_shadowed(node: &Node, path: &mut Vec<Seg>, out: &mut Vec<Shadowed>) {
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                collect_shadowed(item, path, out);
                path.pop();
            }
        }
        NodeKind::Map(entries) => {
            for (i, e) in entries.iter().enumerate() {
                let Some(key) = e.key.key_text() else {
                    continue;
                };
                let shadowed = entries[i + 1..]
                    .iter()
                    .any(|later| later.key.key_text() == Some(key));
                path.push(Seg::Key(key.to_string()));
                if shadowed {
                    out.push(Shadowed {
                        path: path.clone(),
                        key_span: e.key.span,
                    });
                } else {
                    collect_shadowed(&e.value, path, out);
                }
                path.pop();
            }
        }
    }
}
