//! Fingerprints that identify a finding across runs (SARIF `partialFingerprints`, GitLab
//! Code Quality `fingerprint`), so dashboards keep one alert per problem while lines move.
//!
//! A fingerprint hashes what the finding is about, never where it is: the rule, the file,
//! the object, the field path, the message and the trimmed text of the primary line.
//! Identical findings get an occurrence number so they stay distinct.

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::Report;

/// FNV-1a, 64 bits: tiny, and stable across Rust releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn base(report: &Report, d: &Diagnostic) -> String {
    let file = &report.files[d.file];
    let line_text = if file.text.is_empty() {
        ""
    } else {
        let line = file.lines.line_of(d.span.start as usize);
        file.text[file.lines.line_range(&file.text, line)].trim()
    };
    let obj = d.object.as_ref();
    fn field(f: Option<&Option<String>>) -> &str {
        f.and_then(|s| s.as_deref()).unwrap_or("")
    }
    let parts = [
        d.rule,
        file.path.as_str(),
        field(obj.map(|o| &o.kind)),
        field(obj.map(|o| &o.namespace)),
        field(obj.map(|o| &o.name)),
        d.path.as_deref().unwrap_or(""),
        d.message.as_str(),
        line_text,
    ];
    format!("{:016x}", fnv1a(&parts))
}

/// One fingerprint per diagnostic of the report, in report order: 32 hex digits (the
/// content hash, then the occurrence of that hash).
pub fn fingerprints(report: &Report) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let b = base(report, d);
            let n = seen.entry(b.clone()).or_insert(0);
            *n += 1;
            format!("{b}{:016x}", fnv1a(&[&b, &n.to_string()]))
        })
        .collect()
}
