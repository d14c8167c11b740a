//! Every rule has a page in `rules/<id>.md` with the standard sections, and the page's
//! examples behave as documented: the bad one triggers the rule, the good one does not
//! (and raises no error at all). The docs cannot drift from the code.

use std::path::Path;

use kubevet::diagnostics::Severity;
use kubevet::{check_text, rules, Options};

/// Every fenced block of the section under `heading`, with its info string.
fn examples<'a>(page: &'a str, heading: &str) -> Vec<(&'a str, &'a str)> {
    let Some(start) = page.find(heading) else {
        return Vec::new();
    };
    let mut section = &page[start + heading.len()..];
    if let Some(end) = section.find("\n## ") {
        section = &section[..end];
    }
    let mut out = Vec::new();
    while let Some((lang, body)) = example(section, "") {
        out.push((lang, body));
        let consumed = section
            .find(body)
            .map_or(section.len(), |i| i + body.len() + 4);
        section = &section[consumed.min(section.len())..];
    }
    out
}

/// Runs an example: one YAML text, or, when it has `# file: <path>` lines, the files they
/// separate, written to a directory that kubevet walks as a user would.
fn run_example(name: &str, text: &str) -> kubevet::Report {
    if !text.starts_with("# file: ") {
        return check_text(name, text, &Options::default());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut current: Option<(String, String)> = None;
    let mut files = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("# file: ") {
            files.extend(current.take());
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    files.extend(current);
    for (path, body) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write example file");
    }
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        ..Options::default()
    };
    kubevet::check(&opts).expect("example directory")
}

/// The first fenced block after `heading`, with its info string.
fn example<'a>(page: &'a str, heading: &str) -> Option<(&'a str, &'a str)> {
    let after = &page[page.find(heading)? + heading.len()..];
    let fence = after.find("```")?;
    let rest = &after[fence + 3..];
    let nl = rest.find('\n')?;
    let lang = rest[..nl].trim();
    let body = &rest[nl + 1..];
    let end = body.find("\n```")?;
    Some((lang, &body[..end + 1]))
}

#[test]
fn every_rule_has_a_page_with_the_standard_sections() {
    for rule in rules::ALL {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(format!("{}.md", rule.id));
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            on_disk, rule.doc,
            "{}: embedded doc differs from the page",
            rule.id
        );
        assert!(
            rule.doc.starts_with(&format!("# {}\n", rule.id)),
            "{}: page must start with `# {}`",
            rule.id,
            rule.id
        );
        let meta = format!("**Severity:** {}", rule.severity.as_str());
        assert!(
            rule.doc.contains(&meta),
            "{}: page must say `{meta}`",
            rule.id
        );
        for section in ["## What it checks", "## Why", "## Bad", "## Good"] {
            assert!(
                rule.doc.contains(section),
                "{}: missing `{section}`",
                rule.id
            );
        }
    }
}

#[test]
fn every_page_belongs_to_a_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).expect("rules/ exists") {
        let name = entry
            .expect("dir entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(id) = name.strip_suffix(".md") {
            assert!(
                rules::find(id).is_some(),
                "rules/{name} documents no registered rule"
            );
        }
    }
}

#[test]
fn page_examples_behave_as_documented() {
    let mut opts = Options::default();
    // Opt-in rules' pages show them switched on.
    opts.config.hardening = true;
    let mut checked = 0;
    for rule in rules::ALL {
        let bad = example(rule.doc, "## Bad");
        if let Some(("yaml", bad)) = bad {
            let report = check_text("bad.yaml", bad, &opts);
            assert!(
                report.diagnostics.iter().any(|d| d.rule == rule.id),
                "{}: the Bad example does not trigger the rule; got {:?}",
                rule.id,
                report
                    .diagnostics
                    .iter()
                    .map(|d| (d.rule, &d.message))
                    .collect::<Vec<_>>()
            );
            checked += 1;
        }
        for (lang, good) in examples(rule.doc, "## Good") {
            if lang != "yaml" {
                continue;
            }
            let report = run_example("good.yaml", good);
            let wrong: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.rule == rule.id || d.severity == Severity::Error)
                .map(|d| (d.rule, &d.message))
                .collect();
            assert!(
                wrong.is_empty(),
                "{}: the Good example reports {wrong:?}",
                rule.id
            );
        }
    }
    assert!(checked > 0);
}
