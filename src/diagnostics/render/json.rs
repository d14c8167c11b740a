//! The stable JSON contract (`version: 1`). Field names and meanings never change within a
//! version; editors and CI parse it.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::yaml::Span;
use crate::Report;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    version: u32,
    tool: Tool,
    /// The Kubernetes version whose schemas the run validated against.
    kubernetes_version: Option<&'a str>,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    /// Files checked.
    files: usize,
    /// Files not checked, by reason (`notKubernetes`, `helmTemplates`...).
    skipped: std::collections::BTreeMap<&'static str, usize>,
    documents: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    document: Option<usize>,
    object: Option<JsonObject<'a>>,
    path: Option<&'a str>,
    range: Range,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: Option<&'a str>,
    kind: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct Range {
    pub start: Pos,
    pub end: Pos,
}

#[derive(Serialize)]
pub(crate) struct Pos {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    message: &'a str,
    range: Range,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    /// Applied by `--fix` (else only with `--unsafe-fixes`).
    safe: bool,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonEdit<'a> {
    range: Range,
    new_text: &'a str,
}

pub(crate) fn range(file: &SourceFile, span: Span) -> Range {
    let (s, e) = super::positions(file, span);
    let pos = |p: crate::source::Position| Pos {
        line: p.line,
        column: p.column,
        offset: p.offset,
    };
    Range {
        start: pos(s),
        end: pos(e),
    }
}

fn convert<'a>(report: &'a Report, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let file = &report.files[d.file];
    JsonDiagnostic {
        rule: d.rule,
        severity: d.severity.as_str(),
        message: &d.message,
        file: &file.path,
        document: d.document,
        object: d.object.as_ref().map(|o| JsonObject {
            api_version: o.api_version.as_deref(),
            kind: o.kind.as_deref(),
            namespace: o.namespace.as_deref(),
            name: o.name.as_deref(),
        }),
        path: d.path.as_deref(),
        range: range(file, d.span),
        help: d.help.as_deref(),
        related: d
            .labels
            .iter()
            .map(|l| {
                let lf = &report.files[l.file];
                Related {
                    file: &lf.path,
                    message: &l.message,
                    range: range(lf, l.span),
                }
            })
            .collect(),
        fix: d.fix.as_ref().map(|f| JsonFix {
            description: &f.description,
            safe: crate::fix::is_safe(d, &file.text),
            edits: f
                .edits
                .iter()
                .map(|e| JsonEdit {
                    range: range(file, e.span),
                    new_text: &e.new_text,
                })
                .collect(),
        }),
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let output = Output {
        version: 1,
        tool: Tool {
            name: "kubevet",
            version: env!("CARGO_PKG_VERSION"),
        },
        kubernetes_version: report.kubernetes_version.as_deref(),
        summary: Summary {
            files: report.checked_files(),
            skipped: report
                .skipped
                .iter()
                .map(|(reason, n)| (reason.key(), *n))
                .collect(),
            documents: report.documents,
            objects: report.objects,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| convert(report, d))
            .collect(),
    };
    super::write_json(out, &output)
}
