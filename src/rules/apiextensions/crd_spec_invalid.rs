//! `crd-spec-invalid`: what `ValidateCustomResourceDefinition` and
//! `validateCustomResourceDefinitionSpec` (apiextensions-apiserver
//! `pkg/apis/apiextensions/validation`) reject outside the schema, after the v1 defaults
//! (`singular` = lower-case `kind`, `listKind` = `kind` + `List`, conversion `None`): the name,
//! group, scope, names, versions (storage, names, schema present, deprecation warning,
//! subresources, printer columns, selectable fields), `preserveUnknownFields` and conversion.

use std::collections::HashSet;

use super::crd::{judged, key_span, v1_spec, Finding};
use crate::rules::webhook_client::client_config;
use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_subdomain, one_of};
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "crd-spec-invalid",
    severity: Severity::Error,
    category: Category::ApiExtensions,
    summary: "A CustomResourceDefinition the API server rejects: name, group, names, versions, conversion, subresources, printer columns",
    fix: false,
    doc: include_str!("../../../rules/crd-spec-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(spec) = v1_spec(obj) else { return };
    let mut out = Vec::new();
    name(obj, spec, &mut out);
    group(spec, &mut out);
    api_approval(obj, spec, &mut out);
    scope(spec, &mut out);
    names(spec, &mut out);
    versions(spec, &mut out);
    preserve_unknown_fields(spec, &mut out);
    conversion(spec, &mut out);
    for f in out {
        f.report(ctx, obj);
    }
}

/// `metadata.name` must be `<plural>.<group>`.
fn name(obj: &Object<'_>, spec: &Node, out: &mut Vec<Finding>) {
    let Some(node) = obj.metadata().and_then(|m| m.get("name")) else {
        return;
    };
    let (Some(name), Some(plural), Some(group)) = (
        judged(node).filter(|s| !s.is_empty()),
        spec.get_path(&["names", "plural"])
            .and_then(judged)
            .filter(|s| !s.is_empty()),
        spec.get("group").and_then(judged).filter(|s| !s.is_empty()),
    ) else {
        return;
    };
    let want = format!("{plural}.{group}");
    if name != want {
        out.push(Finding::new(
            node.span,
            "metadata.name",
            format!("the CustomResourceDefinition is named `{name}`, but its name must be `{want}` (spec.names.plural, a dot, spec.group)"),
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
            format!("rename it to `{want}`"),
        ));
    }
}

