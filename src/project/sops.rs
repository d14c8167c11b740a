//! Documents encrypted with SOPS, as GitOps repositories keep their Secrets: Flux, ksops and
//! helm-secrets decrypt them before anything reaches the API server. SOPS writes each
//! encrypted value as `ENC[AES256_GCM,data:...,type:str]` and its own metadata under a
//! top-level `sops` key. Neither is what the cluster gets: a Secret's `data` is base64 once
//! decrypted, and the `sops` block is removed. With the default settings SOPS encrypts every
//! value, `kind` and `apiVersion` included, and nothing is left to check.

use std::collections::HashMap;

use crate::yaml::{Document, Node, ParsedFile, Span};

/// A value SOPS encrypted (AES-256-GCM is the only cipher it writes).
pub fn is_ciphertext(text: &str) -> bool {
    text.starts_with("ENC[AES256_GCM,") && text.ends_with(']')
}

/// The span of the document's `sops` entry, key and value, when it is SOPS's metadata: a
/// mapping with the `mac` of the file and SOPS's `version` or `lastmodified`. A field that
/// happens to be called `sops` is not taken for it.
fn metadata(root: &Node) -> Option<Span> {
    if !root.is_map() {
        return None;
    }
    let entry = root.entry("sops")?;
    let m = &entry.value;
    let is_metadata =
        m.get("mac").is_some() && (m.get("version").is_some() || m.get("lastmodified").is_some());
    is_metadata.then(|| entry.key.span.cover(entry.value.span))
}

/// An encrypted document whose `kind` or `apiVersion` is encrypted too: what it is cannot
/// be known before it is decrypted.
fn is_sealed(doc: &Document) -> bool {
    metadata(&doc.root).is_some()
        && ["kind", "apiVersion"].iter().any(|k| {
            doc.root
                .get(k)
                .and_then(Node::as_str)
                .is_some_and(is_ciphertext)
        })
}

/// Every document of the file is encrypted down to its `kind` or `apiVersion`: the file is
/// skipped, as there is nothing kubevet could check.
pub fn all_sealed(documents: &[Document]) -> bool {
    !documents.is_empty() && documents.iter().all(is_sealed)
}

/// The `sops` metadata entries of each file that has any, in text order.
pub struct Metadata(HashMap<usize, Vec<Span>>);

impl Metadata {
    pub fn of(parsed: &[ParsedFile]) -> Self {
        let mut by_file = HashMap::new();
        for (i, p) in parsed.iter().enumerate() {
            let spans: Vec<Span> = p
                .documents
                .iter()
                .filter_map(|d| metadata(&d.root))
                .collect();
            if !spans.is_empty() {
                by_file.insert(i, spans);
            }
        }
        Metadata(by_file)
    }

    /// Whether `span` of `file` lies in a `sops` metadata entry.
    pub fn contains(&self, file: usize, span: Span) -> bool {
        let Some(spans) = self.0.get(&file) else {
            return false;
        };
        let i = spans.partition_point(|s| s.start <= span.start);
        i > 0 && spans[i - 1].contains(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};

    fn parse(text: &str) -> ParsedFile {
        parse_file(
            &SourceFile::new(0, "t.yaml".into(), text.into()),
            &Limits::default(),
        )
    }

    const META: &str =
        "sops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n  version: 3.9.0\n";

    #[test]
    fn ciphertext_is_sops_own_format_only() {
        assert!(is_ciphertext(
            "ENC[AES256_GCM,data:aGk=,iv:a,tag:b,type:str]"
        ));
        assert!(!is_ciphertext("ENC[AES256_GCM,data:aGk="));
        assert!(!is_ciphertext("ENC[something]"));
        assert!(!is_ciphertext("aGVsbG8="));
    }

    #[test]
    fn metadata_needs_the_mac_and_a_version() {
        let with = parse(&format!("kind: Secret\n{META}"));
        assert!(metadata(&with.documents[0].root).is_some());
        // A field named `sops` (a custom resource's, say) is not SOPS's metadata.
        let field = parse("kind: Thing\nsops:\n  enabled: true\n");
        assert!(metadata(&field.documents[0].root).is_none());
        let no_version = parse("kind: Thing\nsops:\n  mac: x\n");
        assert!(metadata(&no_version.documents[0].root).is_none());
    }

    #[test]
    fn a_file_is_sealed_when_every_document_hides_what_it_is() {
        let enc = "ENC[AES256_GCM,data:djE=,iv:a,tag:b,type:str]";
        let sealed = format!("apiVersion: {enc}\nkind: {enc}\n{META}");
        let clear = format!("apiVersion: v1\nkind: Secret\n{META}");
        assert!(all_sealed(&parse(&sealed).documents));
        assert!(!all_sealed(&parse(&clear).documents));
        assert!(!all_sealed(
            &parse(&format!("{sealed}---\napiVersion: v1\nkind: ConfigMap\n")).documents
        ));
        // Encrypted-looking values without SOPS's metadata are someone else's.
        assert!(!all_sealed(
            &parse(&format!("apiVersion: {enc}\nkind: {enc}\n")).documents
        ));
        assert!(!all_sealed(&[]));
    }

    #[test]
    fn spans_inside_the_metadata_are_found_by_file() {
        let text = format!(
            "apiVersion: v1\nkind: Secret\n{META}---\napiVersion: v1\nkind: Secret\n{META}"
        );
        let p = parse(&text);
        let m = Metadata::of(std::slice::from_ref(&p));
        let second = text.rfind("sops").unwrap_or_default();
        assert!(m.contains(0, Span::new(second, second + 4)));
        assert!(m.contains(
            0,
            Span::new(
                text.find("mac").unwrap_or_default(),
                text.find("mac").unwrap_or_default() + 3
            )
        ));
        assert!(!m.contains(0, Span::new(0, 10)));
        assert!(!m.contains(1, Span::new(second, second + 4)));
    }
}
