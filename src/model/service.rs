//! A typed view over a core/v1 Service, shared by the Service rules.

use super::{label_map, LabelSelector, Object};
use crate::yaml::Node;

#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    pub obj: Object<'a>,
    pub spec: Option<&'a Node>,
}

impl<'a> Service<'a> {
    /// The view, when `obj` is a core/v1 Service.
    pub fn of(obj: &Object<'a>) -> Option<Self> {
        (obj.kind == "Service" && obj.group().is_empty()).then(|| Service {
            obj: *obj,
            spec: obj.spec(),
        })
    }

    /// `spec.type` as written, `ClusterIP` when absent (the API default).
    pub fn service_type(&self) -> &'a str {
        self.spec
            .and_then(|s| s.get("type"))
            .and_then(Node::as_str)
            .unwrap_or("ClusterIP")
    }

    /// `clusterIP: None`.
    pub fn is_headless(&self) -> bool {
        self.spec
            .and_then(|s| s.get("clusterIP"))
            .and_then(Node::as_str)
            == Some("None")
    }

    /// `spec.selector` when it is a mapping.
    pub fn selector_node(&self) -> Option<&'a Node> {
        self.spec
            .and_then(|s| s.get("selector"))
            .filter(|s| s.is_map())
    }

    /// The selector; empty when absent or not a mapping.
    pub fn selector(&self) -> LabelSelector<'a> {
        self.selector_node()
            .map(LabelSelector::from_map)
            .unwrap_or_default()
    }

    /// `spec.ports` items.
    pub fn ports(&self) -> &'a [Node] {
        self.spec
            .and_then(|s| s.get("ports"))
            .map(Node::items)
            .unwrap_or_default()
    }

    /// Does the selector select the labels? An absent or empty selector selects nothing
    /// (a Service without a selector gets no endpoints).
    pub fn selects(&self, labels: Option<&Node>) -> bool {
        let sel = self.selector();
        !sel.is_empty() && sel.matches(&label_map(labels))
    }
}

/// The protocol of a port item: `TCP` when absent (the API default).
pub fn port_protocol(port: &Node) -> &str {
    port.get("protocol").and_then(Node::as_str).unwrap_or("TCP")
}
