//! GitLab Code Quality report (a JSON array in the CodeClimate subset GitLab reads), shown
//! in merge request widgets when uploaded as `artifacts: reports: codequality`.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::diagnostics::Severity;
use crate::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fps = super::fingerprint::fingerprints(report);
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(fps)
        .map(|(d, fp)| {
            let file = &report.files[d.file];
            let (s, e) = super::positions(file, d.span);
            let mut description = d.message.clone();
            if let Some(h) = &d.help {
                description.push_str(" (help: ");
                description.push_str(h);
                description.push(')');
            }
            json!({
                "type": "issue",
                "check_name": d.rule,
                "description": description,
                "categories": ["Bug Risk"],
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "fingerprint": fp,
                "location": {
                    "path": file.path.strip_prefix("./").unwrap_or(&file.path),
                    "positions": {
                        "begin": {"line": s.line, "column": s.column},
                        "end": {"line": e.line, "column": e.column}
                    }
                }
            })
        })
        .collect();
    super::write_json(out, &issues)
}
