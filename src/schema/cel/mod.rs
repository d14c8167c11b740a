//! CEL validation rules of custom resources (`x-kubernetes-validations`), evaluated as the
//! API server does (`apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go`):
//!
//! - a rule runs with `self` bound to the value at the schema node declaring it: each item
//!   of a list for a rule under `items`, each value of a map under `additionalProperties`;
//!   only where the value is present and not `null`, after defaulting;
//! - a rule referencing `oldSelf` is a transition rule, run on updates only; with
//!   `optionalOldSelf: true` it runs on create too, `oldSelf` an absent optional;
//! - a false rule reports `messageExpression` (when it yields a non-empty one-line string),
//!   else `message`, else `failed rule: <rule>`, at `fieldPath` when given;
//! - an evaluation error (`no such key`, `index out of bounds`, division by zero, overflow)
//!   is a failure too: `<error> evaluating rule: <message or rule>`.
//!
//! What kubevet cannot evaluate (a function or type it does not implement, a rule too
//! costly for its budget) is reported once per rule and resource as an info, never as a
//! failure.

mod convert;
mod library;
mod rule;
mod tree;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::sync::Arc;

use ::cel::objects::{OptionalValue, Value};
use ::cel::{Context, ExecutionError};
use serde_json::Value as J;

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, Span};
use convert::{Doc, Skip};
use rule::Rule;
use tree::SNode;

pub const RULE_CEL_RULE_FAILED: &str = "cel-rule-failed";
pub const RULE_CEL_RULE_NOT_EVALUATED: &str = "cel-rule-not-evaluated";

/// Evaluation budget of one custom resource, in values visited: roughly the size of `self`
/// raised to how deeply the comprehensions of a rule nest, summed over the rules run. The API
/// server has its own cost limits; this one only keeps hostile input from hanging kubevet.
const DOCUMENT_BUDGET: u64 = 20_000_000;

/// The end of [`CelRules::not_evaluated_for_errors`]'s message.
const BLOCKED: &str = "the object has schema errors the API server stops at";

/// Whether `d` is the note that a resource's schema errors kept its rules from running: it
/// stands only while one of those errors does (see `project::retain_applicable`).
pub fn is_blocked_note(d: &Diagnostic) -> bool {
    d.rule == RULE_CEL_RULE_NOT_EVALUATED && d.message.ends_with(BLOCKED)
}

/// The API server's text for a rule reading a field the value does not have.
const NO_SUCH_KEY: &str = "no such key: ";

/// Whether `d` is a rule that failed on reading an absent field: no finding on a partial
/// object (a patch, a test step), which leaves out what the full object has.
pub fn is_absent_field_failure(d: &Diagnostic) -> bool {
    d.rule == RULE_CEL_RULE_FAILED && d.message.contains(NO_SUCH_KEY)
}

/// The compiled rules of one CRD version.
pub(crate) struct CelRules {
    root: Option<SNode>,
}

impl CelRules {
    /// Compiles the rules of a converted CRD schema (one that kept `x-kubernetes-validations`).
    pub fn new(schema: &J) -> CelRules {
        CelRules {
            root: tree::build(schema),
        }
    }

    /// The note for a custom resource whose schema errors keep the API server from
    /// evaluating its rules (see `messages::blocks_cel`), if its definition has any: a
    /// rule read on such a value would fail on what the schema finding already says.
    pub fn not_evaluated_for_errors(
        &self,
        file: FileId,
        doc: &Node,
        kind_node: &Node,
    ) -> Option<Diagnostic> {
        // Only when a rule would have run on a value the resource has: the same answer
        // from a schema cut down to the resource as from the whole one.
        if !self
            .root
            .as_ref()
            .is_some_and(|r| reaches_rule(r, Doc::Node(doc)))
        {
            return None;
        }
        let kind = kind_node.as_str().unwrap_or("object");
        let d = Diagnostic::new(
            RULE_CEL_RULE_NOT_EVALUATED,
            Severity::Info,
            file,
            kind_node.span,
            format!("the CEL rules of the {kind} definition were not evaluated: {BLOCKED}"),
        )
        .with_primary_label("rules not evaluated")
        .with_help("correct the type, required-field, enum or size errors reported here; the API server evaluates the rules only then (`some validation rules were not checked because the object was invalid`), and they may reject the object too");
        Some(d)
    }