/// `validateAPIApproval`: groups under `k8s.io` and `kubernetes.io` belong to the Kubernetes
/// project and need the `api-approved.kubernetes.io` annotation (a URL of the approving pull
/// request, or a reason starting with `unapproved`).
fn api_approval(obj: &Object<'_>, spec: &Node, out: &mut Vec<Finding>) {
    const KEY: &str = "api-approved.kubernetes.io";
    let Some(g) = spec.get("group").and_then(judged) else {
        return;
    };
    let protected = g == "k8s.io"
        || g.ends_with(".k8s.io")
        || g == "kubernetes.io"
        || g.ends_with(".kubernetes.io");
    if !protected {
        return;
    }
    let path = format!("metadata.annotations[{KEY}]");
    match obj.metadata().and_then(|m| m.get("annotations")).and_then(|a| a.get(KEY)) {
        None => out.push(Finding::new(
            obj.anchor_span(),
            path,
            format!("the group `{g}` is protected (under k8s.io or kubernetes.io) and the CRD has no `{KEY}` annotation"),
            format!("Required value: protected groups must have approval annotation \"{KEY}\", see https://github.com/kubernetes/enhancements/pull/1111"),
            format!("use a group of your own domain, or annotate `{KEY}` with the URL of the API review (or a reason starting with `unapproved`)"),
        )),
        Some(n) => {
            let Some(v) = judged(n) else { return };
            // `url.ParseRequestURI`: an absolute URL or an absolute path.
            let scheme = v.split_once(':').is_some_and(|(s, _)| {
                !s.is_empty()
                    && s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
            if !v.starts_with("unapproved") && !scheme && !v.starts_with('/') {
                out.push(Finding::new(
                    n.span,
                    path,
                    format!("`{KEY}: {v}` is neither a URL nor a reason starting with `unapproved`"),
                    format!("Invalid value: \"{v}\": protected groups must have approval annotation \"{KEY}\", with either a URL or a reason starting with \"unapproved\""),
                    "put the URL of the API review there, or a reason starting with `unapproved`",
                ));
            }
        }
    }
}

fn group(spec: &Node, out: &mut Vec<Finding>) {
    // An absent required field is the schema stage's (`missing-required-field`).
    let Some(node) = spec.get("group") else {
        return;
    };
    let Some(g) = judged(node) else { return };
    if g.is_empty() {
        out.push(Finding::new(
            node.span,
            "spec.group",
            "`spec.group` is empty",
            "Required value",
            "set the API group, a domain such as `example.com`",
        ));
        return;
    }
    let errs = dns1123_subdomain(g);
    if !errs.is_empty() {
        out.push(Finding::new(
            node.span,
            "spec.group",
            format!("the group `{g}` is not a DNS subdomain: {}", errs.join("; ")),
            format!("Invalid value: \"{g}\""),
            "use a lower-case domain such as `example.com`",
        ));
    } else if !g.contains('.') {
        out.push(Finding::new(
            node.span,
            "spec.group",
            format!("the group `{g}` has no dot: a custom resource group must be a domain"),
            format!("Invalid value: \"{g}\": should be a domain with at least one dot"),
            format!("use a domain you own, e.g. `{g}.example.com`"),
        ));
    }
}

fn scope(spec: &Node, out: &mut Vec<Finding>) {
    const SCOPES: &[&str] = &["Cluster", "Namespaced"];
    match spec.get("scope") {
        None => {}
        Some(node) => {
            let Some(s) = judged(node) else { return };
            if s.is_empty() {
                out.push(Finding::new(
                    node.span,
                    "spec.scope",
                    "`spec.scope` is empty",
                    "Required value",
                    "use `Namespaced` or `Cluster`",
                ));
            } else if !SCOPES.contains(&s) {
                let hint = match crate::model::names::did_you_mean(s, SCOPES) {
                    Some(m) => format!("did you mean `{m}`? (values are case-sensitive)"),
                    None => "use `Namespaced` or `Cluster`".into(),
                };
                out.push(Finding::new(
                    node.span,
                    "spec.scope",
                    format!("`scope: {s}` is not a supported scope"),
                    format!("Unsupported value: \"{s}\": supported values: \"Cluster\", \"Namespaced\""),
                    hint,
                ));
            }
        }
    }
}

fn dns1035(
    node: &Node,
    path: &str,
    what: &str,
    mixed_case: bool,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(v) = judged(node).filter(|s| !s.is_empty()) else {
        return true;
    };
    let checked = if mixed_case {
        v.to_ascii_lowercase()
    } else {
        v.to_string()
    };
    let errs = dns1035_label(&checked);
    if errs.is_empty() {
        return true;
    }
    let prefix = if mixed_case {
        "may have mixed case, but should otherwise match: "
    } else {
        ""
    };
    let detail = if mixed_case {
        errs.iter()
            .map(|e| e.replace("must consist of lowercase letters,", "must consist of letters,"))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        errs.join("; ")
    };
    out.push(Finding::new(
        node.span,
        path,
        format!("the {what} `{v}` is not valid: {detail}"),
        format!("Invalid value: \"{v}\": {prefix}an RFC 1035 label"),
        if mixed_case {
            "use letters and digits, starting with a letter (`MyKind`)"
        } else {
            "use lower-case letters, digits and '-', starting with a letter"
        },
    ));
    false
}

/// `ValidateCustomResourceDefinitionNames` after the v1 defaults.
fn names(spec: &Node, out: &mut Vec<Finding>) {
    let Some(names) = spec.get("names").filter(|n| n.is_map()) else {
        return;
    };
    for (key, help) in [
        ("plural", "add the plural resource name, e.g. `plural: widgets`"),
        ("kind", "add the kind, e.g. `kind: Widget`"),
    ] {
        if let Some(n) = names.get(key).filter(|n| n.as_str() == Some("")) {
            out.push(Finding::new(
                n.span,
                format!("spec.names.{key}"),
                format!("`spec.names.{key}` is empty"),
                "Required value",
                help,
            ));
        }
    }
    if let Some(n) = names.get("plural") {
        dns1035(n, "spec.names.plural", "plural name", false, out);
    }
    let kind_node = names.get("kind");
    let kind_ok = kind_node.is_none_or(|k| dns1035(k, "spec.names.kind", "kind", true, out));
    match names.get("singular") {
        Some(n) if n.as_str() != Some("") => {
            dns1035(n, "spec.names.singular", "singular name", false, out);
        }
        // Defaulted to the lower-cased kind, which is then judged as a singular name: a kind
        // that passes as mixed case also passes lower-cased.
        _ => {}
    }
    let _ = kind_ok;
    if let Some(n) = names.get("listKind").filter(|n| n.as_str() != Some("")) {
        dns1035(n, "spec.names.listKind", "listKind", true, out);
        if let (Some(l), Some(k)) = (judged(n), kind_node.and_then(judged)) {
            if !k.is_empty() && l == k {
                out.push(Finding::new(
                    n.span,
                    "spec.names.listKind",
                    format!("`listKind: {l}` is the same as the kind"),
                    format!("Invalid value: \"{l}\": kind and listKind may not be the same"),
                    format!("use `{k}List`, or leave listKind out (it defaults to that)"),
                ));
            }
        }
    }
    for (key, what) in [("shortNames", "short name"), ("categories", "category")] {
        for (i, n) in names
            .get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if n.as_str() == Some("") {
                out.push(Finding::new(
                    n.span,
                    format!("spec.names.{key}[{i}]"),
                    format!("an empty {what}"),
                    "Invalid value: \"\": an RFC 1035 label",
                    "remove it",
                ));
            } else {
                dns1035(n, &format!("spec.names.{key}[{i}]"), what, false, out);
            }
        }
    }
}

fn versions(spec: &Node, out: &mut Vec<Finding>) {
    let Some(list) = spec.get("versions").filter(|v| v.is_seq()) else {
        return;
    };
    let vspan = key_span(spec, "versions");
    let items = list.items();
    let storage: Vec<&Node> = items
        .iter()
        .filter(|v| v.get("storage").and_then(Node::as_bool) == Some(true))
        .collect();
    if storage.len() != 1 {
        let msg = if storage.is_empty() {
            "no version is marked `storage: true`: exactly one must be".to_string()
        } else {
            format!(
                "{} versions are marked `storage: true`: exactly one must be",
                storage.len()
            )
        };
        out.push(Finding::new(
            vspan,
            "spec.versions",
            msg,
            "Invalid value: must have exactly one version marked as storage version",
            "mark the version objects are stored in with `storage: true` and the others `storage: false`",
        ));
    }
    let mut seen = HashSet::new();
    for (i, v) in items.iter().enumerate() {
        let base = format!("spec.versions[{i}]");
        if let Some(n) = v.get("name") {
            if n.as_str() == Some("") {
                out.push(Finding::new(
                    n.span,
                    format!("{base}.name"),
                    "a version with an empty name",
                    "Invalid value: \"\": an RFC 1035 label",
                    "name it like `v1` or `v1alpha1`",
                ));
            } else {
                dns1035(n, &format!("{base}.name"), "version name", false, out);
            }
            if let Some(s) = judged(n) {
                if !seen.insert(s) {
                    out.push(Finding::new(
                        n.span,
                        "spec.versions",
                        format!("version `{s}` is listed twice"),
                        "Invalid value: must contain unique version names",
                        "remove or rename one of them",
                    ));
                }
            }
        }
        version(v, &base, out);
    }
}

fn version(v: &Node, base: &str, out: &mut Vec<Finding>) {
    if !v.is_map() {
        return;
    }
    if v.get_path(&["schema", "openAPIV3Schema"]).is_none() {
        out.push(Finding::new(
            v.get("schema").map_or_else(|| key_span(v, "name"), |s| s.span),
            format!("{base}.schema.openAPIV3Schema"),
            "the version has no `schema.openAPIV3Schema`: an apiextensions.k8s.io/v1 CRD needs a schema for every version",
            "Required value",
            "add a schema; `type: object` with `x-kubernetes-preserve-unknown-fields: true` accepts anything",
        ));
    }
    deprecation_warning(v, base, out);
    if let Some(sub) = v.get("subresources") {
        subresources(sub, &format!("{base}.subresources"), out);
    }
    for (i, col) in v
        .get("additionalPrinterColumns")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        printer_column(col, &format!("{base}.additionalPrinterColumns[{i}]"), out);
    }
    if let Some(sf) = v.get("selectableFields") {
        selectable_fields(v, sf, &format!("{base}.selectableFields"), out);
    }
}

