//! `env-var-invalid`: environment variables the API server rejects (`ValidateEnv`,
//! `validateEnvVarValueFrom`, `validateObjectFieldSelector`,
//! `validateContainerResourceFieldSelector`, `validateConfigMapKeySelector`,
//! `validateSecretKeySelector`, `validateEnvFrom`).

use crate::diagnostics::Severity;
use crate::model::names::{dns1123_subdomain, qualified_name};
use crate::model::{all_items, Container, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "env-var-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "An env or envFrom entry the API server rejects: a bad variable name, valueFrom with no source or several, value beside valueFrom, an unsupported fieldRef/resourceFieldRef, a bad key or name",
    fix: false,
    doc: include_str!("../../../rules/env-var-invalid.md"),
    check: Check::Object(check),
};

const VALUE_SOURCES: &[&str] = &[
    "fieldRef",
    "resourceFieldRef",
    "configMapKeyRef",
    "secretKeyRef",
    // Alpha in 1.34 (EnvFiles); counted so that it is never "no source".
    "fileKeyRef",
];

const FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const RESOURCE_PATHS: &[&str] = &[
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let relaxed = relaxed_names(ctx.config.kubernetes_version.as_deref());
    for c in t.containers() {
        for e in c.env() {
            if let Some(n) = e.get("name") {
                if let Some(name) = n.as_str() {
                    env_name(ctx, obj, &c, n, name, relaxed, "environment variable name");
                }
            }
            value_from(ctx, obj, &c, e);
        }
        for e in all_items(Some(c.node), "envFrom") {
            env_from(ctx, obj, &c, e, relaxed);
        }
    }
}

/// `RelaxedEnvironmentVariableValidation` is on by default from Kubernetes 1.32 (GA 1.34).
fn relaxed_names(version: Option<&str>) -> bool {
    let minor = version
        .and_then(|v| v.strip_prefix("1."))
        .and_then(|m| m.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    minor.is_none_or(|m| m >= 32)
}

fn env_name_problem(name: &str, relaxed: bool) -> Option<&'static str> {
    if name.is_empty() {
        return None; // `name: Required value` is the schema's finding.
    }
    if relaxed {
        if name.contains('=') {
            return Some("must not contain '='");
        }
        if !name.chars().all(|c| (' '..='~').contains(&c)) {
            return Some("must consist only of printable ASCII characters");
        }
        return None;
    }
    let ok_first = |c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_');
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(ok_first)
        && chars.all(|c| ok_first(c) || c.is_ascii_digit());
    (!valid).then_some(
        "must consist of letters, digits, '_', '-' or '.', and must not start with a digit",
    )
}

fn env_name(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    c: &Container<'_>,
    node: &Node,
    name: &str,
    relaxed: bool,
    what: &str,
) {
    let Some(problem) = env_name_problem(name, relaxed) else { return };
    let d = ctx
        .diag(obj, node.span, format!("`{name}` in {} is not a valid {what}: it {problem}", c.describe()))
        .with_primary_label(problem)
        .with_help(format!("the API server rejects the pod (`Invalid value: \"{name}\": {problem}`); rename it, e.g. `{}`", suggest(name)));
    ctx.push(d);
}

