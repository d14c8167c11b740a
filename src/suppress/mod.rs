//! Suppressions: `# kubevet-ignore: rule[, rule] -- reason` comments (the line they end or
//! the next line with content), `# kubevet-ignore-file: rule` (the whole file when it stands
//! before the first document's content, else its document) and the object annotation
//! `kubevet.dev/ignore: "rule-a,rule-b"`. A suppression that suppresses nothing is itself
//! reported (`unused-suppression`, info), so stale ones do not pile up.

mod directive;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Severity};
use crate::rules;
use crate::source::SourceFile;
use crate::yaml::{ParsedFile, Span};

pub const RULE_UNUSED: &str = "unused-suppression";
/// The annotation that suppresses rules for one object.
pub const ANNOTATION: &str = "kubevet.dev/ignore";

#[derive(Debug)]
enum Scope {
    Line(usize),
    Document(usize),
    File,
    Object(Span),
}

#[derive(Debug)]
struct Suppression {
    file: usize,
    scope: Scope,
    /// Rule ids with where they are written, and whether they suppressed something.
    rules: Vec<(String, Span, bool)>,
    /// Where a suppression naming no rule is reported.
    span: Span,
    form: &'static str,
}

/// Removes suppressed diagnostics from `diags` and adds `unused-suppression` findings.
/// `files[i]`, `parsed[i]` and `checked[i]` are the same input file; `checked[i]` is false
/// for a file the run skipped. `enabled(file, rule)` says whether a rule reports in a file
/// (configuration files can switch rules off per file).
pub fn apply(
    files: &[SourceFile],
    parsed: &[ParsedFile],
    checked: &[bool],
    diags: &mut Vec<Diagnostic>,
    enabled: &dyn Fn(&SourceFile, &str) -> bool,
) {
    // Every checked file's text is searched for directives: in parallel, the run's cores are
    // free. A file kubevet skipped (a Helm template, a CI workflow) keeps its directives for
    // the run that checks it (`helm template . | kubevet check -`): here they suppress
    // nothing, and calling them unused would be noise.
    let sups: Vec<Vec<Suppression>> = files
        .par_iter()
        .zip(parsed)
        .zip(checked)
        .map(|((file, p), &checked)| {
            let mut sups = Vec::new();
            if checked {
                collect(file, p, &mut sups);
            }
            sups
        })
        .collect();
    let mut sups: Vec<Suppression> = sups.into_iter().flatten().collect();
    if sups.is_empty() {
        return;
    }
    diags.retain(|d| !suppressed(d, files, parsed, &mut sups));
    for s in &sups {
        let Some(file) = files
            .get(s.file)
            .filter(|f| f.id == s.file)
            .or_else(|| files.iter().find(|f| f.id == s.file))
        else {
            continue;
        };
        if enabled(file, RULE_UNUSED) {
            report_unused(s, &|rule| enabled(file, rule), diags);
        }
    }
}

fn collect(file: &SourceFile, p: &ParsedFile, out: &mut Vec<Suppression>) {
    let lines = &file.lines;
    for d in directive::find(&file.text, &p.documents) {
        let scope = match d.kind {
            directive::Kind::Line if d.own_line => match next_content_line(file, d.at) {
                Some(l) => Scope::Line(l),
                None => Scope::Line(lines.line_of(d.at)),
            },
            directive::Kind::Line => Scope::Line(lines.line_of(d.at)),
            directive::Kind::File => {
                let first = p.documents.first().map(|x| x.root.span.start as usize);
                if first.is_none_or(|s| d.at < s) {
                    Scope::File
                } else {
                    // The document it stands in, or before (after the previous one's end).
                    let doc = p
                        .documents
                        .iter()
                        .find(|x| d.at < x.root.span.end as usize)
                        .or(p.documents.last());
                    doc.map_or(Scope::File, |x| Scope::Document(x.index))
                }
            }
        };
        out.push(Suppression {
            file: file.id,
            scope,
            rules: d.rules.into_iter().map(|(r, s)| (r, s, false)).collect(),
            span: d.span,
            form: match d.kind {
                directive::Kind::Line => "`# kubevet-ignore`",
                directive::Kind::File => "`# kubevet-ignore-file`",
            },
        });
    }
    for doc in &p.documents {
        let Some(node) = doc.root.get_path(&["metadata", "annotations", ANNOTATION]) else {
            continue;
        };
        let Some(value) = node.as_str() else { continue };
        let raw = &file.text[node.span.range()];
        let mut rules = Vec::new();
        for id in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let span = raw.find(id).map_or(node.span, |o| {
                let s = node.span.start as usize + o;
                Span::new(s, s + id.len())
            });
            rules.push((id.to_string(), span, false));
        }
        out.push(Suppression {
            file: file.id,
            scope: Scope::Object(doc.root.span),
            rules,
            span: node.span,
            form: "the annotation `kubevet.dev/ignore`",
        });
    }
}