fn deprecation_warning(v: &Node, base: &str, out: &mut Vec<Finding>) {
    let Some(node) = v.get("deprecationWarning") else {
        return;
    };
    if node.is_null() {
        return;
    }
    let path = format!("{base}.deprecationWarning");
    let Some(w) = node.as_str() else { return };
    if v.get("deprecated").and_then(Node::as_bool) != Some(true) {
        out.push(Finding::new(
            node.span,
            path,
            "`deprecationWarning` is set on a version that is not `deprecated: true`",
            "Invalid value: can only be set for deprecated versions",
            "add `deprecated: true` to the version, or remove the warning",
        ));
        return;
    }
    let mut errs = Vec::new();
    if w.len() > 256 {
        errs.push("must be <= 256 characters long".to_string());
    }
    if w.is_empty() {
        errs.push("must not be an empty string".to_string());
    }
    if let Some((i, _)) = w.char_indices().find(|(_, c)| c.is_control()) {
        errs.push(format!(
            "must only contain printable UTF-8 characters; control character found at index {i}"
        ));
    }
    for e in errs {
        out.push(Finding::new(
            node.span,
            path.clone(),
            format!("the deprecation warning {e}"),
            format!("Invalid value: {e}"),
            "use one line of at most 256 printable characters",
        ));
    }
}

