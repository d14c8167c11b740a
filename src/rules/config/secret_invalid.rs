//! `secret-invalid`: `ValidateSecret` (pkg/apis/core/validation), after `stringData` is
//! merged into `data` and `type` defaults to `Opaque`: key syntax, the keys each built-in
//! type requires, docker config JSON, the 1 MiB limit.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{base64_decode, reject};
use crate::rules::config_keys::{check_keys, check_size};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "secret-invalid",
    severity: Severity::Error,
    category: Category::Config,
    summary: "A Secret with an invalid key, without the keys its type requires (tls.crt/tls.key, .dockerconfigjson, ...), or with docker config that is not JSON",
    fix: false,
    doc: include_str!("../../../rules/secret-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "Secret" || obj.group() != "" {
        return;
    }
    let fields = ["data", "stringData"];
    check_keys(ctx, obj, &fields);
    check_size(ctx, obj, &fields, |field, v| {
        if field == "data" {
            v.len() / 4 * 3
        } else {
            v.len()
        }
    });
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
    let has = |key: &str| value(key).is_some();
    // A Secret whose data comes from elsewhere (an empty or templated map) is not judged.
    let opaque_data = ["data", "stringData"].iter().any(|f| {
        obj.root
            .get(f)
            .is_some_and(|d| !d.is_map() && !d.is_null())
    });
    if opaque_data {
        return;
    }
    let required: &[&str] = match ty {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        _ => &[],
    };
    for key in required {
        if !has(key) {
            reject(
                ctx,
                obj,
                type_node,
                format!("a `{ty}` Secret has no `{key}` key"),
                &format!("Required value: data[{key}]"),
                &format!("add `{key}` under `data` (base64) or `stringData`, or change `type` (e.g. to `Opaque`)"),
            );
        }
    }
    if ty == "kubernetes.io/basic-auth" && !has("username") && !has("password") {
        reject(
            ctx,
            obj,
            type_node,
            "a `kubernetes.io/basic-auth` Secret has neither `username` nor `password`".into(),
            "Required value: data[username] / data[password]",
            "add `username` and/or `password` under `data` (base64) or `stringData`",
        );
    }
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
        let parsed: Result<serde_json::Map<String, serde_json::Value>, _> =
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
