//! Key syntax and size shared by `configmap-invalid` and `secret-invalid`
//! (`IsConfigMapKey`, `MaxSecretSize`).

use crate::model::Object;
use crate::rules::api::reject;
use crate::rules::Ctx;
use crate::yaml::Node;

/// `core.MaxSecretSize`, also the ConfigMap limit.
pub const MAX_SIZE: usize = 1024 * 1024;

/// `IsConfigMapKey`: the problems of `key`, empty when valid.
pub fn key_problems(key: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters");
    }
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errs.push("must consist of alphanumeric characters, '-', '_' or '.'");
    }
    if key == "." {
        errs.push("must not be '.'");
    } else if key == ".." {
        errs.push("must not be '..'");
    } else if key.starts_with("..") {
        errs.push("must not start with '..'");
    }
    errs
}

/// Checks the keys of the maps `fields` of `obj` and that no key is in two of them.
pub fn check_keys(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, fields: &[&str]) {
    let mut seen: Vec<(&str, &str, &Node)> = Vec::new();
    for field in fields {
        let Some(map) = obj.root.get(field) else {
            continue;
        };
        for e in map.entries() {
            let Some(k) = e.key.key_text() else { continue };
            if crate::model::fields::is_templated(k) {
                continue;
            }
            let errs = key_problems(k);
            if !errs.is_empty() {
                let fixed: String = k
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                reject(
                    ctx,
                    obj,
                    &e.key,
                    format!("the key `{k}` in `{field}` is not a valid key: {}", errs.join("; ")),
                    "Invalid value: a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    &format!("keys become file names when mounted: use letters, digits, '-', '_' and '.', e.g. `{fixed}`"),
                );
            }
            if let Some((other_field, _, other)) =
                seen.iter().find(|(f, sk, _)| *sk == k && f != field)
            {
                if *field != "stringData" {
                    crate::rules::api::reject_pair(
                        ctx,
                        obj,
                        &e.key,
                        other.span,
                        format!("also in `{other_field}` here"),
                        format!("the key `{k}` is in both `{other_field}` and `{field}`"),
                        &format!("Invalid value: duplicate of key \"{k}\""),
                        "a key may appear in only one of them; remove one",
                    );
                }
            }
            seen.push((field, k, &e.key));
        }
    }
}

/// The total size of the keys and values of `fields`, each value counted by `decode` (the
/// byte length it stands for); reported at the key of the largest value.
pub fn check_size(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    fields: &[&str],
    decode: impl Fn(&str, &str) -> usize,
) {
    let mut total = 0usize;
    let mut blame: Option<&crate::yaml::Entry> = None;
    for field in fields {
        let Some(map) = obj.root.get(field) else {
            continue;
        };
        for e in map.entries() {
            let k = e.key.key_text().unwrap_or("");
            total += k.len();
            if let Some(v) = e.value.text() {
                total += decode(field, v);
            }
            if blame.is_none_or(|b| e.value.span.len() > b.value.span.len()) {
                blame = Some(e);
            }
        }
    }
    if total <= MAX_SIZE {
        return;
    }
    let Some(b) = blame else { return };
    let key = b.key.key_text().unwrap_or("");
    reject(
        ctx,
        obj,
        &b.key,
        format!(
            "the {} holds {total} bytes, more than the 1 MiB limit (`{key}` is its largest value)",
            obj.kind
        ),
        &format!("Too long: must have at most {MAX_SIZE} bytes"),
        "objects are stored in etcd with a 1 MiB limit: split the data over several objects or mount it from elsewhere",
    );
}

#[cfg(test)]
mod tests {
    use crate::{check_text, Options};

    fn run(rule: &str, text: &str) -> Vec<String> {
        let mut opts = Options::default();
        opts.config.only.insert(rule.to_string());
        check_text("t.yaml", text, &opts)
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule)
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn a_configmap_over_one_mebibyte_is_reported_at_its_largest_key() {
        let big = "x".repeat(1024 * 1024 + 10);
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  small: ok\n  blob: {big}\n"
        );
        let found = run("configmap-invalid", &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("`blob` is its largest value"),
            "{found:?}"
        );
        let fits = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fits\ndata:\n  blob: {}\n",
            "x".repeat(1000 * 1000)
        );
        assert!(run("configmap-invalid", &fits).is_empty());
    }

    #[test]
    fn a_secret_counts_decoded_bytes() {
        // 1.2 MB of base64 is 0.9 MB of data: within the limit.
        let b64 = "QUJD".repeat(300_000);
        let text =
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  blob: {b64}\n");
        assert!(run("secret-invalid", &text).is_empty());
    }
}