/// `validateSimpleJSONPath`: empty, or not starting with `.`.
fn simple_json_path(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        Some("must not be empty")
    } else if !s.starts_with('.') {
        Some("must be a simple json path starting with .")
    } else {
        None
    }
}

fn subresources(sub: &Node, base: &str, out: &mut Vec<Finding>) {
    let Some(scale) = sub.get("scale").filter(|s| s.is_map()) else {
        return;
    };
    for (key, prefixes, under) in [
        ("specReplicasPath", &[".spec."][..], "under .spec"),
        ("statusReplicasPath", &[".status."][..], "under .status"),
        (
            "labelSelectorPath",
            &[".spec.", ".status."][..],
            "under either .spec or .status",
        ),
    ] {
        let path = format!("{base}.scale.{key}");
        let node = scale.get(key);
        let Some(value) = node.and_then(Node::as_str) else {
            continue;
        };
        if value.is_empty() {
            if let (Some(n), true) = (node, key != "labelSelectorPath") {
                out.push(Finding::new(
                    n.span,
                    path,
                    format!("the scale subresource's `{key}` is empty"),
                    "Required value",
                    if key == "specReplicasPath" {
                        "add `specReplicasPath: .spec.replicas`"
                    } else {
                        "add `statusReplicasPath: .status.replicas`"
                    },
                ));
            }
            continue;
        }
        let Some(node) = node else { continue };
        if judged(node).is_none() {
            continue;
        }
        let problem = simple_json_path(value).map(str::to_string).or_else(|| {
            (!prefixes.iter().any(|p| value.starts_with(p)))
                .then(|| format!("should be a json path {under}"))
        });
        if let Some(p) = problem {
            out.push(Finding::new(
                node.span,
                path,
                format!("`{key}: {value}` {p}"),
                format!("Invalid value: \"{value}\": {p}"),
                format!("write a path {under} such as `{}replicas`", prefixes[0]),
            ));
        }
    }
}

