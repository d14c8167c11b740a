//! GitHub Actions workflow commands: annotations on the pull request's diff.

use std::io::{self, Write};

use crate::diagnostics::Severity;
use crate::Report;

/// Workflow-command property values escape `%`, CR, LF, `:` and `,`; messages escape `%`,
/// CR and LF.
fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        let file = &report.files[d.file];
        let (start, end) = super::positions(file, d.span);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape(&file.path, true),
            start.line,
            start.column,
            end.line,
            end.column,
            escape(&format!("kubevet {}", d.rule), true),
            escape(&message, false)
        )?;
    }
    Ok(())
}
