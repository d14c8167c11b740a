//! Turns the parser's libyaml-style error text into a message a person understands.

use crate::source::LineIndex;

/// Returns (message, help) for a scan error at byte `at`.
pub fn explain_scan_error(
    info: &str,
    text: &str,
    lines: &LineIndex,
    at: usize,
) -> (String, Option<String>) {
    let line = lines.line_of(at);
    let range = lines.line_range(text, line);
    let line_text = &text[range.clone()];
    let indent: &str = &line_text[..line_text.len() - line_text.trim_start().len()];
    let info_l = info.to_ascii_lowercase();

    if indent.contains('\t') || info_l.contains("tab") {
        return (
            "tabs are not allowed for indentation in YAML".into(),
            Some("indent with spaces only".into()),
        );
    }
    if info_l.contains("mapping values are not allowed") {
        return (
            "unexpected `:` here: a value cannot contain `: ` unless it is quoted, and a new key cannot start in the middle of a value".into(),
            Some("quote the value (`key: \"a: b\"`), or put the key on its own line at the right indentation".into()),
        );
    }
    if info_l.contains("did not find expected key") || info_l.contains("did not find expected '-'")
    {
        return (
            "this line's indentation does not match the mapping or list it belongs to".into(),
            Some("YAML nests by indentation: align this line with the keys of its parent mapping, or with the `- ` of its list".into()),
        );
    }
    if info_l.contains("could not find expected ':'") {
        return (
            "expected `key: value` here, but found no `:`".into(),
            Some("add `: ` after the key, or quote the text if it is a value".into()),
        );
    }
    if info_l.contains("found unexpected end of stream") || info_l.contains("unclosed") {
        return (
            "the file ends inside a quoted string or a `[...]`/`{...}` collection".into(),
            Some("close the quote or bracket that was opened".into()),
        );
    }
    if info_l.contains("did not find expected ',' or ']'")
        || info_l.contains("did not find expected ',' or '}'")
    {
        return (
            "a `[...]` or `{...}` collection is not closed where expected".into(),
            Some(
                "separate items with `,` and close the collection with the matching bracket".into(),
            ),
        );
    }
    if info_l.contains("block sequence entries are not allowed") {
        return (
            "a list item `- ` cannot start here".into(),
            Some("put list items on their own lines, indented under their key".into()),
        );
    }
    if info_l.contains("found character that cannot start any token") {
        let c = text[at..].chars().next().unwrap_or(' ');
        return (
            format!(
                "the character `{}` cannot start a YAML value",
                c.escape_default()
            ),
            Some("quote the value".into()),
        );
    }
    if info_l.contains("invalid indentation in quoted scalar") {
        return (
            "this quoted string runs onto lines indented less than its key; is its closing quote missing?".into(),
            Some("close the quote on the same line, or indent the continuation lines further than the key".into()),
        );
    }
    if info_l.contains("illegal placement of ':'") {
        return (
            "unexpected `:` inside a `[...]` or `{...}` collection; is a closing bracket missing above?".into(),
            Some("close the collection with `]` or `}` before the next key, or quote a value that contains `:`".into()),
        );
    }
    if info_l.contains("unexpected character") {
        let c = text[at.min(text.len())..].chars().next().unwrap_or(' ');
        return (
            format!(
                "`{}` is reserved in YAML and cannot start an unquoted value",
                c.escape_default()
            ),
            Some("quote the value".into()),
        );
    }
    if info_l.contains("unknown anchor") {
        return (
            "this alias refers to an anchor that is not defined before it".into(),
            None,
        );
    }
    (format!("invalid YAML: {info}"), None)
}