fn suggest(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

fn value_from(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, env: &Node) {
    let Some(vf) = env.entry("valueFrom").filter(|e| e.value.is_map()) else {
        return;
    };
    let var = env.get("name").and_then(Node::as_str).unwrap_or("?");
    let who = c.describe();
    if let Some(v) = env.get("value").filter(|v| v.text().is_some_and(|t| !t.is_empty())) {
        let d = ctx
            .diag(obj, v.span, format!("the environment variable `{var}` of {who} sets both `value` and `valueFrom`"))
            .with_primary_label("value")
            .with_label(obj.file, vf.key.span, "valueFrom")
            .with_help("the API server rejects it (`valueFrom: Invalid value: may not be specified when `value` is not empty`); keep one of the two");
        ctx.push(d);
    }
    let sources: Vec<_> = vf
        .value
        .entries()
        .iter()
        .filter(|e| e.key.key_text().is_some_and(|k| VALUE_SOURCES.contains(&k)) && !e.value.is_null())
        .collect();
    match sources.as_slice() {
        [] => {
            // A misspelt source is the schema's unknown field.
            if vf.value.entries().is_empty() {
                let d = ctx
                    .diag(obj, vf.key.span, format!("`valueFrom` of the environment variable `{var}` of {who} names no source"))
                    .with_primary_label("empty")
                    .with_help("the API server rejects it (`valueFrom: Invalid value: must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef``); add one, or use `value:`");
                ctx.push(d);
            }
        }
        [_] => {}
        [first, second, ..] => {
            let d = ctx
                .diag(obj, second.key.span, format!("`valueFrom` of the environment variable `{var}` of {who} names more than one source"))
                .with_primary_label("second source")
                .with_label(obj.file, first.key.span, "first source")
                .with_help("the API server rejects it (`valueFrom: Invalid value: may not have more than one field specified at a time`); an environment variable takes its value from one place; keep one");
            ctx.push(d);
        }
    }
    if let Some(p) = vf.value.get_path(&["fieldRef", "fieldPath"]) {
        field_path(ctx, obj, p, var, &who);
    }
    if let Some(fr) = vf.value.get("fieldRef").filter(|n| n.is_map()) {
        if let Some(d) = field_ref_api_version(ctx, obj, fr, &format!("the fieldRef of `{var}` ({who})")) {
            ctx.push(d);
        }
    }
    if let Some(rf) = vf.value.get("resourceFieldRef").filter(|n| n.is_map()) {
        if let Some(d) = divisor(ctx, obj, rf, &format!("the resourceFieldRef of `{var}` ({who})")) {
            ctx.push(d);
        }
    }
    if let Some(r) = vf.value.get_path(&["resourceFieldRef", "resource"]) {
        if let Some(res) = r.as_str() {
            let ok = RESOURCE_PATHS.contains(&res)
                || res.starts_with("requests.hugepages-")
                || res.starts_with("limits.hugepages-");
            if !ok && !res.is_empty() {
                let d = ctx
                    .diag(obj, r.span, format!("`resource: {res}` in the resourceFieldRef of `{var}` ({who}) is not supported"))
                    .with_primary_label("unsupported")
                    .with_help(format!("the API server rejects it (`resourceFieldRef.resource: Unsupported value: \"{res}\"`); use one of {}, or `limits.hugepages-<size>`", RESOURCE_PATHS.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")));
                ctx.push(d);
            }
        }
    }
    for sel in ["configMapKeyRef", "secretKeyRef"] {
        let Some(s) = vf.value.get(sel).filter(|n| n.is_map()) else { continue };
        if let Some(k) = s.get("key") {
            if let Some(key) = k.as_str() {
                if let Some(problem) = config_map_key_problem(key) {
                    let d = ctx
                        .diag(obj, k.span, format!("`key: {key}` in the {sel} of `{var}` ({who}) is not a valid key"))
                        .with_primary_label(problem)
                        .with_help(format!("the API server rejects it (`{sel}.key: Invalid value: \"{key}\": {problem}`)"));
                    ctx.push(d);
                }
            }
        }
        object_name(ctx, obj, s, sel, &format!("`{var}` ({who})"));
    }
}

fn field_path(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, p: &Node, var: &str, who: &str) {
    let Some(path) = p.as_str() else { return };
    // `spec.host` is converted to `spec.nodeName` for old v1 clients before it is checked
    // (`ConvertDownwardAPIFieldLabel`).
    if path.is_empty() || FIELD_PATHS.contains(&path) || path == "spec.host" {
        return;
    }
    let (base, subscript) = match path.split_once('[') {
        Some((b, rest)) => (b, Some(rest)),
        None => (path, None),
    };
    let problem = match subscript {
        Some(rest) => {
            let key = rest
                .strip_suffix(']')
                .and_then(|k| k.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')));
            match (base, key) {
                // `validateObjectFieldSelector` checks an annotation subscript in lower
                // case (so `Example.com/Owner` passes), a label subscript as written.
                ("metadata.labels", Some(k)) if qualified_name(k).is_empty() => return,
                ("metadata.annotations", Some(k)) if qualified_name(&k.to_ascii_lowercase()).is_empty() => return,
                ("metadata.labels" | "metadata.annotations", Some(_)) => "names a key that is not a valid label or annotation key".to_string(),
                ("metadata.labels" | "metadata.annotations", None) => "has a malformed subscript; write `metadata.labels['key']`".to_string(),
                _ => format!("does not support a subscript on `{base}`"),
            }
        }
        None => "is not a field an environment variable can read".to_string(),
    };
    let d = ctx
        .diag(obj, p.span, format!("`fieldPath: {path}` in the fieldRef of `{var}` ({who}) {problem}"))
        .with_primary_label("unsupported")
        .with_help(format!(
            "the API server rejects it (`fieldRef.fieldPath: Unsupported value: \"{path}\"`); environment variables can read {}, and `metadata.labels['<key>']` or `metadata.annotations['<key>']`",
            FIELD_PATHS.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    ctx.push(d);
}

/// `validateObjectFieldSelector`: `apiVersion` (defaulted to `v1`) must be `v1`, the only
/// version the downward API converts field paths for.
pub fn field_ref_api_version(
    ctx: &Ctx<'_, '_>,
    obj: &Object<'_>,
    field_ref: &Node,
    whose: &str,
) -> Option<crate::diagnostics::Diagnostic> {
    let n = field_ref.get("apiVersion")?;
    let v = n.as_str().filter(|v| !v.is_empty() && *v != "v1")?;
    if crate::model::fields::is_templated(v) {
        return None;
    }
    Some(
        ctx.diag(obj, n.span, format!("`apiVersion: {v}` in {whose} is not `v1`"))
            .with_primary_label("unsupported pod version")
            .with_help(format!("the API server rejects it (`fieldRef.fieldPath: Invalid value: error converting fieldPath: unsupported pod version: {v}`); the field paths are those of a v1 Pod: write `apiVersion: v1` or leave it out")),
    )
}

/// `validateContainerResourceDivisor`: cpu takes `1m` or `1`; memory, ephemeral storage
/// and hugepages take `1` or a power of 1000 or 1024 up to `E`/`Ei`. The server compares
/// the canonical text; a value outside these is rejected whatever its spelling.
pub fn divisor(
    ctx: &Ctx<'_, '_>,
    obj: &Object<'_>,
    resource_field_ref: &Node,
    whose: &str,
) -> Option<crate::diagnostics::Diagnostic> {
    let res = resource_field_ref.get("resource").and_then(Node::as_str)?;
    let node = resource_field_ref.get("divisor")?;
    let q = crate::model::quantity::from_node(node)?.ok()?;
    if q.value == 0.0 {
        return None; // unset
    }
    let close = |a: f64, b: f64| ((a - b) / b).abs() < 1e-9;
    const BYTES: &str = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";
    let (ok, values, what) = match res {
        "limits.cpu" | "requests.cpu" => (close(q.value, 1.0) || close(q.value, 0.001), "1m and 1", "cpu"),
        "limits.memory" | "requests.memory" => (bytes_divisor(q.value), BYTES, "memory"),
        "limits.ephemeral-storage" | "requests.ephemeral-storage" => {
            (bytes_divisor(q.value), BYTES, "local ephemeral storage")
        }
        r if r.starts_with("limits.hugepages-") || r.starts_with("requests.hugepages-") => {
            (bytes_divisor(q.value), BYTES, "hugepages")
        }
        _ => return None,
    };
    if ok {
        return None;
    }
    let text = node.text().unwrap_or("");
    Some(
        ctx.diag(obj, node.span, format!("`divisor: {text}` in {whose} is not a divisor `{res}` supports"))
            .with_primary_label("unsupported divisor")
            .with_help(format!("the API server rejects it (`resourceFieldRef.divisor: Invalid value: \"{res}\": only divisor's values {values} are supported with the {what} resource`); the value is divided by the divisor and rounded up, so use e.g. `1m` for millicores or `1Mi` for mebibytes")),
    )
}

fn bytes_divisor(v: f64) -> bool {
    let close = |b: f64| ((v - b) / b).abs() < 1e-9;
    (0..=6).any(|i| close(1000f64.powi(i)) || close(1024f64.powi(i)))
}

/// `IsConfigMapKey`.
pub fn config_map_key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some("must not be empty");
    }
    if key.len() > 253 {
        return Some("must be no more than 253 characters");
    }
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Some("must consist of alphanumeric characters, '-', '_' or '.'");
    }
    if key == "." || key == ".." || key.starts_with("..") {
        return Some("must not be '.' or '..', nor start with '..'");
    }
    None
}

/// The `name` of a ConfigMap or Secret reference: a DNS-1123 subdomain.
fn object_name(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sel: &Node, what: &str, whose: &str) {
    object_name_as(ctx, obj, sel, what, whose, false);
}

/// `prefix`: the server checks the name as a name prefix (`ValidateConfigMapName(name,
/// true)` for `envFrom`), which allows a trailing `-`. No object has such a name, so the
/// container cannot start, unless the source is `optional`.
fn object_name_as(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sel: &Node, what: &str, whose: &str, prefix: bool) {
    let Some(n) = sel.get("name") else { return };
    let Some(name) = n.as_str() else { return };
    if name.is_empty() {
        let d = ctx
            .diag(obj, n.span, format!("the {what} of {whose} has an empty `name`"))
            .with_primary_label("empty")
            .with_help(format!("the API server rejects it (`{what}.name: Invalid value: \"\"`); name the ConfigMap or Secret to read"));
        ctx.push(d);
        return;
    }
    let Some(problem) = dns1123_subdomain(name).into_iter().next() else { return };
    // `maskTrailingDash`: the last two characters become `a`.
    let masked = (name.len() > 1 && name.ends_with('-'))
        .then(|| name.get(..name.len() - 2))
        .flatten()
        .map(|m| format!("{m}a"));
    let admitted = prefix && masked.is_some_and(|m| dns1123_subdomain(&m).is_empty());
    if admitted && sel.get("optional").and_then(Node::as_bool) == Some(true) {
        return;
    }
    let help = if admitted {
        format!("the API server admits it (it checks `{what}.name` as a name prefix), but no ConfigMap or Secret can have this name ({problem}), so the container cannot start; remove the trailing `-`")
    } else {
        format!("no ConfigMap or Secret can have this name, and the API server rejects it (`{what}.name: Invalid value: \"{name}\": {problem}`)")
    };
    let d = ctx
        .diag(obj, n.span, format!("`name: {name}` in the {what} of {whose} is not a valid object name"))
        .with_primary_label("invalid name")
        .with_help(help);
    ctx.push(d);
}

fn env_from(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, e: &Node, relaxed: bool) {
    let who = c.describe();
    let sources: Vec<_> = e
        .entries()
        .iter()
        .filter(|x| matches!(x.key.key_text(), Some("configMapRef" | "secretRef")) && !x.value.is_null())
        .collect();
    match sources.as_slice() {
        [] => {
            if e.entries().iter().all(|x| x.key.key_text() == Some("prefix")) {
                let d = ctx
                    .diag(obj, e.span, format!("an envFrom entry of {who} names neither `configMapRef` nor `secretRef`"))
                    .with_primary_label("no source")
                    .with_help("the API server rejects it (`envFrom: Invalid value: must specify one of: `configMapRef` or `secretRef``); add one");
                ctx.push(d);
            }
        }
        [_] => {}
        [first, second, ..] => {
            let d = ctx
                .diag(obj, second.key.span, format!("an envFrom entry of {who} names both `configMapRef` and `secretRef`"))
                .with_primary_label("second source")
                .with_label(obj.file, first.key.span, "first source")
                .with_help("the API server rejects it (`envFrom: Invalid value: may not have more than one field specified at a time`); split it into two entries");
            ctx.push(d);
        }
    }
    for s in sources {
        if s.value.is_map() {
            let what = s.key.key_text().unwrap_or_default();
            object_name_as(ctx, obj, &s.value, what, &format!("an envFrom entry of {who}"), true);
        }
    }
    if let Some(p) = e.get("prefix") {
        if let Some(prefix) = p.as_str() {
            env_name(ctx, obj, c, p, prefix, relaxed, "envFrom prefix");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_divisors() {
        for v in [1.0, 1000.0, 1024.0, 1048576.0, 1e18, 1152921504606846976.0] {
            assert!(bytes_divisor(v), "{v}");
        }
        for v in [2.0, 512.0 * 1048576.0, 0.5, 1e21] {
            assert!(!bytes_divisor(v), "{v}");
        }
    }

    #[test]
    fn names_follow_the_version() {
        assert_eq!(env_name_problem("1.relaxed name", true), None);
        assert!(env_name_problem("1.relaxed name", false).is_some());
        assert!(env_name_problem("A=B", true).is_some());
        assert!(env_name_problem("caf\u{e9}", true).is_some());
        assert_eq!(env_name_problem("_OK.name-1", false), None);
        assert!(relaxed_names(None));
        assert!(relaxed_names(Some("1.32")));
        assert!(!relaxed_names(Some("1.31")));
    }

    #[test]
    fn config_map_keys() {
        assert_eq!(config_map_key_problem("app.properties"), None);
        assert!(config_map_key_problem("a/b").is_some());
        assert!(config_map_key_problem("..data").is_some());
        assert!(config_map_key_problem("").is_some());
    }
}
