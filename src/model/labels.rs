//! Label maps and label selectors.

use crate::yaml::Node;

/// `(key, value, key node)` of a label map; values are read by their text so a label
/// written `version: 1` still matches `"1"` (the type error is the schema's to report).
pub fn label_map(node: Option<&Node>) -> Vec<(&str, &str, &Node)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|e| Some((e.key.key_text()?, e.value.text().unwrap_or(""), &e.key)))
            .collect()
    })
    .unwrap_or_default()
}

#[derive(Clone, Debug)]
pub struct Requirement<'a> {
    pub key: &'a str,
    pub operator: &'a str,
    pub values: Vec<&'a str>,
}

/// A label selector: `matchLabels` plus `matchExpressions`, or a Service's plain map.
#[derive(Clone, Debug, Default)]
pub struct LabelSelector<'a> {
    pub match_labels: Vec<(&'a str, &'a str)>,
    pub expressions: Vec<Requirement<'a>>,
}

impl<'a> LabelSelector<'a> {
    /// A `metav1.LabelSelector` (`matchLabels` / `matchExpressions`).
    pub fn from_selector(node: &'a Node) -> Self {
        let match_labels = label_map(node.get("matchLabels"))
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        let expressions = node
            .get("matchExpressions")
            .map(|e| e.items())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                Some(Requirement {
                    key: r.get("key")?.text()?,
                    operator: r.get("operator")?.text()?,
                    values: r
                        .get("values")
                        .map(|v| v.items().iter().filter_map(Node::text).collect())
                        .unwrap_or_default(),
                })
            })
            .collect();
        LabelSelector {
            match_labels,
            expressions,
        }
    }

    /// A plain `key: value` map selector (Service, ReplicationController).
    pub fn from_map(node: &'a Node) -> Self {
        LabelSelector {
            match_labels: label_map(Some(node))
                .into_iter()
                .map(|(k, v, _)| (k, v))
                .collect(),
            expressions: Vec::new(),
        }
    }

    /// The selector without requirements on labels that controllers add to the pods they
    /// create (`pod-template-hash`, `statefulset.kubernetes.io/pod-name`, `job-name`, ...):
    /// a pod template cannot show them, so they must not decide whether it is selected.
    pub fn without_controller_keys(&self) -> Self {
        LabelSelector {
            match_labels: self
                .match_labels
                .iter()
                .filter(|(k, _)| !is_controller_label(k))
                .copied()
                .collect(),
            expressions: self
                .expressions
                .iter()
                .filter(|r| !is_controller_label(r.key))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &[(&str, &str, &Node)]) -> bool {
        selector_matches(self, labels)
    }

    /// `a=b, c in (d, e)` for messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.expressions {
            parts.push(match r.operator {
                "Exists" => r.key.to_string(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!(
                    "{} {} ({})",
                    r.key,
                    op.to_ascii_lowercase(),
                    r.values.join(", ")
                ),
            });
        }
        parts.join(", ")
    }
}

/// Kubernetes selector semantics: every requirement must hold; an empty selector matches
/// everything.
pub fn selector_matches(sel: &LabelSelector<'_>, labels: &[(&str, &str, &Node)]) -> bool {
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _, _)| *lk == k)
            .map(|(_, v, _)| *v)
    };
    sel.match_labels.iter().all(|(k, v)| get(k) == Some(*v))
        && sel.expressions.iter().all(|r| match r.operator {
            "In" => get(r.key).is_some_and(|v| r.values.contains(&v)),
            "NotIn" => get(r.key).is_none_or(|v| !r.values.contains(&v)),
            "Exists" => get(r.key).is_some(),
            "DoesNotExist" => get(r.key).is_none(),
            // An invalid operator is another rule's finding; do not claim a mismatch.
            _ => true,
        })
}

/// "`app: web`, `tier: front`" (or "no labels") for messages about a label map.
pub fn describe_labels(labels: &[(&str, &str, &Node)]) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    labels
        .iter()
        .map(|(k, v, _)| format!("`{k}: {v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many of the selector's `matchLabels` pairs the labels satisfy: a closeness score for
/// "the closest pod template is here".
pub fn selector_closeness(sel: &LabelSelector<'_>, labels: &[(&str, &str, &Node)]) -> usize {
    sel.match_labels
        .iter()
        .filter(|(k, v)| labels.iter().any(|(lk, lv, _)| lk == k && lv == v))
        .count()
        * 2
        + sel
            .match_labels
            .iter()
            .filter(|(k, _)| labels.iter().any(|(lk, _, _)| lk == k))
            .count()
}

/// Labels set on pods by their controllers, never written in a template.
pub fn is_controller_label(key: &str) -> bool {
    matches!(
        key,
        "pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
            | "statefulset.kubernetes.io/pod-name"
            | "apps.kubernetes.io/pod-index"
            | "job-name"
            | "controller-uid"
            | "batch.kubernetes.io/job-name"
            | "batch.kubernetes.io/controller-uid"
            | "batch.kubernetes.io/job-completion-index"
    )
}
