//! Validator errors turned into diagnostics written for people: exact spans, one finding
//! per problem, "did you mean", indentation hints, YAML 1.1 explanations.

use std::collections::HashSet;

use serde_json::Value as J;

use super::instance::Instance;
use super::nav::{Nav, Step};
use super::tree::{self, display_path};
use super::validator::{RawError, RawKind, Seg};
use super::{
    Target, RULE_INVALID_ENUM_VALUE, RULE_INVALID_TYPE, RULE_INVALID_VALUE,
    RULE_MISSING_REQUIRED_FIELD, RULE_UNKNOWN_FIELD,
};
use crate::diagnostics::{Diagnostic, Edit, Severity};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind, ScalarStyle, Span, TypeName, Value};

/// Validates `doc` against `t`, including the entries hidden by duplicate keys
/// (`duplicate_keys`: whether `doc` may have any). `Err`: the schema does not compile (found
/// only when a document needs it).
pub(crate) fn check(
    t: &Target,
    file: FileId,
    doc: &Node,
    duplicate_keys: bool,
) -> Result<Vec<Diagnostic>, String> {
    let mut out = Vec::new();
    let inst = if duplicate_keys {
        Instance::new(doc, None)
    } else {
        Instance::unique(doc)
    };
    if !t.is_valid(inst.root())? {
        let errors = t.errors(inst.root())?;
        explain(t, file, doc, None, errors, &mut out);
    }
    // A lenient decoder keeps only the last of duplicate keys; what the earlier entries
    // say is still what the author wrote, so validate each one as if it had won and keep
    // the findings inside it.
    if inst.has_duplicates() {
        for s in tree::shadowed_entries(doc) {
            let inst = Instance::new(doc, Some(s.key_span));
            if t.is_valid(inst.root())? {
                continue;
            }
            let errors = t
                .compiled()?
                .errors(inst.root())
                .into_iter()
                .filter(|e| e.path.starts_with(&s.path))
                .collect();
            explain(t, file, doc, Some(s.key_span), errors, &mut out);
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    Ok(out)
}

/// Keywords whose failure the API server counts as blocking CEL, besides wrong types, missing
/// required fields and unsupported enum values (`hasBlockingErr` in
/// `apiextensions-apiserver/pkg/registry/customresource/strategy.go`: `TooLong`, `TooMany`).
const CEL_BLOCKING_KEYWORDS: &[&str] = &["maxLength", "maxItems", "maxProperties"];

/// Whether the API server would leave a custom resource's CEL rules unevaluated because of
/// this schema finding: it stops at a wrong type, a missing required field, an unsupported
/// enum value and a string, list or map over its maximum size, and answers `some validation
/// rules were not checked because the object was invalid`.
pub fn blocks_cel(d: &Diagnostic) -> bool {
    match d.rule {
        RULE_INVALID_TYPE | RULE_MISSING_REQUIRED_FIELD | RULE_INVALID_ENUM_VALUE => true,
        RULE_INVALID_VALUE => d
            .label
            .as_deref()
            .is_some_and(|l| CEL_BLOCKING_KEYWORDS.iter().any(|k| l == keyword_label(k))),
        _ => false,
    }
}

fn keyword_label(keyword: &str) -> String {
    format!("fails `{keyword}`")
}

fn explain(
    t: &Target,
    file: FileId,
    doc: &Node,
    winner: Option<Span>,
    mut errors: Vec<RawError>,
    out: &mut Vec<Diagnostic>,
) {
    // One finding per problem: a value of the wrong type explains everything below it.
    // (A set of paths, and each error's prefixes looked up in it: a million wrongly typed
    // items must not compare each with each.)
    let type_paths: HashSet<Vec<Seg>> = errors
        .iter()
        .filter(|e| e.kind == RawKind::Type)
        .map(|e| e.path.clone())
        .collect();
    if !type_paths.is_empty() {
        errors.retain(|e| {
            !(0..=e.path.len()).any(|n| {
                type_paths.contains(&e.path[..n]) && (e.path.len() > n || e.kind != RawKind::Type)
            })
        });
    }
    let nav = t.nav();
    let cx = Cx {
        t,
        file,
        doc,
        lookup: tree::Lookup::new(winner),
        nav: &nav,
    };
    for e in &errors {
        cx.one(e, out);
    }
}

struct Cx<'a> {
    t: &'a Target,
    file: FileId,
    doc: &'a Node,
    lookup: tree::Lookup<'a>,
    nav: &'a Nav<'a>,
}

impl<'a> Cx<'a> {
    fn one(&self, e: &RawError, out: &mut Vec<Diagnostic>) {
        let nodes = self.lookup.nodes_along(self.doc, &e.path);
        let Some(&node) = nodes.last() else {
            return;
        };
        let steps = self.nav.walk(&e.path);
        let here = (steps.len() == e.path.len() + 1)
            .then(|| steps.last().copied())
            .flatten();
        match &e.kind {
            RawKind::Unknown(names) => {
                for name in names {
                    out.push(self.unknown(node, &e.path, &steps, here, name));
                }
            }
            RawKind::Required(prop) => {
                if node.is_map() && !self.t.ignores_required_at(&e.path) {
                    out.push(self.required(node, &e.path, here, prop));
                }
            }
            RawKind::Type => out.push(self.wrong_type(node, &e.path, here)),
            RawKind::Enum(options) => out.push(self.enumeration(node, &e.path, options)),
            RawKind::Other { keyword, message } => {
                let path = display_path(&e.path);
                let value = node
                    .scalar()
                    .map(|s| s.text.chars().take(60).collect::<String>())
                    .map(|t| format!(" `{t}`"))
                    .unwrap_or_default();
                let what = if path.is_empty() {
                    format!("{} is invalid", self.t.kind)
                } else {
                    format!("invalid value{value} for `{path}`")
                };
                let mut d = Diagnostic::new(
                    RULE_INVALID_VALUE,
                    Severity::Error,
                    self.file,
                    node.span,
                    format!("{what}: {message}"),
                )
                .with_primary_label(keyword_label(keyword));
                d.path = Some(path).filter(|p| !p.is_empty());
                out.push(d);
            }
        }
    }

    /// "Container", or "`spec.foo`" for an anonymous (custom resource) schema.
    fn object_name(&self, path: &[Seg], step: Option<Step<'_>>) -> String {
        if let Some(n) = step.and_then(|s| s.type_name()) {
            return n.to_string();
        }
        if path.is_empty() {
            return self.t.kind.clone();
        }
        format!("`{}`", display_path(path))
    }

    fn unknown(
        &self,
        node: &'a Node,
        path: &[Seg],
        steps: &[Step<'_>],
        here: Option<Step<'_>>,
        name: &str,
    ) -> Diagnostic {
        let key = self.lookup.entry_for(node, name).map(|e| &e.key);
        let span = key.map_or(node.span, |k| k.span);
        let owner = self.object_name(path, here);
        let mut field_path = path.to_vec();
        field_path.push(Seg::Key(name.to_string()));
        let mut d = Diagnostic::new(
            RULE_UNKNOWN_FIELD,
            Severity::Error,
            self.file,
            span,
            format!("unknown field `{name}` in {owner}"),
        )
        .with_primary_label(format!("not a field of {owner}"));
        d.path = Some(display_path(&field_path));

        let siblings: Vec<&str> = here
            .and_then(|s| s.properties())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let exact = siblings.iter().find(|s| normalize(s) == normalize(name));
        let rename = |d: Diagnostic, to: &str| -> Diagnostic {
            let d = d.with_help(format!("did you mean `{to}`?"));
            match key {
                Some(k) if is_plain(k) => d.with_fix(
                    format!("rename to `{to}`"),
                    vec![Edit {
                        span: k.span,
                        new_text: to.to_string(),
                    }],
                ),
                _ => d,
            }
        };
        if let Some(s) = exact {
            return rename(d, s);
        }
        if let Some(hint) = self.indentation_up(path, steps, name, &owner) {
            return d.with_help(hint);
        }
        if let Some(s) = suggest(name, siblings.iter().copied()) {
            return rename(d, &s);
        }
        if let Some(h) = here.and_then(|h| self.indentation_down(h, name, &owner)) {
            return d.with_help(h);
        }
        d
    }

    /// The field belongs to an enclosing object one or two levels up.
    fn indentation_up(
        &self,
        path: &[Seg],
        steps: &[Step<'_>],
        name: &str,
        owner: &str,
    ) -> Option<String> {
        let mut levels = 0;
        for k in (0..path.len()).rev() {
            // Only objects count as levels; list steps are transparent.
            if matches!(path[k], Seg::Index(_)) {
                continue;
            }
            levels += 1;
            if levels > 2 {
                break;
            }
            let prefix = &path[..k];
            let step = steps.get(k)?;
            if step.is_free_map() || !step.has_property(name) {
                continue;
            }
            let anc = self.object_name(prefix, Some(*step));
            // The object sits in a list (`volumeMounts`), and the ancestor is itself a list
            // item (`containers[0]`): the author probably meant another item of the
            // ancestor's list.
            let inner_list = path[k..].windows(2).find_map(|w| match w {
                [Seg::Key(l), Seg::Index(_)] => Some(l.as_str()),
                _ => None,
            });
            let outer_list = match prefix {
                [.., Seg::Key(l), Seg::Index(_)] => Some(l.as_str()),
                _ => None,
            };
            if let (Some(inner), Some(outer)) = (inner_list, outer_list) {
                return Some(format!(
                    "`{name}` is a field of {anc}, not of {owner}: this looks like an \
                     indentation mistake; is this item meant to be another entry of \
                     `{outer}`, indented under `{inner}` by mistake?"
                ));
            }
            let place = if prefix.is_empty() {
                "the top level of the object".to_string()
            } else {
                format!("`{}`", display_path(prefix))
            };
            return Some(format!(
                "`{name}` is a field of {anc}, not of {owner}: this looks like an indentation \
                 mistake; move it out to {place}"
            ));
        }
        None
    }

    /// The field belongs to exactly one object one or two levels down.
    fn indentation_down(&self, here: Step<'_>, name: &str, owner: &str) -> Option<String> {
        let props = here.properties()?;
        let mut depth1 = Vec::new();
        let mut depth2 = Vec::new();
        for (child, schema) in props {
            let Some(c) = self.object_below(schema) else {
                continue;
            };
            if c.has_property(name) {
                depth1.push((child.as_str(), c));
                continue;
            }
            for (grand, gs) in c.properties().into_iter().flatten() {
                if let Some(g) = self.object_below(gs) {
                    if g.has_property(name) {
                        depth2.push((format!("{child}.{grand}"), g));
                    }
                }
            }
        }
        let (under, step) = match (depth1.as_slice(), depth2.as_slice()) {
            ([(c, s)], _) => (c.to_string(), *s),
            ([], [(c, s)]) => (c.clone(), *s),
            _ => return None,
        };
        let what = step
            .type_name()
            .map(|t| format!(" of {t}"))
            .unwrap_or_default();
        Some(format!(
            "`{name}` is not a field of {owner} but a field{what} under `{under}`: this looks \
             like an indentation mistake; nest it under `{under}`"
        ))
    }

    /// The object schema a property holds, looking through one list level.
    fn object_below<'s>(&'s self, schema: &'s J) -> Option<Step<'s>> {
        let s = self.nav.resolve(schema, None);
        let s = match s.schema.get("items") {
            Some(items) => self.nav.resolve(items, None),
            None => s,
        };
        s.properties().map(|_| s)
    }

    fn required(
        &self,
        node: &Node,
        path: &[Seg],
        here: Option<Step<'_>>,
        prop: &str,
    ) -> Diagnostic {
        let owner = self.object_name(path, here);
        let mut field_path = path.to_vec();
        field_path.push(Seg::Key(prop.to_string()));
        let mut d = Diagnostic::new(
            RULE_MISSING_REQUIRED_FIELD,
            Severity::Error,
            self.file,
            node.span,
            format!("missing required field `{prop}` in {owner}"),
        )
        .with_primary_label(format!("this {} has no `{prop}`", owner.trim_matches('`')));
        d.path = Some(display_path(&field_path));
        // A near-miss key that was meant to be the required field.
        let keys: Vec<&str> = node
            .entries()
            .iter()
            .filter_map(|e| e.key.key_text())
            .collect();
        if let Some(close) = keys
            .iter()
            .find(|k| suggest(k, std::iter::once(prop)).is_some() && **k != prop)
        {
            d = d.with_help(format!("is `{close}` meant to be `{prop}`?"));
        }
        d
    }

    fn wrong_type(&self, node: &Node, path: &[Seg], here: Option<Step<'_>>) -> Diagnostic {
        let expected: Vec<&str> = here.map(|h| h.types()).unwrap_or_default();
        let def = here.and_then(|h| h.type_name());
        let want = expected_phrase(&expected, def);
        let actual = node.type_name();
        let field = display_path(path);
        let subject = if field.is_empty() {
            "the document".to_string()
        } else {
            format!("`{field}`")
        };
        let mut d = Diagnostic::new(
            RULE_INVALID_TYPE,
            Severity::Error,
            self.file,
            node.span,
            format!("{subject} must be {want}, not {}", article(actual)),
        )
        .with_primary_label(format!("{} here", describe(node)));
        d.path = Some(field).filter(|p| !p.is_empty());
        let wants = |t: &str| expected.contains(&t);
        let scalar = node.scalar();
        match (&node.kind, scalar) {
            (NodeKind::Scalar(_), Some(s)) if s.is_str() && wants("object") => {
                if let Some((k, v)) = s.text.split_once(':') {
                    if !k.is_empty() && !v.starts_with(' ') && !k.contains(' ') {
                        d = d.with_help(format!(
                            "a map entry needs a space after the colon: write `{k}: {v}`; \
                             without it YAML reads `{}` as one string",
                            s.text
                        ));
                    }
                } else {
                    d = d.with_help("write it as a map of `key: value` entries");
                }
            }
            (NodeKind::Scalar(_), Some(s))
                if s.style == ScalarStyle::Plain
                    && wants("string")
                    && matches!(
                        s.value(),
                        Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_)
                    ) =>
            {
                let read_as = match s.value() {
                    Value::Bool(b) => format!("the boolean {b}"),
                    Value::Float(f) => format!("the number {f}"),
                    Value::Int(i) if s.is_yaml11_surprise() => format!("the octal number {i}"),
                    _ => "a number".to_string(),
                };
                let why = if s.is_yaml11_surprise() {
                    format!(
                        "YAML 1.1, which Kubernetes uses, reads the unquoted `{}` as {read_as}",
                        s.text
                    )
                } else {
                    format!("YAML reads the unquoted `{}` as {read_as}", s.text)
                };
                let quoted = format!("\"{}\"", s.text);
                d = d
                    .with_help(format!("{why}; quote it to keep the text: {quoted}"))
                    .with_fix(
                        format!("quote `{}`", s.text),
                        vec![Edit {
                            span: node.span,
                            new_text: quoted,
                        }],
                    );
            }
            (NodeKind::Scalar(_), Some(s))
                if s.is_str()
                    && (wants("integer") || wants("number"))
                    && s.style.is_quoted()
                    && s.text.trim().parse::<f64>().is_ok() =>
            {
                d = d.with_help(format!(
                    "remove the quotes: `{}` is a number only without them",
                    s.text
                ));
                // Only when the bare text is the number the field takes (an integer field
                // given "1.5" would trade one error for another).
                let exact = if wants("integer") {
                    s.text.parse::<i64>().is_ok()
                } else {
                    s.text.parse::<f64>().is_ok_and(f64::is_finite)
                };
                if exact {
                    d = d.with_fix(format!("unquote `{}`", s.text), unquote(node, &s.text));
                }
            }
            (NodeKind::Scalar(_), Some(s))
                if s.is_str()
                    && wants("boolean")
                    && s.style.is_quoted()
                    && matches!(s.text.as_str(), "true" | "false") =>
            {
                d = d
                    .with_help(format!(
                        "remove the quotes: `{}` is a boolean only without them",
                        s.text
                    ))
                    .with_fix(format!("unquote `{}`", s.text), unquote(node, &s.text));
            }
            (NodeKind::Scalar(_), Some(s))
                if s.is_str()
                    && wants("array")
                    && !matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && here
                        .and_then(|h| self.nav.child(h, &Seg::Index(0)))
                        .is_some_and(|item| item.types() == ["string"]) =>
            {
                // A list of one item is the likely intent, but `args: --a --b` may have
                // meant two: the fix needs `--unsafe-fixes`.
                let item = serde_json::to_string(s.text.as_str()).unwrap_or_default();
                d = d
                    .with_help(format!(
                        "write it as a list, even of one item: `[{item}]`, or one `- ` line per item"
                    ))
                    .with_fix(
                        "make it a list of one item",
                        vec![Edit {
                            span: node.span,
                            new_text: format!("[{item}]"),
                        }],
                    );
            }
            (NodeKind::Map(_), _) if wants("array") => {
                d = d.with_help("write it as a list: start each item with `- `");
            }
            (NodeKind::Seq(_), _) if wants("object") => {
                d = d.with_help("write it as a map: remove the `- ` in front of its entries");
            }
            (NodeKind::Scalar(_), Some(s)) if s.is_null() => {
                d = d.with_help(if matches!(path.last(), Some(Seg::Index(_))) {
                    "the list item is empty; give it a value or remove the item"
                } else {
                    "the value is empty; give it a value or remove the field"
                });
            }
            _ => {}
        }
        d
    }

    fn enumeration(&self, node: &Node, path: &[Seg], options: &[J]) -> Diagnostic {
        let field = display_path(path);
        // `null` is in the list when the value may be left empty (a CRD drops a null field);
        // it is never the value someone meant to write.
        let shown: Vec<String> = options
            .iter()
            .filter(|o| !o.is_null())
            .map(show_json)
            .collect();
        let value = node
            .text()
            .map_or_else(|| describe(node), |t| format!("`{t}`"));
        let mut d = Diagnostic::new(
            RULE_INVALID_ENUM_VALUE,
            Severity::Error,
            self.file,
            node.span,
            format!(
                "invalid value {value} for `{field}`: expected {}",
                one_of(&shown)
            ),
        )
        .with_primary_label("not an allowed value");
        d.path = Some(field).filter(|p| !p.is_empty());
        if let Some(text) = node.text() {
            let strs: Vec<&str> = options.iter().filter_map(J::as_str).collect();
            if let Some(s) = suggest(text, strs.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?"));
                if node.scalar().is_some_and(|s| s.style == ScalarStyle::Plain) {
                    d = d.with_fix(
                        format!("replace with `{s}`"),
                        vec![Edit {
                            span: node.span,
                            new_text: s,
                        }],
                    );
                }
            }
        }
        d
    }
}

fn is_plain(key: &Node) -> bool {
    key.scalar()
        .is_some_and(|s| s.style == ScalarStyle::Plain && key.span.len() == s.text.len())
}

pub(crate) fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The closest candidate to `name`, if close enough to be what the author meant.
/// Case, `_` and `-` differences always match.
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    suggest_normalized(name, candidates.map(|c| (c, normalize(c))))
}

/// [`suggest`] over candidates paired with their [`normalize`]d form, for a list that is
/// searched many times (the kinds of a run).
pub(crate) fn suggest_normalized<'a, N: AsRef<str>>(
    name: &str,
    candidates: impl Iterator<Item = (&'a str, N)>,
) -> Option<String> {
    let n = normalize(name);
    let mut best: Option<(f64, &str)> = None;
    for (c, cn) in candidates {
        let cn = cn.as_ref();
        if cn == n {
            return Some(c.to_string());
        }
        // The edit distance is at least the difference in length, and at least the bag
        // distance (characters one has that the other lacks): when either alone puts the
        // similarity under 0.7, the (costly) distance need not be computed. Jaro-Winkler is
        // at most what the characters the two share allow: when that too stays under 0.85,
        // it need not be computed either.
        let (a, b) = (n.chars().count(), cn.chars().count());
        let longest = a.max(b).max(1) as f64;
        let at_most = 1.0 - a.abs_diff(b) as f64 / longest;
        let (bag, common) = bags(&n, cn).unwrap_or((0, a.min(b)));
        let far = at_most < 0.7 || 1.0 - bag as f64 / longest < 0.7;
        if far && jaro_winkler_at_most(a, b, common) < 0.85 {
            continue;
        }
        let jw = strsim::jaro_winkler(&n, cn);
        if jw < 0.85 && far {
            continue;
        }
        let dl = strsim::normalized_damerau_levenshtein(&n, cn);
        if jw < 0.85 && dl < 0.7 {
            continue;
        }
        // Short names need an edit distance close match, not just a shared prefix.
        if n.len().min(cn.len()) <= 4 && strsim::damerau_levenshtein(&n, cn) > 1 {
            continue;
        }
        let score = jw.max(dl);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// A lower bound of the edit distance: the larger count of characters one string has more
/// of than the other (0, no bound, when either is not ASCII).
#[cfg(test)]
fn bag_distance(a: &str, b: &str) -> usize {
    bags(a, b).map_or(0, |(bag, _)| bag)
}

/// For two ASCII strings: their bag distance (see [`bag_distance`]) and how many characters
/// they share (counted with repetition); `None` when either is not ASCII.
fn bags(a: &str, b: &str) -> Option<(usize, usize)> {
    if !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    let mut count = [0i32; 128];
    for c in a.bytes() {
        count[usize::from(c)] += 1;
    }
    for c in b.bytes() {
        count[usize::from(c)] -= 1;
    }
    let (more, less) = count.iter().fold((0, 0), |(m, l), &c| {
        if c > 0 {
            (m + c as usize, l)
        } else {
            (m, l + c.unsigned_abs() as usize)
        }
    });
    Some((more.max(less), a.len() - more))
}

/// An upper bound of `strsim::jaro_winkler` for strings of `a` and `b` characters sharing
/// `common` of them: Jaro's matches are shared characters (and its third term at most 1),
/// and the prefix bonus adds at most 4 x 0.1 of what is left.
fn jaro_winkler_at_most(a: usize, b: usize, common: usize) -> f64 {
    if common == 0 || a == 0 || b == 0 {
        return 0.0;
    }
    let m = common as f64;
    let jaro = (m / a as f64 + m / b as f64 + 1.0) / 3.0;
    // (A hair over, so that rounding can only keep a candidate.)
    jaro + 0.4 * (1.0 - jaro) + 1e-9
}

fn expected_phrase(types: &[&str], def: Option<&str>) -> String {
    match def {
        Some("IntOrString") => return "an integer or a string (such as `8080` or `http`)".into(),
        Some("Quantity") => return "a quantity (such as `500m`, `2` or `1Gi`)".into(),
        _ => {}
    }
    let words: Vec<&str> = types
        .iter()
        .map(|t| match *t {
            "object" => "a map",
            "array" => "a list",
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "a boolean (`true` or `false`)",
            other => other,
        })
        .collect();
    match words.as_slice() {
        [] => "of another type".into(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn article(t: TypeName) -> String {
    match t {
        TypeName::Null => "empty (null)".into(),
        TypeName::Integer => "an integer".into(),
        TypeName::Array => "a list".into(),
        TypeName::Object => "a map".into(),
        other => format!("a {other}"),
    }
}

fn describe(node: &Node) -> String {
    match &node.kind {
        NodeKind::Map(_) => "a map".into(),
        NodeKind::Seq(_) => "a list".into(),
        NodeKind::Scalar(s) => {
            let mut text: String = s.text.chars().take(40).collect();
            if s.text.chars().count() > 40 {
                text.push('…');
            }
            format!("{} `{text}`", article(node.type_name()))
        }
    }
}

fn show_json(v: &J) -> String {
    match v {
        J::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn one_of(items: &[String]) -> String {
    match items {
        [] => "nothing".into(),
        [one] => one.clone(),
        _ if items.len() > 8 => format!("one of {}, …", items[..8].join(", ")),
        _ => format!("one of {}", items.join(", ")),
    }
}

/// The edit that replaces a quoted scalar by its bare text (a number or a boolean).
fn unquote(node: &Node, text: &str) -> Vec<Edit> {
    vec![Edit {
        span: node.span,
        new_text: text.to_string(),
    }]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{bag_distance, bags, jaro_winkler_at_most, normalize, suggest};

    /// `suggest` as it was before the bag-distance bound: the bound may only skip work.
    fn suggest_unbounded(name: &str, candidates: &[&str]) -> Option<String> {
        let n = normalize(name);
        let mut best: Option<(f64, &str)> = None;
        for c in candidates {
            let cn = normalize(c);
            if cn == n {
                return Some(c.to_string());
            }
            let jw = strsim::jaro_winkler(&n, &cn);
            let dl = strsim::normalized_damerau_levenshtein(&n, &cn);
            if jw < 0.85 && dl < 0.7 {
                continue;
            }
            if n.len().min(cn.len()) <= 4 && strsim::damerau_levenshtein(&n, &cn) > 1 {
                continue;
            }
            let score = jw.max(dl);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c));
            }
        }
        best.map(|(_, c)| c.to_string())
    }

    proptest! {
        #[test]
        fn bag_distance_never_exceeds_the_edit_distance(a in "[a-eA-E_-]{0,12}", b in "[a-eA-E_-]{0,12}") {
            prop_assert!(bag_distance(&a, &b) <= strsim::damerau_levenshtein(&a, &b));
        }

        #[test]
        fn jaro_winkler_stays_under_its_bound(a in "[a-eA-E_-]{0,12}", b in "[a-eA-E_-]{0,12}") {
            let common = bags(&a, &b).map_or(0, |(_, c)| c);
            prop_assert!(strsim::jaro_winkler(&a, &b) <= jaro_winkler_at_most(a.len(), b.len(), common) || a.is_empty() && b.is_empty());
        }

        #[test]
        fn the_bound_changes_no_suggestion(
            name in "[a-fK]{1,10}",
            candidates in proptest::collection::vec("[a-fK-]{1,10}", 1..12),
        ) {
            let c: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(suggest(&name, c.iter().copied()), suggest_unbounded(&name, &c));
        }
    }
}
