//! What the CustomResourceDefinition rules share: which objects they judge, the versions and
//! schemas of a CRD, and the way a finding quotes the API server's answer.

use crate::model::Object;
use crate::rules::Ctx;
use crate::yaml::{Node, Span};

/// The `spec` of an `apiextensions.k8s.io/v1` CustomResourceDefinition (v1beta1 is removed,
/// which `removed-api-version` reports).
pub fn v1_spec<'a>(obj: &Object<'a>) -> Option<&'a Node> {
    if obj.kind != "CustomResourceDefinition" || obj.api_version != "apiextensions.k8s.io/v1" {
        return None;
    }
    obj.spec().filter(|s| s.is_map())
}

/// One finding in the API server's terms: where, the server's field path and answer, and
/// what to do.
pub struct Finding {
    pub span: Span,
    pub path: String,
    pub message: String,
    pub server: String,
    pub help: String,
}

impl Finding {
    pub fn new(
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
        server: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Finding {
            span,
            path: path.into(),
            message: message.into(),
            server: server.into(),
            help: help.into(),
        }
    }

    pub fn report(self, ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
        let server = self.server.replace('`', "'");
        let mut help = format!(
            "the API server rejects the CustomResourceDefinition (`{}: {server}`)",
            self.path
        );
        if !self.help.is_empty() {
            help.push_str("; ");
            help.push_str(&self.help);
        }
        let d = ctx.diag(obj, self.span, self.message).with_help(help);
        ctx.push(d);
    }
}

/// The span to point at for something a mapping lacks or holds wrongly: the key of `key`
/// when present, else the mapping itself.
pub fn key_span(map: &Node, key: &str) -> Span {
    map.entry(key).map_or(map.span, |e| e.key.span)
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
