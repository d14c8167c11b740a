//! `--fix` and `--diff`: applying the fixes diagnostics carry.
//!
//! Edits are byte-range replacements on the original text, applied bottom-up, so everything
//! outside them (comments, quoting, indentation, line endings) stays byte for byte. A fix
//! that overlaps one already taken waits for the next round; rounds repeat (re-checking the
//! fixed text) until nothing is left to apply, so a second `--fix` changes nothing.

mod safety;
mod write;

pub use safety::is_safe;
pub use write::write_atomic;

use crate::diagnostics::{Diagnostic, Edit};
use crate::source::SourceFile;
use crate::{Options, Report};

/// At most this many check-and-fix rounds (each round re-checks the fixed text).
const MAX_ROUNDS: usize = 10;

/// The outcome: the final report (of the fixed text) and every file the fixes changed.
pub struct Fixed {
    pub report: Report,
    /// (file id, original text, fixed text), for changed files only.
    pub changed: Vec<(usize, String, String)>,
    /// Fixes applied, over all rounds.
    pub applied: usize,
}

/// Whether `d`'s fix would be applied with this safety setting.
pub fn applies(d: &Diagnostic, text: &str, unsafe_fixes: bool) -> bool {
    d.fix.as_ref().is_some_and(|f| !f.edits.is_empty()) && (unsafe_fixes || is_safe(d, text))
}

/// The edits of one round for one file, from the fixes of `diagnostics` (all on that file,
/// whose text is `text`) that apply: whole fixes only, none touching another; and how many
/// fixes they make up. `--fix` applies them, and so does the language server's fix-all.
pub fn round_edits<'a>(
    diagnostics: impl Iterator<Item = &'a Diagnostic>,
    text: &str,
    unsafe_fixes: bool,
) -> (Vec<&'a Edit>, usize) {
    let mut fixes: Vec<&Vec<Edit>> = diagnostics
        .filter(|d| applies(d, text, unsafe_fixes))
        .filter_map(|d| d.fix.as_ref().map(|f| &f.edits))
        .collect();
    fixes.sort_by_key(|edits| edits.iter().map(|e| e.span.start).min());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut n = 0;
    for edits in fixes {
        let valid = edits.iter().all(|e| {
            (e.span.end as usize) <= text.len()
                && text.is_char_boundary(e.span.start as usize)
                && text.is_char_boundary(e.span.end as usize)
        });
        // Two insertions at one point, or an edit touching another (of this fix or one
        // taken), wait for the next round.
        let clash = |a: &Edit, b: &Edit| {
            a.span.start < b.span.end.max(b.span.start + 1)
                && b.span.start < a.span.end.max(a.span.start + 1)
        };
        let overlaps = edits.iter().enumerate().any(|(i, e)| {
            taken.iter().any(|t| clash(e, t)) || edits[..i].iter().any(|o| clash(e, o))
        });
        if valid && !overlaps {
            taken.extend(edits.iter());
            n += 1;
        }
    }
    (taken, n)
}

/// `text` with `edits` (non-overlapping) applied, last first.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.span.range(), &e.new_text);
    }
    out
}

/// Applies fixes to the input files of `report` in memory, re-checking after each round.
pub fn fix(mut report: Report, opts: &Options, unsafe_fixes: bool) -> Fixed {
    let originals: Vec<String> = report.files.iter().map(|f| f.text.clone()).collect();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let inputs = report.inputs.min(report.files.len());
        let mut round = 0;
        let mut files = Vec::with_capacity(report.files.len());
        for (i, f) in report.files.iter().enumerate() {
            let mut text = f.text.clone();
            if i < inputs && !f.text.is_empty() {
                let on_file = report.diagnostics.iter().filter(|d| d.file == f.id);
                let (edits, n) = round_edits(on_file, &f.text, unsafe_fixes);
                if n > 0 {
                    round += n;
                    text = apply_edits(&f.text, &edits);
                }
            }
            files.push(SourceFile::new(f.id, f.path.clone(), text));
        }
        if round == 0 {
            break;
        }
        applied += round;
        // What reading found (unreadable files, empty directories) is not found again.
        let read: Vec<Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.rule,
                    crate::source::RULE_UNREADABLE | crate::source::RULE_NO_MANIFESTS
                )
            })
            .cloned()
            .collect();
        let layout = std::mem::take(&mut report.layout);
        report = crate::check::recheck(files, inputs, read, opts, layout);
    }
    let changed = report
        .files
        .iter()
        .zip(originals)
        .filter(|(f, orig)| f.text != *orig)
        .map(|(f, orig)| (f.id, orig, f.text.clone()))
        .collect();
    Fixed {
        report,
        changed,
        applied,
    }
}

/// A unified diff of one file, `a/PATH` -> `b/PATH`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
