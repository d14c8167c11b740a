//! The whole check (loader, schema, rules, rendering) on arbitrary text.
#![no_main]

use kubevet::diagnostics::render::{render, Format};
use kubevet::{check_text, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let report = check_text("fuzz.yaml", &text, &Options::default());
    // Rendering resolves every span and label against the text: it must not panic either.
    let mut out = Vec::new();
    let _ = render(&report, Format::Human, false, &mut out);
    out.clear();
    let _ = render(&report, Format::Json, false, &mut out);
});
