//! YAML front end: the spanned node tree, scalar resolution as Kubernetes does it, and the
//! event-driven loader with its limits.

mod control;
mod keys;
mod loader;
mod node;
mod resolve;
mod split;
mod syntax_message;

pub(crate) use keys::last_of_each;
pub use loader::{
    parse_file, Document, Limits, ParsedFile, RULE_DUPLICATE_KEY, RULE_LIMITS, RULE_SYNTAX,
};
pub use node::{Entry, Node, NodeKind, Scalar, ScalarStyle, Span, TypeName, Value};
pub use resolve::resolve_plain;

/// `text` parsed as a file of its own, with the default limits: for unit tests that need a
/// tree.
#[cfg(test)]
pub(crate) fn parse_text(text: &str) -> ParsedFile {
    let file = crate::source::SourceFile::new(0, "test.yaml".into(), text.into());
    parse_file(&file, &Limits::default())
}
