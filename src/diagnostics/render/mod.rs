//! Renderers: every output format reads the same [`Report`](crate::Report).

mod concise;
mod fingerprint;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::{self, Write};

use crate::source::{Position, SourceFile};
use crate::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style snippets with underlines, labels and help.
    Human,
    /// `file:line:col: severity[rule] message`, one per line.
    Concise,
    /// The stable, versioned JSON contract (see DESIGN.md / README).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML test report.
    Junit,
}

pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    render_styled(report, format, color, true, out)
}

/// [`render`], with the human format's summary line only when `summary` (`--quiet` drops it).
pub fn render_styled(
    report: &Report,
    format: Format,
    color: bool,
    summary: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, color, summary, out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Writes `value` as pretty JSON and a newline. Serialising first keeps the write's
/// `io::Error` (a broken pipe must stay recognisable as one).
pub(crate) fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}

/// Start and end positions of a span in `file`.
pub(crate) fn positions(file: &SourceFile, span: crate::yaml::Span) -> (Position, Position) {
    (
        file.position(span.start as usize),
        file.position(span.end as usize),
    )
}

/// "3 errors, 1 warning, 2 infos in 2 files (7 objects); 12 files skipped: 9 without
/// Kubernetes objects, 3 Helm templates".
pub fn summary_line(report: &Report) -> String {
    use crate::diagnostics::Severity::*;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![
        plural(report.count(Error), "error", "errors"),
        plural(report.count(Warning), "warning", "warnings"),
    ];
    let infos = report.count(Info);
    if infos > 0 {
        parts.push(plural(infos, "info", "infos"));
    }
    let mut line = format!(
        "{} in {} ({})",
        parts.join(", "),
        plural(report.checked_files(), "file", "files"),
        plural(report.objects, "object", "objects")
    );
    let skipped: usize = report.skipped.values().sum();
    if skipped > 0 {
        let why: Vec<String> = report
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {}", reason.describe()))
            .collect();
        line.push_str(&format!(
            "; {} skipped: {}",
            plural(skipped, "file", "files"),
            why.join(", ")
        ));
    }
    line
}
