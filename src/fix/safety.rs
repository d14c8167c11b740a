//! Which fixes `--fix` applies on its own (safe) and which need `--unsafe-fixes`.
//!
//! A fix is safe when it cannot change what the author meant: quoting a YAML 1.1 value or key
//! that must stay text, a case-only correction of a field or enum value, and a field rename
//! one typo away. Everything else (a different enum value, a number made up for a threshold,
//! a line removed) is a guess and is unsafe. The table is kept here, not in the rules, so
//! the policy is in one place.

use crate::diagnostics::{Diagnostic, Fix};

/// `eq` ignoring ASCII case, `-` and `_` (how kubevet matches field names).
fn same_name(a: &str, b: &str) -> bool {
    let n = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '-' | '_'))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    n(a) == n(b)
}

/// `quoted` is `bare` in double or single quotes, with nothing escaped.
fn quoted(bare: &str, quoted: &str) -> bool {
    quoted.len() == bare.len() + 2
        && ((quoted.starts_with('"') && quoted.ends_with('"'))
            || (quoted.starts_with('\'') && quoted.ends_with('\'')))
        && quoted[1..quoted.len() - 1] == *bare
}

fn single_edit<'a>(fix: &'a Fix, text: &'a str) -> Option<(&'a str, &'a str)> {
    match fix.edits.as_slice() {
        [e] => Some((text.get(e.span.range())?, e.new_text.as_str())),
        _ => None,
    }
}

/// Whether `--fix` may apply `d`'s fix without `--unsafe-fixes`. `text` is the file's text.
pub fn is_safe(d: &Diagnostic, text: &str) -> bool {
    let Some(fix) = &d.fix else { return false };
    let edit = single_edit(fix, text);
    match d.rule {
        // Quoting: the value or key stays the text the author wrote. Unquoting a number or a
        // boolean where only a number or a boolean is accepted: the one reading the server
        // would take.
        "invalid-type" => edit.is_some_and(|(old, new)| quoted(old, new) || quoted(new, old)),
        "yaml11-boolean-key" => edit.is_some_and(|(old, new)| quoted(old, new)),
        // A misspelt field: case or separator only, or one typo away from the only match.
        "unknown-field" => edit.is_some_and(|(old, new)| {
            same_name(old, new) || strsim::damerau_levenshtein(old, new) <= 1
        }),
        // An enum value in the wrong case: the same word.
        "invalid-enum-value" | "unsupported-value" | "hostpath-type-invalid" => {
            edit.is_some_and(|(old, new)| old.eq_ignore_ascii_case(new))
        }
        // The deprecated alias renamed, where the new field is not set: the same value in
        // the field the API server copies it to.
        "deprecated-service-account-field" => {
            edit.is_some_and(|(old, new)| old == "serviceAccount" && new == "serviceAccountName")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Edit, Severity};
    use crate::yaml::Span;

    fn diag(rule: &'static str, span: Span, new: &str) -> Diagnostic {
        Diagnostic::new(rule, Severity::Error, 0, span, "m").with_fix(
            "f",
            vec![Edit {
                span,
                new_text: new.into(),
            }],
        )
    }

    #[test]
    fn unquoting_is_safe_and_other_rewrites_are_not() {
        let text = "port: \"80\" on: 'true' command: sleep";
        assert!(is_safe(&diag("invalid-type", Span::new(6, 10), "80"), text));
        assert!(is_safe(
            &diag("invalid-type", Span::new(15, 21), "true"),
            text
        ));
        assert!(!is_safe(&diag("invalid-type", Span::new(6, 10), "8"), text));
        assert!(!is_safe(
            &diag("invalid-type", Span::new(31, 36), "[\"sleep\"]"),
            text
        ));
    }

    #[test]
    fn classifies() {
        let text = "emptryDir always on containerport";
        assert!(is_safe(
            &diag("unknown-field", Span::new(0, 9), "emptyDir"),
            text
        ));
        assert!(is_safe(
            &diag("unknown-field", Span::new(20, 33), "containerPort"),
            text
        ));
        assert!(!is_safe(
            &diag("unknown-field", Span::new(0, 9), "hostPath"),
            text
        ));
        assert!(is_safe(
            &diag("unsupported-value", Span::new(10, 16), "Always"),
            text
        ));
        assert!(!is_safe(
            &diag("unsupported-value", Span::new(10, 16), "Never"),
            text
        ));
        assert!(is_safe(
            &diag("invalid-type", Span::new(17, 19), "\"on\""),
            text
        ));
        assert!(!is_safe(
            &diag("invalid-type", Span::new(17, 19), "true"),
            text
        ));
        assert!(!is_safe(
            &diag("probe-success-threshold", Span::new(17, 19), "1"),
            text
        ));
    }
}
