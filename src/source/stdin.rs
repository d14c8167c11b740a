//! Standard input's name in findings: `--stdin-filename`, and for `helm template` output the
//! template each document came from (its `# Source:` comment).

use super::SourceFile;
use crate::diagnostics::{Diagnostic, Severity};
use crate::yaml::Span;

/// The name stdin has when the user gave none.
pub const STDIN: &str = "-";

/// An error for standard input that holds nothing but white space, unless it was given a
/// file name (an editor sending an empty buffer): `helm template . | kubevet check -` after
/// a failed render would otherwise pass with nothing checked, where `kubectl apply -f -`
/// fails (`no objects passed to apply`). A named pipe with nothing written to it is
/// reported the same way.
pub fn empty_stdin(files: &[SourceFile], named: bool, diags: &[Diagnostic]) -> Option<Diagnostic> {
    if named {
        return None;
    }
    let f = files.iter().find(|f| f.path == STDIN)?;
    if !f.text.trim().is_empty() || diags.iter().any(|d| d.file == f.id) {
        return None;
    }
    let d = Diagnostic::new(
        super::RULE_UNREADABLE,
        Severity::Error,
        f.id,
        Span::empty(0),
        "standard input is empty; nothing was checked".to_string(),
    )
    .with_help("did the command before the pipe fail? `kubevet check -` reads the manifests piped into it (`helm template . | kubevet check -`); with `--stdin-filename` an empty input is an empty file");
    Some(d)
}

/// Renames standard input to `name` and splits `helm template` output into one file per
/// rendered template, named by its `# Source:` path, so a finding says
/// `chart/templates/deployment.yaml:7:5` with the line counted inside that document. File ids
/// are renumbered; `diags` (from reading) follow their file. Returns the files and the new
/// count of input files (the files after them come from `--crd`).
pub fn name_stdin(
    files: Vec<SourceFile>,
    n_inputs: usize,
    diags: &mut [Diagnostic],
    name: Option<&str>,
) -> (Vec<SourceFile>, usize, Vec<usize>) {
    if !files.iter().any(|f| f.path == STDIN) {
        let ids = (0..files.len()).collect();
        return (files, n_inputs, ids);
    }
    let mut out: Vec<SourceFile> = Vec::with_capacity(files.len());
    let mut new_id = Vec::with_capacity(files.len());
    let mut new_inputs = 0;
    for (i, f) in files.into_iter().enumerate() {
        new_id.push(out.len());
        let parts = if f.path == STDIN {
            let base = name.unwrap_or(STDIN);
            split_helm(&f.text)
                .into_iter()
                .map(|(n, t)| (n.unwrap_or(base).to_string(), t.to_string()))
                .collect()
        } else {
            vec![(f.path, f.text)]
        };
        for (path, text) in parts {
            if i < n_inputs {
                new_inputs += 1;
            }
            out.push(SourceFile::new(out.len(), path, text));
        }
    }
    for d in diags.iter_mut() {
        d.file = new_id.get(d.file).copied().unwrap_or(d.file);
        for l in &mut d.labels {
            l.file = new_id.get(l.file).copied().unwrap_or(l.file);
        }
    }
    (out, new_inputs, new_id)
}

/// Splits rendered Helm output at each `---` line that is followed by a `# Source: PATH`
/// line. Each part starts at its `# Source:` line; text before the first one (if any is
/// more than markers and blank lines) is a part of its own with no name. Input without a
/// `# Source:` comment is one unnamed part.
fn split_helm(text: &str) -> Vec<(Option<&str>, &str)> {
    // (byte offset of the `# Source:` line, the path)
    let mut starts: Vec<(usize, &str)> = Vec::new();
    // Where the `---` before each start begins: the previous part ends there.
    let mut ends: Vec<usize> = Vec::new();
    let mut prev_marker: Option<usize> = None;
    let mut at_start = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(path) = content.strip_prefix("# Source: ") {
            let path = path.trim();
            if (prev_marker.is_some() || at_start) && !path.is_empty() {
                ends.push(prev_marker.unwrap_or(offset));
                starts.push((offset, path));
            }
        }
        let is_marker = content == "---" || content.starts_with("--- ");
        prev_marker = is_marker.then_some(offset);
        at_start = at_start && content.trim().is_empty();
        offset += line.len();
    }
    if starts.is_empty() {
        return vec![(None, text)];
    }
    let mut parts = Vec::new();
    let head = &text[..ends[0]];
    if head
        .lines()
        .any(|l| !l.trim().is_empty() && l.trim() != "---")
    {
        parts.push((None, head));
    }
    for (k, (start, path)) in starts.iter().enumerate() {
        let end = ends.get(k + 1).copied().unwrap_or(text.len());
        parts.push((Some(*path), &text[*start..end]));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::split_helm;

    #[test]
    fn splits_helm_output_by_source() {
        let text = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n";
        let parts = split_helm(text);
        assert_eq!(
            parts,
            vec![
                (
                    Some("c/templates/a.yaml"),
                    "# Source: c/templates/a.yaml\nkind: A\n"
                ),
                (
                    Some("c/templates/b.yaml"),
                    "# Source: c/templates/b.yaml\nkind: B\n"
                ),
            ]
        );
    }

    #[test]
    fn plain_input_is_one_part() {
        assert_eq!(
            split_helm("a: 1\n---\nb: 2\n"),
            vec![(None, "a: 1\n---\nb: 2\n")]
        );
        // A `# Source:` comment that does not follow a document marker does not split.
        let t = "a: 1\n# Source: x\n";
        assert_eq!(split_helm(t), vec![(None, t)]);
    }
}
