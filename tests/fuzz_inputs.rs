//! Smoke test over the fuzzing inputs kept in the repository: `fuzz/regressions/` (every
//! input that ever crashed or was slow) and `fuzz/seeds/` (a small seed corpus). Each runs
//! through the loader and the whole check, including rendering, as the fuzz targets do;
//! none may panic, and none may take long.

use std::path::Path;
use std::time::{Duration, Instant};

use kubevet::diagnostics::render::{render, Format};
use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits};
use kubevet::{check_text, Options};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["regressions", "seeds"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_file() && p.file_name().is_some_and(|n| n != "README.md") {
                let bytes = std::fs::read(&p).expect("read fuzz input");
                out.push((format!("{dir}/{}", e.file_name().to_string_lossy()), bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fuzz_inputs_neither_panic_nor_hang() {
    let inputs = inputs();
    assert!(
        !inputs.is_empty(),
        "fuzz/regressions and fuzz/seeds are empty"
    );
    for (name, bytes) in inputs {
        let start = Instant::now();
        // As the fuzz targets do: invalid UTF-8 never reaches the loader (the reader
        // reports it), so the targets feed the text with replacement characters.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let file = SourceFile::new(0, name.clone(), text.clone());
        let parsed = parse_file(&file, &Limits::default());
        for d in &parsed.diagnostics {
            let _ = file.position(d.span.end as usize);
        }
        let report = check_text(&name, &text, &Options::default());
        let mut out = Vec::new();
        render(&report, Format::Human, false, &mut out).expect("render human");
        render(&report, Format::Json, false, &mut out).expect("render json");
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(20),
            "{name} took {took:?} (debug build)"
        );
    }
}
