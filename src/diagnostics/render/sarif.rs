//! SARIF 2.1.0 as GitHub code scanning ingests it (checked by the SARIF multitool's
//! `validate --rule-kind Gh;Sarif` in tests/ci_formats.rs): every rule carries its page as
//! `help`, locations are URI-encoded relative paths against `%SRCROOT%` (absolute paths are
//! `file://` URIs), results carry stable `partialFingerprints` and fixes as SARIF `fixes`.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::diagnostics::{Diagnostic, Severity};
use crate::rules;
use crate::source::SourceFile;
use crate::yaml::Span;
use crate::Report;

/// Where the rule pages are published; `helpUri` points there.
const RULES_URL: &str = "https://github.com/kubevet/kubevet/blob/main/rules";
/// The key kubevet's own fingerprint is stored under (versioned, as GitHub recommends).
const FINGERPRINT_KEY: &str = "kubevet/v1";
const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `artifactLocation` for a path as the user named it.
fn artifact(path: &str) -> Value {
    let path = path.replace('\\', "/");
    if path == "-" {
        // Standard input with no `--stdin-filename`: a name, not a file in the checkout.
        return json!({"uri": "stdin"});
    }
    if path.starts_with('/') {
        return json!({"uri": format!("file://{}", encode_path(&path))});
    }
    // A Windows absolute path, `C:/x`: `file:///C:/x` (the drive's colon stays).
    let b = path.as_bytes();
    if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        return json!({"uri": format!("file:///{}:{}", char::from(b[0]), encode_path(&path[2..]))});
    }
    let mut rel = path.as_str();
    while let Some(r) = rel.strip_prefix("./") {
        rel = r;
    }
    json!({"uri": encode_path(rel), "uriBaseId": SRCROOT})
}

/// The directory relative paths are resolved against, as a `file://` URI ending in `/`.
fn srcroot_uri() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let mut p = cwd.to_str()?.replace('\\', "/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    Some(format!("file://{}", encode_path(&p)))
}

fn region(file: &SourceFile, span: Span) -> Value {
    let (s, e) = super::positions(file, span);
    if file.text.is_empty() {
        return json!({"startLine": 1});
    }
    json!({
        "startLine": s.line, "startColumn": s.column,
        "endLine": e.line, "endColumn": e.column,
        "byteOffset": s.offset, "byteLength": e.offset - s.offset
    })
}

/// The paragraph under a page's `## What it checks`, on one line.
pub(crate) fn what_it_checks(doc: &str) -> Option<String> {
    let start = doc.find("## What it checks")?;
    let body = &doc[start..];
    let body = &body[body.find('\n')? + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let text = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// `unknown-field` -> `UnknownField`: SARIF wants `name` readable and distinct from `id`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_json(r: &rules::Rule) -> Value {
    let full = what_it_checks(r.doc).unwrap_or_else(|| r.summary.to_string());
    json!({
        "id": r.id,
        "name": pascal_case(r.id),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": full},
        "help": {"text": r.doc, "markdown": r.doc},
        "helpUri": format!("{RULES_URL}/{}.md", r.id),
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"category": r.category.as_str(), "tags": [r.category.as_str()]}
    })
}

fn result_json(report: &Report, d: &Diagnostic, rule_index: Option<usize>, fp: &str) -> Value {
    let file = &report.files[d.file];
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let related: Vec<Value> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let lf = &report.files[l.file];
            json!({
                "id": i,
                "message": {"text": l.message},
                "physicalLocation": {"artifactLocation": artifact(&lf.path), "region": region(lf, l.span)}
            })
        })
        .collect();
    let mut location = json!({
        "physicalLocation": {"artifactLocation": artifact(&file.path), "region": region(file, d.span)}
    });
    if let Some(o) = &d.object {
        let name = [o.kind.as_deref(), o.name.as_deref()]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        if !name.is_empty() {
            location["logicalLocations"] = json!([{"fullyQualifiedName": name, "kind": "object"}]);
        }
    }
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
    });
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(fix) = d
        .fix
        .as_ref()
        .filter(|f| !f.edits.is_empty() && !file.text.is_empty())
    {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let (s, en) = super::positions(file, e.span);
                json!({
                    "deletedRegion": {"startLine": s.line, "startColumn": s.column,
                                      "endLine": en.line, "endColumn": en.column},
                    "insertedContent": {"text": e.new_text}
                })
            })
            .collect();
        r["fixes"] = json!([{
            "description": {"text": fix.description},
            "artifactChanges": [{"artifactLocation": artifact(&file.path), "replacements": replacements}]
        }]);
    }
    r
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let used: std::collections::BTreeSet<&str> =
        report.diagnostics.iter().map(|d| d.rule).collect();
    let rule_list: Vec<&rules::Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| used.contains(r.id))
        .collect();
    let fps = super::fingerprint::fingerprints(report);
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(&fps)
        .map(|(d, fp)| {
            let idx = rule_list.iter().position(|r| r.id == d.rule);
            result_json(report, d, idx, fp)
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "kubevet",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/kubevet/kubevet",
            "rules": rule_list.iter().map(|r| rule_json(r)).collect::<Vec<_>>()
        }},
        "invocations": [{"executionSuccessful": true}],
        "columnKind": "unicodeCodePoints",
        "results": results
    });
    if let Some(root) = srcroot_uri() {
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": root}});
        run["invocations"][0]["workingDirectory"] = json!({"uri": root});
    }
    if let Some(v) = &report.kubernetes_version {
        run["properties"] = json!({"kubernetesVersion": v});
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run]
    });
    super::write_json(out, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            artifact("./k8s/my app/ü.yaml"),
            json!({"uri": "k8s/my%20app/%C3%BC.yaml", "uriBaseId": SRCROOT})
        );
        assert_eq!(
            artifact("/tmp/a b.yaml"),
            json!({"uri": "file:///tmp/a%20b.yaml"})
        );
        assert_eq!(artifact("-"), json!({"uri": "stdin"}));
        assert_eq!(
            artifact("C:\\k8s\\a b.yaml"),
            json!({"uri": "file:///C:/k8s/a%20b.yaml"})
        );
        assert_eq!(encode_path("a#b?c%"), "a%23b%3Fc%25");
    }

    #[test]
    fn full_description_is_the_what_it_checks_paragraph() {
        let doc = "# x\n\n## What it checks\nOne\nline.\n\n## Why\nBecause.\n";
        assert_eq!(what_it_checks(doc).as_deref(), Some("One line."));
    }
}