fn printer_column(col: &Node, base: &str, out: &mut Vec<Finding>) {
    const TYPES: &[&str] = &["boolean", "date", "integer", "number", "string"];
    const FORMATS: &[&str] = &[
        "byte", "date", "date-time", "double", "float", "int32", "int64", "password",
    ];
    if !col.is_map() {
        return;
    }
    for (key, help) in [
        ("name", "name the column, e.g. `name: Ready`"),
        ("jsonPath", "point it at a field, e.g. `jsonPath: .status.phase`"),
    ] {
        match col.get(key) {
            Some(n) if n.as_str() == Some("") => out.push(Finding::new(
                n.span,
                format!("{base}.{key}"),
                format!("the printer column's `{key}` is empty"),
                "Required value",
                help,
            )),
            _ => {}
        }
    }
    if let Some(n) = col.get("jsonPath") {
        if let Some(p) = judged(n).filter(|p| !p.is_empty()) {
            if let Some(e) = simple_json_path(p) {
                out.push(Finding::new(
                    n.span,
                    format!("{base}.JSONPath"),
                    format!("`jsonPath: {p}` {e}"),
                    format!("Invalid value: \"{p}\": {e}"),
                    format!("start the path with a dot: `.{p}`"),
                ));
            }
        }
    }
    match col.get("type") {
        None => {}
        Some(n) => {
            if let Some(t) = judged(n).filter(|t| !t.is_empty()) {
                if !TYPES.contains(&t) {
                    out.push(Finding::new(
                        n.span,
                        format!("{base}.type"),
                        format!("`type: {t}` is not a printer column type"),
                        format!("Invalid value: \"{t}\": must be one of {}", TYPES.join(",")),
                        format!("use {}", one_of(TYPES)),
                    ));
                }
            }
        }
    }
    if let Some(n) = col.get("format") {
        if let Some(f) = judged(n).filter(|f| !f.is_empty()) {
            if !FORMATS.contains(&f) {
                out.push(Finding::new(
                    n.span,
                    format!("{base}.format"),
                    format!("`format: {f}` is not a printer column format"),
                    format!("Invalid value: \"{f}\": must be one of {}", FORMATS.join(",")),
                    format!("use {} or leave it out", one_of(FORMATS)),
                ));
            }
        }
    }
}

/// `ValidateCustomResourceSelectableFields`: each path is given, points into the schema
/// (not into metadata) at a string, boolean or integer, once; at most 8.
fn selectable_fields(v: &Node, sf: &Node, base: &str, out: &mut Vec<Finding>) {
    const MAX: usize = 8;
    let schema = v.get_path(&["schema", "openAPIV3Schema"]);
    let mut seen = HashSet::new();
    for (i, f) in sf.items().iter().enumerate() {
        let path = format!("{base}[{i}].jsonPath");
        let Some(node) = f.get("jsonPath") else {
            continue;
        };
        let Some(p) = node.as_str().filter(|p| !p.is_empty()) else {
            if node.as_str().is_none() {
                continue;
            }
            out.push(Finding::new(
                node.span,
                path,
                "the selectable field's `jsonPath` is empty",
                "Required value",
                "point it at a field, e.g. `jsonPath: .spec.color`",
            ));
            continue;
        };
        if judged(node).is_none() {
            continue;
        }
        let Some(segments) = simple_dot_path(p) else {
            continue;
        };
        if segments.first() == Some(&"metadata") {
            out.push(Finding::new(
                node.span,
                path.clone(),
                format!("selectable field `{p}` points into metadata"),
                format!("Invalid value: \"{p}\": must not point to fields in metadata"),
                "metadata.name and metadata.namespace are selectable already; select a field of spec or status",
            ));
        } else if let Some(schema) = schema {
            match resolve(schema, &segments) {
                Resolved::Found(t) if !matches!(t, "string" | "boolean" | "integer") => {
                    out.push(Finding::new(
                        node.span,
                        path.clone(),
                        format!("selectable field `{p}` is of type `{t}`"),
                        format!("Invalid value: \"{p}\": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed."),
                        "select a string, boolean or integer field",
                    ));
                }
                Resolved::Missing(at) => {
                    out.push(Finding::new(
                        node.span,
                        path.clone(),
                        format!("selectable field `{p}` is not in the schema (no `{at}`)"),
                        format!("Invalid value: \"{p}\": is an invalid path"),
                        "point it at a field the version's schema declares",
                    ));
                }
                _ => {}
            }
        }
        if !seen.insert(segments.join(".")) {
            out.push(Finding::new(
                node.span,
                path,
                format!("selectable field `{p}` is listed twice"),
                format!("Duplicate value: \"{p}\""),
                "remove one of them",
            ));
        }
    }
    if seen.len() > MAX {
        out.push(Finding::new(
            key_span(v, "selectableFields"),
            base,
            format!("{} selectable fields: at most {MAX} are allowed", seen.len()),
            format!("Too many: {}: must have at most {MAX} items", seen.len()),
            "keep the fields clients really filter on",
        ));
    }
}

