//! `secret-invalid`: the parts of `ValidateSecret` (pkg/apis/core/validation) about what a
//! Secret's `type` says of its contents, after `stringData` is merged into `data`: docker
//! config that must be JSON, the service-account-token annotation. Key syntax, size, base64
//! and required keys are `invalid-config-data`'s.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{base64_decode, reject};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "secret-invalid",
    severity: Severity::Error,
    category: Category::Config,
    summary: "A Secret whose type's contents are wrong: docker config that is not JSON, a service-account-token Secret without its ServiceAccount annotation",
    fix: false,
    doc: include_str!("../../../rules/secret-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "Secret" || obj.group() != "" {
        return;
    }
    // Key syntax, size, base64 and the keys each type requires are `invalid-config-data`'s;
    // this rule checks what the type says about the contents.
    let Some(type_node) = obj.root.get("type") else { return };
    let Some(ty) = type_node.as_str() else { return };
    // The value of `key` after merging: `stringData` wins; `data` is base64.
    let value = |key: &str| -> Option<(&Node, Option<Vec<u8>>)> {
        if let Some(v) = obj.root.get("stringData").and_then(|d| d.get(key)) {
            return Some((v, v.text().map(|t| t.as_bytes().to_vec())));
        }
        let v = obj.root.get("data").and_then(|d| d.get(key))?;
        Some((v, v.as_str().and_then(base64_decode)))
    };
    if ty == "kubernetes.io/service-account-token" {
        let ann = obj
            .metadata()
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("kubernetes.io/service-account.name"))
            .and_then(Node::as_str)
            .unwrap_or("");
        if ann.is_empty() {
            reject(
                ctx,
                obj,
                type_node,
                "a `kubernetes.io/service-account-token` Secret has no `kubernetes.io/service-account.name` annotation".into(),
                "Required value: metadata.annotations[kubernetes.io/service-account.name]",
                "annotate it with the name of the ServiceAccount whose token it holds",
            );
        }
    }
    for key in [".dockercfg", ".dockerconfigjson"] {
        let matches_type = (key == ".dockercfg" && ty == "kubernetes.io/dockercfg")
            || (key == ".dockerconfigjson" && ty == "kubernetes.io/dockerconfigjson");
        if !matches_type {
            continue;
        }
        let Some((node, Some(bytes))) = value(key) else { continue };
        if node.text().is_some_and(crate::model::fields::is_templated) {
            continue;
        }
        // Go's `json.Unmarshal` into a map takes `null` as a nil map, without an error.
        let parsed: Result<Option<serde_json::Map<String, serde_json::Value>>, _> =
            serde_json::from_slice(&bytes);
        if let Err(e) = parsed {
            reject(
                ctx,
                obj,
                node,
                format!("the `{key}` value is not a JSON object: {e}"),
                &format!("Invalid value: \"<secret contents redacted>\": {e}"),
                "it must hold the JSON of a docker config (`{\"auths\": {...}}`), base64-encoded under `data` or as is under `stringData`; create it with `kubectl create secret docker-registry`",
            );
        }
    }
}
