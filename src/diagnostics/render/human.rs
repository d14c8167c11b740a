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

/// A one-line snippet longer than this (minified JSON, say) is cut to its spans'
/// neighbourhood: annotate-snippets reads a snippet's whole line for each finding, so five
/// thousand findings on a 100 KB line took seconds.
const LONG_LINE: usize = 4096;

/// Bytes kept on each side of the spans of a cut line. annotate-snippets shows at most a
/// terminal's width (140 columns) around the spans, so the cut changes nothing it shows.
const CUT_CONTEXT: usize = 1024;

/// A fix's suggestion shows its line whole, patched: one longer than this is cut to
/// [`SUGGESTION_CONTEXT`] bytes around the edits, with `...` where it was cut (two thousand
/// fixes on a 140 KB line of JSON printed 360 MB).
const SUGGESTION_LINE: usize = 256;
const SUGGESTION_CONTEXT: usize = 64;

pub fn render(report: &Report, color: bool, summary: bool, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, color, summary, LONG_LINE, out)
}

/// [`render`], cutting one-line snippets longer than `long_line`.
fn render_with(
    report: &Report,
    color: bool,
    summary: bool,
    long_line: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
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
            .map(|d| render_one(report, d, &renderer, long_line))
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

/// A window of whole lines around `spans` in `file`: (first byte, end byte, first line
/// 0-based, whether it is one line).
fn window(file: &SourceFile, spans: &[Span]) -> (usize, usize, usize, bool) {
    let lines = &file.lines;
    let (lo, hi) = extent(spans);
    let first = lines.line_of(lo);
    // A span ending right after a newline ends on the previous line.
    let last = lines.line_of(hi.saturating_sub(usize::from(hi > lo)));
    let start = lines.line_start(first);
    let end = lines.line_range(&file.text, last).end;
    (start, end.max(start), first, first == last)
}

/// The first start and the last end of `spans`.
fn extent(spans: &[Span]) -> (usize, usize) {
    let lo = spans.iter().map(|s| s.start as usize).min().unwrap_or(0);
    let hi = spans.iter().map(|s| s.end as usize).max().unwrap_or(0);
    (lo, hi)
}

/// The part of the one-line window `start..end` to hand the renderer: `context` bytes
/// around the spans once the line is longer than `long_line`, from a character that is not
/// blank (a blank run would count as indentation, which the renderer trims on its own terms).
fn cut(
    text: &str,
    (start, end): (usize, usize),
    spans: &[Span],
    long_line: usize,
    context: usize,
) -> (usize, usize) {
    if end - start <= long_line {
        return (start, end);
    }
    let (lo, hi) = extent(spans);
    let mut from = start;
    if lo.saturating_sub(start) > context {
        from = text.ceil_char_boundary(lo - context);
        let blank = text.as_bytes()[from..lo]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'));
        from += blank.count();
    }
    let to = if end.saturating_sub(hi) > context {
        text.ceil_char_boundary(hi + context)
    } else {
        end
    };
    (from, to)
}

/// A column the renderer will print in a `-->`/`:::` line of a cut snippet, and the true one.
struct ColumnFix {
    line: usize,
    shown: u32,
    actual: u32,
}

/// Puts the true columns into the location lines of cut snippets, in order. The renderer
/// writes `path:line:column` in one piece at the end of the line.
fn fix_columns(mut text: String, fixes: &[ColumnFix]) -> String {
    // The title line is the message, which could end in anything.
    let mut at = text.find('\n').unwrap_or(text.len());
    for f in fixes {
        let shown = format!(":{}:{}", f.line, f.shown);
        let found = text[at..]
            .match_indices(&shown)
            .map(|(i, _)| at + i + shown.len())
            .find(|&e| matches!(text.as_bytes().get(e), None | Some(b'\n' | b'\x1b')));
        if let Some(e) = found {
            let col = e - f.shown.to_string().len();
            text.replace_range(col..e, &f.actual.to_string());
            at = col;
        }
    }
    text
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// A snippet of `file` around the spans; a cut one adds its column to `fixes`.
fn snippet<'a>(
    file: &'a SourceFile,
    primary: Option<(Span, &'a str)>,
    context: &[(Span, &'a str)],
    long_line: usize,
    fixes: &mut Vec<ColumnFix>,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let mut spans: Vec<Span> = context.iter().map(|(s, _)| *s).collect();
    spans.extend(primary.map(|(s, _)| s));
    let (mut start, mut end, first_line, one_line) = window(file, &spans);
    if one_line {
        let (from, to) = cut(&file.text, (start, end), &spans, long_line, CUT_CONTEXT);
        if from > start {
            // The renderer's column: of the primary span, else of the first label, clamped
            // into the cut as the annotations are (an empty span at the end of the text
            // sits on the next line, after the window).
            let at = primary
                .or(context.first().copied())
                .map_or(from, |(s, _)| (s.start as usize).clamp(from, to));
            let actual = file.position(at).column;
            fixes.push(ColumnFix {
                line: first_line + 1,
                shown: (actual + 1).saturating_sub(file.position(from).column),
                actual,
            });
        }
        (start, end) = (from, to);
    }
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

fn render_one(report: &Report, d: &Diagnostic, renderer: &Renderer, long_line: usize) -> String {
    let file = &report.files[d.file];
    let mut fixes = Vec::new();
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
            long_line,
            &mut fixes,
        ));
        for l in far {
            let context = [(l.span, l.message.as_str())];
            title = title.element(snippet(file, None, &context, long_line, &mut fixes));
        }
    }
    for l in d.labels.iter().filter(|l| l.file != d.file) {
        let lf = &report.files[l.file];
        if !lf.text.is_empty() {
            let context = [(l.span, l.message.as_str())];
            title = title.element(snippet(lf, None, &context, long_line, &mut fixes));
        }
    }
    if let Some(h) = &d.help {
        title = title.element(Level::HELP.message(h.as_str()));
    }
    let mut groups: Vec<Group<'_>> = vec![title];
    if let Some(fix) = &d.fix {
        if !file.text.is_empty() && !fix.edits.is_empty() {
            let spans: Vec<Span> = fix.edits.iter().map(|e| e.span).collect();
            let (mut start, mut end, first_line, one_line) = window(file, &spans);
            let mut source = std::borrow::Cow::Borrowed(&file.text[start..end]);
            // Where the shown text starts: after the `...` of a cut.
            let mut shift = 0;
            if one_line {
                let (from, to) = cut(
                    &file.text,
                    (start, end),
                    &spans,
                    SUGGESTION_LINE,
                    SUGGESTION_CONTEXT,
                );
                if (from, to) != (start, end) {
                    let dots = |cut: bool| if cut { "..." } else { "" };
                    shift = dots(from > start).len();
                    let text = &file.text[from..to];
                    source = format!("{}{text}{}", dots(from > start), dots(to < end)).into();
                    (start, end) = (from, to);
                }
            }
            let mut sn = Snippet::source(source)
                .line_start(first_line + 1)
                .path(file.path.as_str());
            for e in &fix.edits {
                let a = (e.span.start as usize).clamp(start, end) - start + shift;
                let b = (e.span.end as usize).clamp(start, end) - start + shift;
                sn = sn.patch(Patch::new(a..b.max(a), e.new_text.as_str()));
            }
            groups.push(
                Level::HELP
                    .secondary_title(fix.description.as_str())
                    .element(sn),
            );
        }
    }
    let text = renderer.render(&groups);
    if fixes.is_empty() {
        text
    } else {
        fix_columns(text, &fixes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_text, Options};

    /// A minified ConfigMap: one line of `n` entries, every tenth key invalid, with a few
    /// multi-byte characters early on so that bytes and columns differ.
    fn minified(n: usize) -> String {
        let data: Vec<String> = (0..n)
            .map(|i| {
                let key = if i % 10 == 7 {
                    format!("bad key {i}")
                } else {
                    format!("k{i}")
                };
                format!("\"{key}\":\"välue-{i}-ü\"")
            })
            .collect();
        format!(
            r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"m"}},"data":{{{}}}}}"#,
            data.join(",")
        )
    }

    fn rendered(report: &Report, color: bool, long_line: usize) -> String {
        let mut out = Vec::new();
        render_with(report, color, true, long_line, &mut out).expect("render to memory");
        String::from_utf8(out).expect("UTF-8 output")
    }

    #[test]
    fn a_cut_long_line_renders_as_the_whole_line_does() {
        let text = minified(600);
        assert!(
            text.len() > 8 * CUT_CONTEXT,
            "the line must be long enough to cut"
        );
        let report = check_text("cm.json", &text, &Options::default());
        assert!(
            report.diagnostics.len() >= 50,
            "{} findings",
            report.diagnostics.len()
        );
        for color in [false, true] {
            let whole = rendered(&report, color, usize::MAX);
            let cut = rendered(&report, color, LONG_LINE);
            assert_eq!(cut, whole);
        }
        // The columns really were fixed up: the last finding is far along the line.
        let last = report.diagnostics.last().expect("findings");
        let col = report.files[0].position(last.span.start as usize).column;
        assert!(col as usize > 4 * CUT_CONTEXT);
        assert!(rendered(&report, false, LONG_LINE).contains(&format!("cm.json:1:{col}\n")));
    }

    #[test]
    fn cuts_at_characters_and_after_blanks() {
        let text = format!(
            "{}{}X{}",
            "é".repeat(2000),
            " ".repeat(10),
            "ü".repeat(2000)
        );
        // The window cut around the one `X` of a one-line text.
        let around_x = |text: &str| {
            let x = text.find('X').expect("X");
            let window = (0, text.len());
            (
                x,
                cut(text, window, &[Span::new(x, x + 1)], LONG_LINE, CUT_CONTEXT),
            )
        };
        let (x, (from, to)) = around_x(&text);
        assert!(text.is_char_boundary(from) && text.is_char_boundary(to));
        assert!(x - from <= CUT_CONTEXT && to - x <= CUT_CONTEXT + 2);
        // The cut may land in the blanks; they are skipped.
        let spaced = format!("{}{}X", "a".repeat(5000), " ".repeat(CUT_CONTEXT + 10));
        let (x, (from, _)) = around_x(&spaced);
        assert_eq!(from, x);
        // A line under the limit is whole.
        assert_eq!(
            cut("abc", (0, 3), &[Span::new(1, 2)], LONG_LINE, CUT_CONTEXT),
            (0, 3)
        );
    }

    #[test]
    fn a_fix_on_a_long_line_shows_the_edit_and_its_neighbourhood() {
        let mounts: Vec<String> = (0..100)
            .map(|i| format!(r#"{{"name":"v{i}","mountPath":"data/{i}"}}"#))
            .collect();
        let volumes: Vec<String> = (0..100)
            .map(|i| format!(r#"{{"name":"v{i}","emptyDir":{{}}}}"#))
            .collect();
        let text = format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p"}},"spec":{{"containers":[{{"name":"c","image":"nginx:1.27","volumeMounts":[{}]}}],"volumes":[{}]}}}}"#,
            mounts.join(","),
            volumes.join(",")
        );
        let report = check_text("pod.json", &text, &Options::default());
        let out = rendered(&report, false, LONG_LINE);
        let fixed: Vec<&str> = out
            .lines()
            .filter(|l| l.contains(r#""mountPath":"/data/"#))
            .collect();
        assert_eq!(fixed.len(), 100, "{out}");
        for line in &fixed {
            assert!(line.len() < 2 * SUGGESTION_CONTEXT + 40, "{line}");
        }
        assert!(fixed[50].starts_with(r#"1 | ..."#) && fixed[50].ends_with("..."));
        assert!(fixed[50].contains(r#"{"name":"v50","mountPath":"/data/50"}"#));
    }

    #[test]
    fn column_fixes_skip_the_title_and_go_in_order() {
        let text = "error[r]: ends like 1:5\n --> f:1:5\n  ::: f:1:7\x1b[0m\n".to_string();
        let fixes = [
            ColumnFix {
                line: 1,
                shown: 5,
                actual: 4005,
            },
            ColumnFix {
                line: 1,
                shown: 7,
                actual: 9007,
            },
        ];
        assert_eq!(
            fix_columns(text, &fixes),
            "error[r]: ends like 1:5\n --> f:1:4005\n  ::: f:1:9007\x1b[0m\n"
        );
    }
}