/// `.a.b.c` as its field names; `None` for anything else (brackets, wildcards), which kubevet
/// leaves to the server.
fn simple_dot_path(p: &str) -> Option<Vec<&str>> {
    let rest = p.strip_prefix('.')?;
    let segs: Vec<&str> = rest.split('.').collect();
    segs.iter()
        .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some(segs)
}

enum Resolved<'a> {
    Found(&'a str),
    Missing(String),
    Unknown,
}

fn resolve<'a>(schema: &'a Node, segments: &[&str]) -> Resolved<'a> {
    let mut s = schema;
    for seg in segments {
        if let Some(p) = s.get("properties").and_then(|p| p.get(seg)) {
            s = p;
        } else if let Some(a) = s.get("additionalProperties").filter(|a| a.is_map()) {
            s = a;
        } else if s.get("x-kubernetes-preserve-unknown-fields").and_then(Node::as_bool)
            == Some(true)
            || s.get("additionalProperties").and_then(Node::as_bool) == Some(true)
            || s.get("x-kubernetes-embedded-resource").is_some()
        {
            return Resolved::Unknown;
        } else {
            return Resolved::Missing((*seg).to_string());
        }
    }
    if s.get("x-kubernetes-int-or-string").and_then(Node::as_bool) == Some(true) {
        return Resolved::Unknown;
    }
    match s.get("type").and_then(Node::as_str) {
        Some(t) => Resolved::Found(t),
        None => Resolved::Unknown,
    }
}

fn preserve_unknown_fields(spec: &Node, out: &mut Vec<Finding>) {
    let Some(node) = spec.get("preserveUnknownFields") else {
        return;
    };
    if node.as_bool() == Some(true) {
        out.push(Finding::new(
            node.span,
            "spec.preserveUnknownFields",
            "`preserveUnknownFields: true` is not allowed in an apiextensions.k8s.io/v1 CRD",
            "Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
            "remove it and put `x-kubernetes-preserve-unknown-fields: true` on the schema objects that keep unknown fields",
        ));
    }
}

