//! JUnit XML, for CI systems that show test reports (GitLab `reports: junit`, Jenkins,
//! Azure Pipelines). Each checked file is a test case; each finding fails its file's case
//! once per finding, so every finding shows up.

use std::io::{self, Write};

use crate::Report;

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let failures = report.diagnostics.len();
    let clean_files = report
        .files
        .iter()
        .filter(|f| !report.diagnostics.iter().any(|d| d.file == f.id))
        .count();
    let tests = failures + clean_files;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="kubevet" tests="{tests}" failures="{failures}" errors="0">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="kubevet" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#
    )?;
    for f in &report.files {
        let path = xml_escape(&f.path);
        let mut any = false;
        for d in report.diagnostics.iter().filter(|d| d.file == f.id) {
            any = true;
            let (s, _) = super::positions(f, d.span);
            let mut body = format!("{}:{}:{}: {}", f.path, s.line, s.column, d.message);
            if let Some(h) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(h);
            }
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{}[{}] line {}" file="{path}" line="{}">"#,
                d.severity, d.rule, s.line, s.line
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                d.rule,
                xml_escape(&d.message),
                xml_escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        if !any {
            writeln!(
                out,
                r#"    <testcase classname="{path}" name="{path}" file="{path}"/>"#
            )?;
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            super::xml_escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }
}
