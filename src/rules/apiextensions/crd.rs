//! What the CustomResourceDefinition rules share: which objects they judge and which values
//! they judge (a finding quotes the API server's answer through [`Finding`]).

use crate::model::Object;
pub use crate::rules::api::{key_span, Finding};
use crate::yaml::Node;

/// The `spec` of an `apiextensions.k8s.io/v1` CustomResourceDefinition (v1beta1 is removed,
/// which `removed-api-version` reports).
pub fn v1_spec<'a>(obj: &Object<'a>) -> Option<&'a Node> {
    if obj.kind != "CustomResourceDefinition" || obj.api_version != "apiextensions.k8s.io/v1" {
        return None;
    }
    obj.spec().filter(|s| s.is_map())
}

/// A string value the rules judge: a string that is neither unrendered templating nor a
/// placeholder (those are for a later tool to fill in).
pub fn judged(node: &Node) -> Option<&str> {
    node.as_str()
        .filter(|s| !crate::model::fields::is_templated(s) && !crate::rules::api::is_placeholder(s))
}

/// Whether a value is its type's zero value, as Go's `reflect.DeepEqual` with the zero value
/// sees a decoded field (`false`, `""`, `null`).
pub fn is_zero(node: &Node) -> bool {
    node.is_null() || node.as_bool() == Some(false) || node.as_str() == Some("")
}
