//! `invalid-config-data`: the keys and values of Secret and ConfigMap data as the API server
//! decodes and validates them (`ValidateSecret`, `ValidateConfigMap`, `IsConfigMapKey`;
//! `Secret.data` and `ConfigMap.binaryData` are `[]byte`, decoded from base64).

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-config-data",
    severity: Severity::Error,
    category: Category::Metadata,
    summary: "A Secret or ConfigMap data key is invalid, a binary value is not base64, a key is in both data and binaryData, or a Secret lacks the keys of its type",
    fix: false,
    doc: include_str!("../../../rules/invalid-config-data.md"),
    check: Check::Object(check),
};

/// `DNS1123SubdomainMaxLength`, the limit of a config map key.
const KEY_MAX: usize = 253;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !obj.group().is_empty() {
        return;
    }
    let (text_field, binary_field) = match obj.kind {
        "Secret" => ("stringData", "data"),
        "ConfigMap" => ("data", "binaryData"),
        _ => return,
    };
    let text = obj.root.get(text_field);
    let binary = obj.root.get(binary_field);
    for (field, map) in [(text_field, text), (binary_field, binary)] {
        for e in map.map(Node::entries).unwrap_or_default() {
            if let Some(k) = e.key.key_text() {
                key(ctx, obj, field, &e.key, k);
            }
        }
    }
    for e in binary.map(Node::entries).unwrap_or_default() {
        if let Some(v) = e.value.as_str() {
            base64_value(ctx, obj, binary_field, e, v, text_field);
        }
    }
    if obj.kind == "Secret" {
        secret_type_keys(ctx, obj, text, binary);
    }
    total_size(ctx, obj, text, binary);
    // A Secret's stringData is merged over data; a ConfigMap key must be in one map only.
    if obj.kind == "ConfigMap" {
        let (Some(text), Some(binary)) = (text, binary) else {
            return;
        };
        for e in binary.entries() {
            let Some(k) = e.key.key_text() else { continue };
            let Some(first) = text.entries().iter().find(|t| t.key.key_text() == Some(k)) else {
                continue;
            };
            let d = ctx
                .diag(
                    obj,
                    e.key.span,
                    format!("ConfigMap key `{k}` is in both `data` and `binaryData`: the API server rejects it (binaryData[{k}]: Invalid value: duplicate of key present in data)"),
                )
                .with_primary_label("also in binaryData")
                .with_label(obj.file, first.key.span, "first in data")
                .with_help("keep the key in one of the two maps");
            ctx.push(d);
        }
    }
}

/// `ValidateSecret`: the keys each well-known Secret `type` requires, after `stringData` is
/// merged into `data` (the v1 conversion does that before validation).
fn secret_type_keys(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, text: Option<&Node>, binary: Option<&Node>) {
    let Some(type_node) = obj.root.get("type") else {
        return;
    };
    let Some(ty) = type_node.as_str() else { return };
    let keys: Vec<&str> = [text, binary]
        .into_iter()
        .flatten()
        .flat_map(|m| m.entries().iter().filter_map(|e| e.key.key_text()))
        .collect();
    let has = |k: &str| keys.contains(&k);
    let missing: Vec<&str> = match ty {
        "kubernetes.io/tls" => ["tls.crt", "tls.key"].into_iter().filter(|k| !has(k)).collect(),
        "kubernetes.io/dockerconfigjson" if !has(".dockerconfigjson") => vec![".dockerconfigjson"],
        "kubernetes.io/dockercfg" if !has(".dockercfg") => vec![".dockercfg"],
        "kubernetes.io/ssh-auth" if !has("ssh-privatekey") => vec!["ssh-privatekey"],
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            vec!["username` or `password"]
        }
        _ => Vec::new(),
    };
    if missing.is_empty() {
        return;
    }
    let list = missing
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let d = ctx
        .diag(
            obj,
            type_node.span,
            format!("a Secret of type `{ty}` needs the key {list} in `data` or `stringData`: the API server rejects it (data[{}]: Required value)", missing[0].split('`').next().unwrap_or(missing[0])),
        )
        .with_primary_label(format!("requires {list}"))
        .with_help(format!("add {list}, or use `type: Opaque` for free-form data"));
    ctx.push(d);
}

/// `MaxSecretSize` (also the ConfigMap limit): the values, decoded, at most 1 MiB.
const MAX_DATA_SIZE: usize = 1024 * 1024;

/// The decoded size of the values (`ValidateSecret`/`ValidateConfigMap` sum the value
/// lengths; a Secret's `stringData` replaces the `data` entry of the same key).
fn total_size(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, text: Option<&Node>, binary: Option<&Node>) {
    let binary = binary.map(Node::entries).unwrap_or_default();
    let text = text.map(Node::entries).unwrap_or_default();
    // Entry `i` of both in turn, binary first: a later entry replaces an earlier one of its key.
    let entry = |i: usize| binary.get(i).or_else(|| text.get(i - binary.len()));
    // The key of an entry whose value counts (a string), without decoding the value.
    let key = |i: usize| {
        let e = entry(i)?;
        let counted = if i < binary.len() { e.value.as_str().is_some() } else { e.value.text().is_some() };
        counted.then(|| e.key.key_text()).flatten()
    };
    let size = |i: usize| -> Option<(&str, usize)> {
        let (k, v) = (key(i)?, &entry(i)?.value);
        if i >= binary.len() {
            return Some((k, v.text()?.len()));
        }
        let v = v.as_str()?;
        let chars = v.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).count();
        let pad = v.trim_end().bytes().rev().take_while(|b| *b == b'=').count();
        Some((k, (chars / 4 * 3).saturating_sub(pad)))
    };
    let n = binary.len() + text.len();
    // Replacing only ever lowers the sum: under the limit with every entry counted, done.
    if (0..n).filter_map(size).map(|(_, s)| s).sum::<usize>() <= MAX_DATA_SIZE {
        return;
    }
    let last = crate::yaml::last_of_each(n, key, |_, _| {});
    let total: usize = last.filter_map(size).map(|(_, s)| s).sum();
    if total <= MAX_DATA_SIZE {
        return;
    }
    let span = obj.root.get("kind").map_or(obj.root.span, |k| k.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "the {} holds {total} bytes of data: the API server rejects it (data: Too long: may not be more than {MAX_DATA_SIZE} bytes)",
                obj.kind
            ),
        )
        .with_primary_label("more than 1 MiB of data")
        .with_help("split the data over several objects, or keep large files in an image or a volume");
    ctx.push(d);
}

