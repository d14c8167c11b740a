//! The YAML loader on arbitrary text: it must never panic, and must end quickly.
#![no_main]

use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Non-UTF-8 input never reaches the loader (the reader reports it), so only text is
    // interesting here; lossy conversion keeps the fuzzer's mutations useful.
    let text = String::from_utf8_lossy(data).into_owned();
    let file = SourceFile::new(0, "fuzz.yaml".into(), text);
    let parsed = parse_file(&file, &Limits::default());
    for d in &parsed.diagnostics {
        // Every span must resolve inside the file.
        let _ = file.position(d.span.start as usize);
        let _ = file.position(d.span.end as usize);
    }
});