fn conversion(spec: &Node, out: &mut Vec<Finding>) {
    let Some(conv) = spec.get("conversion").filter(|c| c.is_map()) else {
        return;
    };
    let strategy_node = conv.get("strategy");
    let strategy = strategy_node.and_then(judged);
    let Some(strategy) = strategy else {
        return;
    };
    let Some(strategy_node) = strategy_node else {
        return;
    };
    let webhook = conv.get("webhook").filter(|w| w.is_map());
    match strategy {
        "" => out.push(Finding::new(
            strategy_node.span,
            "spec.conversion.strategy",
            "`spec.conversion.strategy` is empty",
            "Required value",
            "use `None` or `Webhook`",
        )),
        "None" => {
            if let Some(w) = webhook {
                for (key, path) in [
                    ("clientConfig", "spec.conversion.webhookClientConfig"),
                    (
                        "conversionReviewVersions",
                        "spec.conversion.conversionReviewVersions",
                    ),
                ] {
                    // `validateCustomResourceConversion` forbids a client config that is
                    // set at all, but only a non-empty list of review versions.
                    let set = w.get(key).is_some_and(|n| {
                        !n.is_null() && (key == "clientConfig" || !n.items().is_empty())
                    });
                    if set {
                        out.push(Finding::new(
                            key_span(w, key),
                            path,
                            format!("`webhook.{key}` is set but the conversion strategy is `None`"),
                            "Forbidden: should not be set when strategy is not set to Webhook",
                            "remove the webhook, or use `strategy: Webhook`",
                        ));
                    }
                }
            }
        }
        "Webhook" => webhook_conversion(spec, conv, webhook, out),
        other => {
            let hint = match crate::model::names::did_you_mean(other, &["None", "Webhook"]) {
                Some(m) => format!("did you mean `{m}`? (values are case-sensitive)"),
                None => "use `None` or `Webhook`".into(),
            };
            out.push(Finding::new(
                strategy_node.span,
                "spec.conversion.strategy",
                format!("`strategy: {other}` is not a conversion strategy"),
                format!("Unsupported value: \"{other}\": supported values: \"None\", \"Webhook\""),
                hint,
            ));
        }
    }
}

fn webhook_conversion(spec: &Node, conv: &Node, webhook: Option<&Node>, out: &mut Vec<Finding>) {
    let _ = spec;
    let Some(w) = webhook else {
        out.push(Finding::new(
            key_span(conv, "strategy"),
            "spec.conversion.webhookClientConfig",
            "`strategy: Webhook` without a `webhook.clientConfig`",
            "Required value: required when strategy is set to Webhook",
            "add `webhook.clientConfig` (a service or a URL) and `webhook.conversionReviewVersions: [v1]`",
        ));
        return;
    };
    match w.get("clientConfig").filter(|c| c.is_map()) {
        None => out.push(Finding::new(
            key_span(conv, "webhook"),
            "spec.conversion.webhookClientConfig",
            "`strategy: Webhook` without a `webhook.clientConfig`",
            "Required value: required when strategy is set to Webhook",
            "add `clientConfig` with a `service` or a `url`",
        )),
        Some(cc) => client_config(
            w,
            cc,
            "spec.conversion.webhookClientConfig",
            "the conversion webhook",
            out,
        ),
    }
    let path = "spec.conversion.conversionReviewVersions";
    let Some(versions) = w.get("conversionReviewVersions").filter(|v| v.is_seq()) else {
        return;
    };
    let versions = Some(versions);
    let items = versions.map(Node::items).unwrap_or_default();
    if items.is_empty() {
        out.push(Finding::new(
            versions.map_or_else(|| key_span(conv, "webhook"), |v| v.span),
            path,
            "a conversion webhook needs `conversionReviewVersions`",
            "Required value",
            "add `conversionReviewVersions: [v1]` (the ConversionReview versions the webhook understands)",
        ));
        return;
    }
    let mut seen = HashSet::new();
    let mut accepted = false;
    for (i, n) in items.iter().enumerate() {
        let Some(v) = n.as_str() else { continue };
        if judged(n).is_none() {
            accepted = true;
            continue;
        }
        if !seen.insert(v) {
            out.push(Finding::new(
                n.span,
                format!("{path}[{i}]"),
                format!("ConversionReview version `{v}` is listed twice"),
                format!("Invalid value: \"{v}\": duplicate version"),
                "remove one of them",
            ));
            continue;
        }
        dns1035(n, &format!("{path}[{i}]"), "ConversionReview version", false, out);
        accepted |= v == "v1" || v == "v1beta1";
    }
    if !accepted {
        out.push(Finding::new(
            key_span(w, "conversionReviewVersions"),
            path,
            "`conversionReviewVersions` names no ConversionReview version the API server speaks",
            "Invalid value: must include at least one of v1, v1beta1",
            "add `v1`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_only() {
        assert_eq!(simple_dot_path(".spec.color"), Some(vec!["spec", "color"]));
        assert_eq!(simple_dot_path("spec.color"), None);
        assert_eq!(simple_dot_path(".spec['color']"), None);
    }
}
