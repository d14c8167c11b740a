//! The one diagnostic type every stage produces and every renderer consumes.

pub mod render;

use crate::source::FileId;
use crate::yaml::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location: "the selector is here", "first defined here".
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
}

/// Which object a diagnostic is about, as the JSON contract names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectRef {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    /// Primary span: a byte range in `file`.
    pub span: Span,
    /// 0-based index of the YAML document in the file.
    pub document: Option<usize>,
    pub object: Option<ObjectRef>,
    /// Field path inside the object, such as `spec.volumes[0].emptryDir`.
    pub path: Option<String>,
    /// Text under the primary span's underline.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            file,
            span,
            document: None,
            object: None,
            path: None,
            label: None,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// The text shown under the primary span.
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.label = Some(message.into());
        self
    }

    pub fn with_label(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, description: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fix = Some(Fix {
            description: description.into(),
            edits,
        });
        self
    }

    pub fn with_document(mut self, document: usize) -> Self {
        self.document = Some(document);
        self
    }

    /// The stable output order: file, position, rule, message.
    pub fn sort_key(&self) -> (FileId, u32, u32, &'static str, &str) {
        (
            self.file,
            self.span.start,
            self.span.end,
            self.rule,
            self.message.as_str(),
        )
    }
}

/// Sorts diagnostics deterministically and drops exact repeats (the same finding reached
/// twice, e.g. through a YAML alias).
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key());
}
