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
