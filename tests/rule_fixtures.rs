//! Snapshot tests: every fixture under `fixtures/` is checked and its concise and human
//! renderings are compared with the stored insta snapshot. A fixture named after a rule
//! (`fixtures/rules/<id>.yaml`) runs that rule alone, so adding a rule never changes another
//! rule's snapshot; the other fixtures run everything.

use std::path::Path;

use kubevet::diagnostics::render::{render, Format};
use kubevet::{check_text, rules, Options, Report};

fn rule_of(path: &Path) -> Option<&'static str> {
    let parent = path.parent()?.file_name()?;
    let stem = path.file_stem()?.to_str()?;
    (parent == "rules")
        .then(|| rules::find(stem).map(|r| r.id))
        .flatten()
}

fn run(path: &Path) -> (String, Report) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let mut opts = Options::default();
    if let Some(id) = rule_of(path) {
        opts.config.only.insert(id.to_string());
    }
    (rel.clone(), check_text(&rel, &text, &opts))
}

fn rendered(report: &Report) -> String {
    let mut out = Vec::new();
    render(report, Format::Concise, false, &mut out).expect("render");
    out.extend_from_slice(b"\n");
    render(report, Format::Human, false, &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn fixtures() {
    insta::glob!("../fixtures", "**/*.yaml", |path| {
        let (_, report) = run(path);
        if let Some(id) = rule_of(path) {
            assert!(
                report.diagnostics.iter().any(|d| d.rule == id),
                "{}: the fixture does not trigger its rule",
                path.display()
            );
        }
        insta::assert_snapshot!(rendered(&report));
    });
}

/// Every rule the engine runs has its fixture.
#[test]
fn every_engine_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    for rule in rules::ALL {
        if matches!(rule.check, rules::Check::Builtin) {
            continue;
        }
        assert!(
            dir.join(format!("{}.yaml", rule.id)).is_file(),
            "fixtures/rules/{}.yaml is missing",
            rule.id
        );
    }
}
