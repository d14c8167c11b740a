//! rustc-style output through annotate-snippets (the renderer rustc and cargo use).
//!
//! Each snippet gets only the lines around its spans, with `line_start` set: handing the
//! renderer the whole file makes it rescan the file for every diagnostic.

use std::io::{self, Write};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Patch, Renderer, Snippet};
use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::yaml::Span;
use crate::Report;

/// Diagnostics rendered at once.
const RENDER_BATCH: usize = 1024;

/// Labels farther than this from the primary span get a snippet of their own.
const SAME_SNIPPET_LINES: usize = 12;

pub fn render(report: &Report, color: bool, summary: bool, out: &mut dyn Write) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    // Rendered on all cores a batch at a time, written in order: a repository's thousand
    // findings took a core's 7 ms after the check was done, and a batch bounds the text
    // held at once.
    for batch in report.diagnostics.chunks(RENDER_BATCH) {
        let texts: Vec<String> = batch
            .par_iter()
            .with_max_len(16)
            .map(|d| render_one(report, d, &renderer))
            .collect();
        for text in texts {
            writeln!(out, "{text}\n")?;
        }
    }
    if summary {
        writeln!(out, "{}", super::summary_line(report))?;
    }
    Ok(())
}

/// A window of whole lines around `spans` in `file`: (text, first byte, first line 0-based).
fn window(file: &SourceFile, spans: &[Span]) -> (usize, usize, usize) {
    let lines = &file.lines;
    let lo = spans.iter().map(|s| s.start as usize).min().unwrap_or(0);
    let hi = spans.iter().map(|s| s.end as usize).max().unwrap_or(0);
    let first = lines.line_of(lo);
    // A span ending right after a newline ends on the previous line.
    let last = lines.line_of(hi.saturating_sub(usize::from(hi > lo)));
    let start = lines.line_start(first);
    let end = lines.line_range(&file.text, last).end;
    (start, end.max(start), first)
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn snippet<'a>(
    file: &'a SourceFile,
    primary: Option<(Span, &'a str)>,
    context: &[(Span, &'a str)],
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let mut spans: Vec<Span> = context.iter().map(|(s, _)| *s).collect();
    spans.extend(primary.map(|(s, _)| s));
    let (start, end, first_line) = window(file, &spans);
    let rel = |s: Span| {
        let a = (s.start as usize).clamp(start, end) - start;
        let b = (s.end as usize).clamp(start, end) - start;
        a..b.max(a)
    };
    let mut sn = Snippet::source(&file.text[start..end])
        .line_start(first_line + 1)
        .path(file.path.as_str());
    if let Some((s, label)) = primary {
        let mut a = AnnotationKind::Primary.span(rel(s));
        if !label.is_empty() {
            a = a.label(label);
        }
        sn = sn.annotation(a);
    }
    for (s, label) in context {
        sn = sn.annotation(AnnotationKind::Context.span(rel(*s)).label(*label));
    }
    sn
}

fn render_one(report: &Report, d: &Diagnostic, renderer: &Renderer) -> String {
    let file = &report.files[d.file];
    let mut title = Group::with_title(
        level(d.severity)
            .primary_title(d.message.as_str())
            .id(d.rule),
    );
    if file.text.is_empty() {
        // Nothing to show (unreadable file, empty directory): name the path only.
        title = title.element(Level::NOTE.message(format!("in {}", file.path)));
    } else {
        let line_of = |s: Span| file.lines.line_of(s.start as usize);
        let pline = line_of(d.span);
        let (near, far): (Vec<_>, Vec<_>) = d
            .labels
            .iter()
            .filter(|l| l.file == d.file)
            .partition(|l| line_of(l.span).abs_diff(pline) <= SAME_SNIPPET_LINES);
        let near: Vec<(Span, &str)> = near.iter().map(|l| (l.span, l.message.as_str())).collect();
        title = title.element(snippet(
            file,
            Some((d.span, d.label.as_deref().unwrap_or(""))),
            &near,
        ));
        for l in far {
            title = title.element(snippet(file, None, &[(l.span, l.message.as_str())]));
        }
    }
    for l in d.labels.iter().filter(|l| l.file != d.file) {
        let lf = &report.files[l.file];
        if !lf.text.is_empty() {
            title = title.element(snippet(lf, None, &[(l.span, l.message.as_str())]));
        }
    }
    if let Some(h) = &d.help {
        title = title.element(Level::HELP.message(h.as_str()));
    }
    let mut groups: Vec<Group<'_>> = vec![title];
    if let Some(fix) = &d.fix {
        if !file.text.is_empty() && !fix.edits.is_empty() {
            let spans: Vec<Span> = fix.edits.iter().map(|e| e.span).collect();
            let (start, end, first_line) = window(file, &spans);
            let mut sn = Snippet::source(&file.text[start..end])
                .line_start(first_line + 1)
                .path(file.path.as_str());
            for e in &fix.edits {
                let a = (e.span.start as usize).clamp(start, end) - start;
                let b = (e.span.end as usize).clamp(start, end) - start;
                sn = sn.patch(Patch::new(a..b.max(a), e.new_text.as_str()));
            }
            groups.push(
                Level::HELP
                    .secondary_title(fix.description.as_str())
                    .element(sn),
            );
        }
    }
    renderer.render(&groups)
}