    /// The findings of the rules on one custom resource.
    pub fn check(&self, file: FileId, doc: &Node, kind_node: &Node) -> Vec<Diagnostic> {
        let Some(root) = &self.root else {
            return Vec::new();
        };
        let kind = kind_node.as_str().unwrap_or("object").to_string();
        let mut w = Walk {
            file,
            kind_span: kind_node.span,
            kind,
            budget: DOCUMENT_BUDGET,
            reported: HashSet::new(),
            out: Vec::new(),
        };
        w.walk(root, Doc::Node(doc), kind_node.span, String::new(), true);
        w.out
    }
}

/// Whether a rule is declared at a value of `doc` that [`Walk::walk`] would visit.
fn reaches_rule(s: &SNode, doc: Doc<'_>) -> bool {
    if doc.is_null() || !s.rules_below {
        return false;
    }
    if !s.rules.is_empty() {
        return true;
    }
    if doc.is_map() {
        let prop = s
            .props
            .iter()
            .filter(|(_, p)| p.rules_below)
            .any(|(name, p)| match doc.member(name) {
                Some((v, _)) => reaches_rule(p, v),
                None => p
                    .default
                    .as_ref()
                    .is_some_and(|d| reaches_rule(p, Doc::Json(d))),
            });
        prop || s.additional.as_ref().is_some_and(|a| {
            doc.members()
                .into_iter()
                .any(|(k, v, _)| s.prop(k).is_none() && reaches_rule(a, v))
        })
    } else if doc.is_seq() {
        s.items.as_ref().is_some_and(|is| {
            doc.items()
                .into_iter()
                .any(|(item, _)| reaches_rule(is, item))
        })
    } else {
        false
    }
}

struct Walk {
    file: FileId,
    kind_span: Span,
    kind: String,
    budget: u64,
    /// Rules already reported as not evaluated in this resource (by address).
    reported: HashSet<usize>,
    out: Vec<Diagnostic>,
}

impl Walk {
    fn walk(&mut self, s: &SNode, doc: Doc<'_>, at: Span, path: String, root: bool) {
        if doc.is_null() || !s.rules_below {
            return;
        }
        if !s.rules.is_empty() {
            self.run_rules(s, doc, at, &path, root);
        }
        if doc.is_map() {
            for (name, p) in &s.props {
                if !p.rules_below {
                    continue;
                }
                let child = join(&path, name);
                match doc.member(name) {
                    Some((v, key)) => {
                        let span = key.map_or(at, |k| k.span);
                        self.walk(p, v, span, child, false);
                    }
                    None => {
                        if let Some(d) = &p.default {
                            self.walk(p, Doc::Json(d), at, child, false);
                        }
                    }
                }
            }
            if let Some(a) = s.additional.as_ref().filter(|a| a.rules_below) {
                for (k, v, key) in doc.members() {
                    if s.prop(k).is_some() {
                        continue;
                    }
                    let span = key.map_or(at, |k| k.span);
                    self.walk(a, v, span, format!("{path}[{k}]"), false);
                }
            }
        } else if doc.is_seq() {
            if let Some(is) = s.items.as_ref().filter(|i| i.rules_below) {
                for (i, (item, node)) in doc.items().into_iter().enumerate() {
                    let span = node.map_or(at, |n| n.span);
                    self.walk(is, item, span, format!("{path}[{i}]"), false);
                }
            }
        }
    }

