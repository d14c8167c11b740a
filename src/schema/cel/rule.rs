//! One `x-kubernetes-validations` entry, compiled.

use std::sync::{Arc, LazyLock};

use ::cel::Program;
use serde_json::Value as J;

use super::library;
use crate::schema::memo::TextMemo;

/// Longest rule kubevet compiles. The API server bounds rules by their estimated cost, not
/// their length; real rules stay far below this.
const MAX_RULE_LEN: usize = 4 * 1024;
/// Deepest bracket nesting kubevet hands to the parser and the evaluator, which recurse.
const MAX_NESTING: usize = 48;
/// Most operators (`+`, `&&`, `.`, ...) in a rule: a chain of them is a chain of nested
/// expressions, evaluated recursively (about 1000 overflow a 2 MB thread stack unoptimised).
const MAX_OPERATORS: usize = 400;

pub(super) struct Rule {
    /// The rule text, trimmed as the API server quotes it.
    pub text: String,
    /// The compiled rule, or why kubevet cannot evaluate it.
    pub program: Result<Arc<Program>, String>,
    pub message: Option<String>,
    /// `messageExpression`, compiled, with its comprehension depth and literal elements.
    pub message_expression: Option<(Arc<Program>, u32, u64)>,
    /// `fieldPath`, parsed: the property names it descends through.
    pub field_path: Option<Vec<String>>,
    /// References `oldSelf`: a transition rule, evaluated on updates only.
    pub transition: bool,
    /// `optionalOldSelf: true`: evaluated on create too, with `oldSelf` an absent optional.
    pub optional_old_self: bool,
    /// How deeply comprehension macros nest in the rule: the exponent of its cost.
    pub comprehensions: u32,
    /// An upper bound of the elements of the list literals the rule builds.
    pub literals: u64,
}

impl Rule {
    /// `None` for an entry without a `rule` string (the CRD itself is invalid then).
    pub fn compile(entry: &J) -> Option<Rule> {
        let text = entry.get("rule")?.as_str()?.trim().to_string();
        if text.is_empty() {
            return None;
        }
        let compiled = compile_text(&text);
        let message = entry
            .get("message")
            .and_then(J::as_str)
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        let message_expression = entry
            .get("messageExpression")
            .and_then(J::as_str)
            .and_then(|m| {
                let c = compile_text(m.trim());
                Some((c.program.clone().ok()?, c.comprehensions, c.literals))
            });
        let field_path = entry
            .get("fieldPath")
            .and_then(J::as_str)
            .and_then(parse_field_path);
        let optional_old_self = entry.get("optionalOldSelf").and_then(J::as_bool) == Some(true);
        Some(Rule {
            text,
            program: compiled.program.clone(),
            message,
            message_expression,
            field_path,
            transition: compiled.old_self,
            optional_old_self,
            comprehensions: compiled.comprehensions,
            literals: compiled.literals,
        })
    }

    /// What the API server quotes in its messages: the message, else the rule.
    pub fn error_string(&self) -> &str {
        self.message.as_deref().unwrap_or(&self.text)
    }
}

/// Distinct rule texts kept compiled per process: enough for every rule of a large run,
/// bounded for a long-lived one (the fuzzer).
const MAX_CACHED: usize = 4096;

/// A rule text compiled, with what is known of it before it runs.
struct Compiled {
    program: Result<Arc<Program>, String>,
    /// It references `oldSelf` (a transition rule).
    old_self: bool,
    comprehensions: u32,
    literals: u64,
}

/// Compiles a rule, once per distinct text: the CEL parser takes about 150 µs a rule, and
/// CRDs repeat their rules (a definition's versions, its copies in several manifests, the
/// same validation on many fields, every resource checked against a cut of its CRD's
/// schema).
fn compile_text(text: &str) -> Arc<Compiled> {
    static COMPILED: LazyLock<TextMemo<Arc<Compiled>>> =
        LazyLock::new(|| TextMemo::new(MAX_CACHED));
    COMPILED.get(text, || {
        let program = compile_uncached(text).map(Arc::new);
        Arc::new(Compiled {
            old_self: program
                .as_ref()
                .is_ok_and(|p| p.references().has_variable("oldSelf")),
            program,
            comprehensions: comprehension_depth(text),
            literals: literal_elements(text),
        })
    })
}

