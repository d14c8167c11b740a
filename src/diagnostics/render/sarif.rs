//! SARIF 2.1.0, the format GitHub code scanning and other dashboards import.

use std::io::{self, Write};

use serde_json::json;

use crate::diagnostics::Severity;
use crate::rules;
use crate::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let used: std::collections::BTreeSet<&str> =
        report.diagnostics.iter().map(|d| d.rule).collect();
    let rule_list: Vec<&rules::Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| used.contains(r.id))
        .collect();
    let rule_index = |id: &str| rule_list.iter().position(|r| r.id == id);
    let results: Vec<serde_json::Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let file = &report.files[d.file];
            let (s, e) = super::positions(file, d.span);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let related: Vec<serde_json::Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let lf = &report.files[l.file];
                    let (ls, le) = super::positions(lf, l.span);
                    json!({
                        "id": i,
                        "message": {"text": l.message},
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&lf.path)},
                            "region": {"startLine": ls.line, "startColumn": ls.column,
                                       "endLine": le.line, "endColumn": le.column}
                        }
                    })
                })
                .collect();
            let mut r = json!({
                "ruleId": d.rule,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "note" },
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&file.path)},
                        "region": {"startLine": s.line, "startColumn": s.column,
                                   "endLine": e.line, "endColumn": e.column,
                                   "byteOffset": s.offset, "byteLength": e.offset - s.offset}
                    }
                }],
                "relatedLocations": related,
            });
            if let Some(i) = rule_index(d.rule) {
                r["ruleIndex"] = json!(i);
            }
            r
        })
        .collect();
    let rules_json: Vec<serde_json::Value> = rule_list
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.doc},
                "defaultConfiguration": {"level": match r.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "note" }},
                "properties": {"category": r.category.as_str()}
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubevet",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/kubevet/kubevet",
                "rules": rules_json
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// Relative paths stay relative (SARIF consumers resolve them against the checkout);
/// backslashes become slashes.
fn uri(path: &str) -> String {
    path.replace('\\', "/")
}