    fn run_rules(&mut self, s: &SNode, doc: Doc<'_>, at: Span, path: &str, root: bool) {
        // Transition rules run on updates only: nothing to do for them on create.
        let runs = |r: &&Rule| !r.transition || r.optional_old_self;
        let rules: Vec<&Rule> = s.rules.iter().filter_map(tree::LazyRule::get).collect();
        if !rules.iter().any(runs) {
            return;
        }
        let mut conv_budget = self.budget;
        let this = match convert::to_value(s, doc, &mut conv_budget, root) {
            Ok(v) => v,
            // The schema stage reports the value's type.
            Err(Skip::Mismatch) => return,
            Err(Skip::TooLarge) => {
                for r in rules.iter().copied().filter(|r| runs(r)) {
                    self.not_evaluated(r, "the value is too large for kubevet's evaluation budget");
                }
                return;
            }
        };
        let size = self.budget - conv_budget;
        self.budget = conv_budget;
        for r in rules.iter().copied().filter(|r| runs(r)) {
            let program = match &r.program {
                Ok(p) => p,
                Err(why) => {
                    let why = why.clone();
                    self.not_evaluated(r, &why);
                    continue;
                }
            };
            let c = cost(size, r.literals, r.comprehensions);
            if c > self.budget {
                self.not_evaluated(
                    r,
                    "it is too costly for kubevet's evaluation budget on this value",
                );
                continue;
            }
            self.budget -= c;
            let ctx = context(&this, r.optional_old_self);
            let Some(ctx) = ctx else {
                self.not_evaluated(r, "kubevet cannot bind `self`");
                continue;
            };
            match program.execute(&ctx) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => {
                    let detail = message_of(r, &ctx, size, &mut self.budget);
                    self.failed(r, doc, at, path, root, &detail, true);
                }
                Ok(_) => self.not_evaluated(r, "it does not evaluate to a bool in kubevet"),
                Err(e) => match runtime_error(&e, s) {
                    Some(err) => {
                        let detail = format!("{err} evaluating rule: {}", r.error_string());
                        self.failed(r, doc, at, path, root, &detail, false);
                    }
                    None => {
                        let why = gap_reason(&e);
                        self.not_evaluated(r, &why);
                    }
                },
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn failed(
        &mut self,
        r: &Rule,
        doc: Doc<'_>,
        at: Span,
        path: &str,
        root: bool,
        detail: &str,
        use_field_path: bool,
    ) {
        let (mut span, mut path) = (at, path.to_string());
        if use_field_path {
            if let Some(fp) = &r.field_path {
                let mut cur = Some(doc);
                let mut key_span = None;
                for name in fp {
                    match cur.and_then(|d| d.member(name)) {
                        Some((v, key)) => {
                            cur = Some(v);
                            key_span = key.map(|k| k.span);
                        }
                        None => {
                            cur = None;
                            break;
                        }
                    }
                }
                for name in fp {
                    path = join(&path, name);
                }
                if let (Some(_), Some(k)) = (cur, key_span) {
                    span = k;
                }
            }
        }
        let what = if path.is_empty() {
            if root {
                self.kind.clone()
            } else {
                "a defaulted value".to_string()
            }
        } else {
            format!("`{path}`")
        };
        let d = Diagnostic::new(
            RULE_CEL_RULE_FAILED,
            Severity::Error,
            self.file,
            span,
            format!("{what}: {detail}"),
        )
        .with_primary_label(format!("fails CEL rule `{}`", short(&r.text)))
        .with_help(if use_field_path {
            "the CustomResourceDefinition declares this rule in `x-kubernetes-validations`; \
             the API server evaluates it and rejects the object while it is false"
        } else {
            "the CustomResourceDefinition declares this rule in `x-kubernetes-validations`; \
             the API server rejects the object when evaluating the rule fails, as for a false \
             rule (an optional field the rule reads must be set, or the rule guard it with `has()`)"
        });
        self.out.push(d);
    }

    fn not_evaluated(&mut self, r: &Rule, why: &str) {
        if !self.reported.insert(r as *const Rule as usize) {
            return;
        }
        let d = Diagnostic::new(
            RULE_CEL_RULE_NOT_EVALUATED,
            Severity::Info,
            self.file,
            self.kind_span,
            format!(
                "CEL rule `{}` of the {} definition not evaluated: {why}",
                short(&r.text),
                self.kind
            ),
        )
        .with_primary_label("the API server evaluates this rule; kubevet did not")
        .with_help("check the rule against the object by hand, or with a cluster (`kubectl apply --dry-run=server`)");
        self.out.push(d);
    }
}

/// The estimated cost of a rule: the values it may range over (those of `self` and of the
/// literals it builds) raised to how deeply its comprehensions nest.
fn cost(size: u64, literals: u64, depth: u32) -> u64 {
    size.saturating_add(literals)
        .max(1)
        .saturating_pow(depth.max(1))
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A rule quoted in a message: on one line, at most 120 characters.
fn short(rule: &str) -> String {
    let one: String = rule.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 120 {
        let cut: String = one.chars().take(117).collect();
        format!("{cut}...")
    } else {
        one
    }
}

fn context(this: &Value, optional_old_self: bool) -> Option<Context<'static, 'static>> {
    let mut ctx = Context::with_env(library::env());
    let this: Box<dyn ::cel::common::value::Val> = this.clone().try_into().ok()?;
    ctx.add_variable_as_val("self", this);
    if optional_old_self {
        let none: Box<dyn ::cel::common::value::Val> =
            Value::Opaque(Arc::new(OptionalValue::none()))
                .try_into()
                .ok()?;
        ctx.add_variable_as_val("oldSelf", none);
    }
    Some(ctx)
}

/// `messageExpression` when it yields a non-empty one-line string, else the message,
/// else `failed rule: <rule>` (apiserver `evalMessageExpression`, `ruleMessageOrDefault`).
fn message_of(r: &Rule, ctx: &Context<'_, '_>, size: u64, budget: &mut u64) -> String {
    if let Some((p, depth, literals)) = &r.message_expression {
        let c = cost(size, *literals, *depth);
        let result = (c <= *budget).then(|| {
            *budget -= c;
            p.execute(ctx)
        });
        if let Some(Ok(Value::String(s))) = result {
            let t = s.trim();
            if !t.is_empty() && !t.contains('\n') && t.len() <= 5 * 1024 {
                return t.to_string();
            }
        }
    }
    match &r.message {
        Some(m) => m.clone(),
        None => format!("failed rule: {}", r.text),
    }
}

/// The API server's error text for an evaluation error it would report; `None` for an
/// error that only says kubevet's interpreter lacks something.
fn runtime_error(e: &ExecutionError, s: &SNode) -> Option<String> {
    match e {
        // A declared property that is absent; a key of a map. A name the schema does not
        // declare would not have compiled in the API server.
        ExecutionError::NoSuchKey(k) => declares(s, k, 0).then(|| format!("{NO_SUCH_KEY}{k}")),
        ExecutionError::IndexOutOfBounds(v) => Some(format!("index out of bounds: {}", display(v))),
        ExecutionError::DivisionByZero(_) => Some("division by zero".to_string()),
        ExecutionError::RemainderByZero(_) => Some("modulus by zero".to_string()),
        ExecutionError::Overflow(..) => Some("integer overflow".to_string()),
        _ => None,
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}

/// Whether `name` is a property (escaped) declared at or below `s`, or `s` holds a map
/// whose keys are data.
fn declares(s: &SNode, name: &str, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    s.additional.is_some()
        || s.props.iter().any(|(n, p)| {
            convert::escape(n).as_deref() == Some(name) || declares(p, name, depth + 1)
        })
        || s.items
            .as_ref()
            .is_some_and(|i| declares(i, name, depth + 1))
}

fn gap_reason(e: &ExecutionError) -> String {
    match e {
        ExecutionError::UndeclaredReference(name) => {
            format!("kubevet does not implement `{name}`")
        }
        ExecutionError::NoSuchOverload(o) => format!(
            "kubevet does not implement `{}` for these argument types",
            o.function()
        ),
        ExecutionError::NoSuchKey(k) => {
            format!("it names `{k}`, which kubevet does not find in the schema")
        }
        other => {
            let text = other.to_string();
            let text = text.lines().next().unwrap_or_default();
            let text: String = text.chars().take(160).collect();
            format!("kubevet's evaluator stopped ({text})")
        }
    }
}