fn compile_uncached(text: &str) -> Result<Program, String> {
    if text.len() > MAX_RULE_LEN {
        return Err(format!("the rule is longer than {MAX_RULE_LEN} bytes"));
    }
    if nesting(text) > MAX_NESTING || operators(text) > MAX_OPERATORS {
        return Err("the rule nests too deeply for kubevet".to_string());
    }
    library::env()
        .compile(text)
        .map_err(|e| format!("kubevet cannot parse it ({})", first_line(&e.to_string())))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The characters of a rule outside its string literals (quotes included).
fn outside_strings(text: &str) -> impl Iterator<Item = char> + '_ {
    let (mut quote, mut escaped) = (None, false);
    text.chars().filter(move |&c| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            return false;
        }
        true
    })
}

/// Bracket depth, outside string literals (a cheap bound on the parser's recursion).
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in outside_strings(text) {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // Long runs of unary operators (`!!!!x`) recurse once each.
    let unary = text
        .as_bytes()
        .windows(2)
        .filter(|w| matches!(w, [b'!' | b'-', b'!' | b'-']))
        .count();
    max.max(unary)
}

/// Operator characters outside string literals.
fn operators(text: &str) -> usize {
    outside_strings(text)
        .filter(|c| {
            matches!(
                c,
                '+' | '-' | '*' | '/' | '%' | '&' | '|' | '=' | '!' | '<' | '>' | '?' | '.'
            )
        })
        .count()
}

/// How deeply comprehension macros (`all`, `exists`, `map`, ...) nest in `text`: the
/// exponent of its evaluation cost in the size of the lists it ranges over.
pub(super) fn comprehension_depth(text: &str) -> u32 {
    const MACROS: &[&str] = &["all", "exists", "exists_one", "map", "filter", "sortBy"];
    let bytes = text.as_bytes();
    let (mut depth, mut max, mut open) = (0usize, 0usize, Vec::new());
    let (mut quote, mut escaped) = (None, false);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'(' => depth += 1,
            b')' => {
                if open.last() == Some(&depth) {
                    open.pop();
                }
                depth = depth.saturating_sub(1);
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                let next = text[i..].trim_start();
                if MACROS.contains(&word) && next.starts_with('(') {
                    open.push(depth + 1);
                    max = max.max(open.len());
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    u32::try_from(max).unwrap_or(u32::MAX)
}

/// Elements of list and map literals the rule may build: an upper bound from its commas.
pub(super) fn literal_elements(text: &str) -> u64 {
    text.bytes().filter(|b| *b == b',').count() as u64 + 1
}

/// `.spec.replicas`, `.foo['bar.baz']`: the names of a rule's `fieldPath`, `None` when it
/// is not of that shape (the API server then rejects the CRD; kubevet reports at the value).
pub(super) fn parse_field_path(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() {
                return None;
            }
            out.push(name.to_string());
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let mut name = String::new();
            let mut chars = r.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => name.push(chars.next()?.1),
                    '\'' => {
                        end = Some(i);
                        break;
                    }
                    _ => name.push(c),
                }
            }
            let end = end?;
            rest = r[end + 1..].strip_prefix(']')?;
            out.push(name);
        } else {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_text_is_compiled_once_per_run() {
        let a = compile_text("self.size() > 1 && self.shared_test")
            .program
            .clone()
            .expect("compiles");
        let b = compile_text("self.size() > 1 && self.shared_test")
            .program
            .clone()
            .expect("compiles");
        assert!(Arc::ptr_eq(&a, &b));
        let broken = "self.(";
        let first = compile_text(broken).program.clone().err();
        assert!(first.is_some());
        assert_eq!(compile_text(broken).program.clone().err(), first);
    }
}
