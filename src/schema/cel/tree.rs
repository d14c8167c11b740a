//! The CRD schema as the CEL stage needs it: each node's CEL type, its defaults and the
//! `x-kubernetes-validations` rules declared on it, compiled once per CRD version.

use std::sync::{Arc, OnceLock};

use serde_json::Value as J;

use super::rule::Rule;

/// Schema nesting kubevet follows (the loader refuses deeper documents anyway).
const MAX_DEPTH: usize = 64;

/// The CEL type a schema node maps to (apiserver `SchemaDeclType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Object,
    Array,
    Int,
    Double,
    String,
    Bool,
    /// `x-kubernetes-int-or-string`: dynamic, an int or a string.
    IntOrString,
    /// `format: date-time`/`date`/`duration`/`byte`: timestamps, durations and bytes in
    /// Kubernetes CEL, which kubevet does not model.
    Unsupported,
    /// No `type` (preserved unknown fields, a `$ref`): converted as written.
    Any,
}

pub(super) struct SNode {
    pub ty: Ty,
    pub props: Vec<(String, SNode)>,
    pub additional: Option<Box<SNode>>,
    pub items: Option<Box<SNode>>,
    pub default: Option<J>,
    pub rules: Vec<LazyRule>,
    /// Whether this node or one below it declares rules: the walk skips the rest.
    pub rules_below: bool,
}

/// An `x-kubernetes-validations` entry, compiled the first time a resource has a value
/// where it is declared: CRDs declare many rules (Gateway API's run to hundreds) and a
/// resource reaches few of them; compiling all of them up front was most of the CEL stage.
pub(super) struct LazyRule {
    entry: J,
    /// The node is a timestamp, duration or bytes value, which kubevet does not model.
    unsupported: bool,
    /// Names of such fields below the node: a rule that reads one is not evaluated.
    unmodelled: Arc<Vec<String>>,
    rule: OnceLock<Option<Rule>>,
}

impl LazyRule {
    pub fn get(&self) -> Option<&Rule> {
        self.rule
            .get_or_init(|| {
                let mut r = Rule::compile(&self.entry)?;
                let touches =
                    self.unsupported || self.unmodelled.iter().any(|n| r.text.contains(n.as_str()));
                if touches && r.program.is_ok() {
                    r.program = Err("it reads a timestamp, duration or bytes field, which kubevet does not model".to_string());
                }
                Some(r)
            })
            .as_ref()
    }
}

impl SNode {
    pub fn prop(&self, name: &str) -> Option<&SNode> {
        self.props.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// The tree of the converted (JSON Schema) CRD root, or `None` when no rule is declared.
pub(super) fn build(root: &J) -> Option<SNode> {
    let node = build_node(root, 0);
    node.rules_below.then_some(node)
}

fn build_node(schema: &J, depth: usize) -> SNode {
    let mut node = SNode {
        ty: Ty::Any,
        props: Vec::new(),
        additional: None,
        items: None,
        default: None,
        rules: Vec::new(),
        rules_below: false,
    };
    let J::Object(m) = schema else { return node };
    node.ty = type_of(m);
    node.default = m.get("default").cloned();
    if depth < MAX_DEPTH {
        if let Some(J::Object(props)) = m.get("properties") {
            for (name, s) in props {
                node.props.push((name.clone(), build_node(s, depth + 1)));
            }
        }
        if let Some(s @ J::Object(_)) = m.get("additionalProperties") {
            node.additional = Some(Box::new(build_node(s, depth + 1)));
        }
        if let Some(s @ J::Object(_)) = m.get("items") {
            node.items = Some(Box::new(build_node(s, depth + 1)));
        }
        if let Some(J::Array(rules)) = m.get("x-kubernetes-validations") {
            let mut unmodelled = Vec::new();
            unmodelled_names(&node, &mut unmodelled, 0);
            let unmodelled = Arc::new(unmodelled);
            // `Rule::compile` skips an entry without rule text; so does the tree.
            let has_text = |e: &J| {
                e.get("rule")
                    .and_then(J::as_str)
                    .is_some_and(|t| !t.trim().is_empty())
            };
            node.rules = rules
                .iter()
                .filter(|e| has_text(e))
                .map(|e| LazyRule {
                    entry: e.clone(),
                    unsupported: node.ty == Ty::Unsupported,
                    unmodelled: Arc::clone(&unmodelled),
                    rule: OnceLock::new(),
                })
                .collect();
        }
    }
    node.rules_below = !node.rules.is_empty()
        || node.props.iter().any(|(_, s)| s.rules_below)
        || node.additional.as_ref().is_some_and(|s| s.rules_below)
        || node.items.as_ref().is_some_and(|s| s.rules_below);
    node
}

/// Names of the timestamp, duration and bytes properties at and below `node`.
fn unmodelled_names(node: &SNode, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH || out.len() > 64 {
        return;
    }
    for (name, p) in &node.props {
        if p.ty == Ty::Unsupported {
            out.push(name.clone());
        }
        unmodelled_names(p, out, depth + 1);
    }
    for s in node.items.iter().chain(node.additional.iter()) {
        if s.ty == Ty::Unsupported {
            // A list of timestamps: any rule on the list may read them.
            out.push(String::new());
        }
        unmodelled_names(s, out, depth + 1);
    }
}

fn type_of(m: &serde_json::Map<String, J>) -> Ty {
    let types: Vec<&str> = match m.get("type") {
        Some(J::String(t)) => vec![t.as_str()],
        Some(J::Array(ts)) => ts.iter().filter_map(J::as_str).collect(),
        _ => Vec::new(),
    };
    let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match types.as_slice() {
        ["object"] => Ty::Object,
        ["array"] => Ty::Array,
        ["integer"] => Ty::Int,
        ["number"] => Ty::Double,
        ["boolean"] => Ty::Bool,
        ["string"] => match m.get("format").and_then(J::as_str) {
            Some("date-time" | "datetime" | "date" | "duration" | "byte") => Ty::Unsupported,
            _ => Ty::String,
        },
        [a, b] if (*a == "integer" && *b == "string") || (*a == "string" && *b == "integer") => {
            Ty::IntOrString
        }
        _ => Ty::Any,
    }
}