/// `IsConfigMapKey`: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`/`..`, not
/// starting with `..`.
fn key(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, field: &str, node: &Node, k: &str) {
    let mut errs = Vec::new();
    if k.len() > KEY_MAX {
        errs.push(format!("must be no more than {KEY_MAX} characters"));
    }
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errs.push("must consist of letters, digits, '-', '_' or '.'".to_string());
    }
    if k == "." || k == ".." {
        errs.push(format!("must not be '{k}'"));
    } else if k.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    if errs.is_empty() {
        return;
    }
    let d = ctx
        .diag(
            obj,
            node.span,
            format!(
                "{} key `{k}` is not valid: the API server rejects it ({field}[{k}]: Invalid value: {})",
                obj.kind,
                errs.join("; ")
            ),
        )
        .with_primary_label("not a valid key")
        .with_help("a key becomes a file name when mounted: use letters, digits, '-', '_' and '.' (e.g. `config.yaml`)");
    ctx.push(d);
}

fn base64_value(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    field: &str,
    e: &crate::yaml::Entry,
    v: &str,
    text_field: &str,
) {
    let Err(why) = check_base64(v) else { return };
    let k = e.key.key_text().unwrap_or("?");
    let d = ctx
        .diag(
            obj,
            e.value.span,
            format!(
                "{}.{field}[{k}] is not valid base64: the API server cannot decode it into bytes ({why})",
                obj.kind
            ),
        )
        .with_primary_label("not base64")
        .with_help(format!(
            "`{field}` holds base64-encoded bytes (`echo -n 'value' | base64`); to write the value as plain text, put it under `{text_field}` instead"
        ));
    ctx.push(d);
}

/// Go's `base64.StdEncoding` as `encoding/json` uses it for `[]byte`: the standard
/// alphabet, padded to a multiple of 4; `\r` and `\n` are skipped.
fn check_base64(v: &str) -> Result<(), String> {
    let chars: Vec<u8> = v.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    if let Some(bad) = chars
        .iter()
        .find(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
    {
        return Err(format!("illegal character `{}`", char::from(*bad).escape_default()));
    }
    if !chars.len().is_multiple_of(4) {
        return Err(format!(
            "its length {} is not a multiple of 4 (missing `=` padding?)",
            chars.len()
        ));
    }
    let pad = chars.iter().rev().take_while(|b| **b == b'=').count();
    let body = &chars[..chars.len() - pad];
    if pad > 2 || body.contains(&b'=') {
        return Err("`=` is only allowed as padding at the end".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_base64;

    #[test]
    fn data_larger_than_one_mib_is_rejected() {
        let run = |bytes: usize| {
            let text = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: {}\n  b: x\n",
                "x".repeat(bytes)
            );
            let mut opts = crate::Options::default();
            opts.config.only.insert(super::RULE.id.to_string());
            crate::check_text("big.yaml", &text, &opts).diagnostics.len()
        };
        assert_eq!(run(1024 * 1024 - 1), 0);
        assert_eq!(run(1024 * 1024), 1);
    }

    /// A later entry of a key replaces an earlier one in the sum: `stringData` over `data`,
    /// and the last of a repeated key.
    #[test]
    fn replaced_entries_count_once() {
        let kib = |n: usize| "x".repeat(n * 1024);
        // 600 KiB decoded from base64 (800 KiB of text).
        let b64 = "eHh4".repeat(200 * 1024);
        let run = |data: &str, string_data: &str| {
            let text = format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n{data}stringData:\n{string_data}"
            );
            let mut opts = crate::Options::default();
            opts.config.only.insert(super::RULE.id.to_string());
            let report = crate::check_text("s.yaml", &text, &opts);
            report
                .diagnostics
                .iter()
                .filter(|d| d.rule == super::RULE.id)
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        };
        let same_key = run(&format!("  a: {b64}\n"), &format!("  a: {}\n", kib(600)));
        assert!(same_key.is_empty(), "{same_key:?}");
        let two_keys = run(&format!("  a: {b64}\n"), &format!("  b: {}\n", kib(600)));
        assert_eq!(two_keys.len(), 1);
        assert!(two_keys[0].contains(&format!("holds {} bytes", 1200 * 1024)), "{two_keys:?}");
        let repeated = run("", &format!("  a: {}\n  a: {}\n", kib(600), kib(600)));
        assert!(repeated.is_empty(), "{repeated:?}");
    }

    #[test]
    fn base64_as_go_decodes_it() {
        assert!(check_base64("").is_ok());
        assert!(check_base64("aGVsbG8=").is_ok());
        assert!(check_base64("aGVs\nbG8=").is_ok());
        assert!(check_base64("aGVsbG8").is_err());
        assert!(check_base64("hello world").is_err());
        assert!(check_base64("aG=sbG8=").is_err());
        assert!(check_base64("aGVsbG8-").is_err());
    }
}