/// The first line after the one holding `at` that has content other than a comment.
fn next_content_line(file: &SourceFile, at: usize) -> Option<usize> {
    let l0 = file.lines.line_of(at);
    let rest = file.text.get(file.lines.line_start(l0 + 1)..)?;
    rest.split_inclusive('\n')
        .position(|line| {
            let t = line.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map(|k| l0 + 1 + k)
}

fn suppressed(
    d: &Diagnostic,
    files: &[SourceFile],
    parsed: &[ParsedFile],
    sups: &mut [Suppression],
) -> bool {
    let Some(file) = files
        .get(d.file)
        .filter(|f| f.id == d.file)
        .or_else(|| files.iter().find(|f| f.id == d.file))
    else {
        return false;
    };
    let line = file.lines.line_of(d.span.start as usize);
    let doc = d.document.or_else(|| {
        let p = parsed.get(files.iter().position(|f| f.id == d.file)?)?;
        p.documents
            .iter()
            .find(|x| x.root.span.contains(d.span))
            .map(|x| x.index)
    });
    let mut hit = false;
    for s in sups.iter_mut().filter(|s| s.file == d.file) {
        let in_scope = match s.scope {
            Scope::Line(l) => l == line,
            Scope::Document(k) => doc == Some(k),
            Scope::File => true,
            Scope::Object(span) => span.contains(d.span),
        };
        if !in_scope {
            continue;
        }
        for (id, _, used) in &mut s.rules {
            if id == d.rule {
                *used = true;
                hit = true;
            }
        }
    }
    hit
}

fn report_unused(s: &Suppression, enabled: &dyn Fn(&str) -> bool, out: &mut Vec<Diagnostic>) {
    if s.rules.is_empty() {
        out.push(
            Diagnostic::new(
                RULE_UNUSED,
                Severity::Info,
                s.file,
                s.span,
                format!("{} names no rule, so it suppresses nothing", s.form),
            )
            .with_help("list the rule ids to suppress: `# kubevet-ignore: rule-id -- reason`"),
        );
        return;
    }
    for (id, span, used) in &s.rules {
        if *used {
            continue;
        }
        let d = if rules::find(id).is_none() {
            let best = rules::ALL
                .iter()
                .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(score, _)| *score > 0.8);
            let help = match best {
                Some((_, r)) => format!("did you mean `{r}`? (`kubevet rules` lists every rule)"),
                None => "`kubevet rules` lists every rule".to_string(),
            };
            Diagnostic::new(
                RULE_UNUSED,
                Severity::Info,
                s.file,
                *span,
                format!("{} names `{id}`, which is not a kubevet rule", s.form),
            )
            .with_help(help)
        } else if !enabled(id) {
            // The rule did not run (`--select`, `--ignore`, config): the suppression may be
            // needed by a full run, so it is not called unused.
            continue;
        } else {
            Diagnostic::new(
                RULE_UNUSED,
                Severity::Info,
                s.file,
                *span,
                format!("{} suppresses `{id}`, but `{id}` reports nothing here", s.form),
            )
            .with_primary_label("unused")
            .with_help("remove it (the problem it silenced is gone), or move it to the line of the finding")
        };
        out.push(d);
    }
}
