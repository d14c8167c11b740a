//! Snapshot tests: every fixture under `fixtures/` is checked and its concise and human
//! renderings are compared with the stored insta snapshot.

use kubevet::diagnostics::render::{render, Format};
use kubevet::{check_text, Options};

fn rendered(path: &std::path::Path) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let report = check_text(&rel, &text, &Options::default());
    let mut out = Vec::new();
    render(&report, Format::Concise, false, &mut out).expect("render");
    out.extend_from_slice(b"\n");
    render(&report, Format::Human, false, &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn fixtures() {
    insta::glob!("../fixtures", "**/*.yaml", |path| {
        insta::assert_snapshot!(rendered(path));
    });
}
