//! `crd-schema-invalid`: what the API server rejects in the `openAPIV3Schema` of each version
//! of an `apiextensions.k8s.io/v1` CustomResourceDefinition:
//!
//! - `ValidateCustomResourceDefinitionOpenAPISchema` (apiextensions `validation.go`): fields
//!   OpenAPI v3 CRDs do not support (`$ref`, `id`, `definitions`, `patternProperties`,
//!   `dependencies`, `additionalItems`, tuple `items`, `uniqueItems`), `additionalProperties`
//!   beside `properties`, defaults in top-level metadata, the `x-kubernetes-*` extensions
//!   (list types, list-map keys, map types, preserve-unknown-fields), the static rules of
//!   `x-kubernetes-validations` entries (CEL itself is not compiled here), `nullable` at the
//!   root and the root restrictions of the status subresource;
//! - `ValidateStructural` (`apiserver/schema/validation.go`, `complete.go`): a type everywhere
//!   (except under int-or-string and preserve-unknown-fields), arrays with `items`, value
//!   validations under `allOf`/`anyOf`/`oneOf`/`not` that declare no types, defaults or
//!   extensions, embedded resources, `apiVersion`/`kind`/`metadata` at the root;
//! - `ValidateDefaults` (`apiserver/schema/defaulting/validation.go`): each default validates
//!   against its own schema and has no field pruning would drop.
//!
//! A schema `type` outside the OpenAPI types is `invalid-crd`'s (the schema stage reports it).

use std::borrow::Cow;
use std::collections::HashSet;

use super::crd::{is_zero, key_span, v1_spec, Finding};
use super::schema_defaults::check_default;
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "crd-schema-invalid",
    severity: Severity::Error,
    category: Category::ApiExtensions,
    summary: "A CustomResourceDefinition schema the API server rejects: not structural, unsupported fields, x-kubernetes-* misuse, invalid defaults",
    fix: false,
    doc: include_str!("../../../rules/crd-schema-invalid.md"),
    check: Check::Object(check),
};

const MAX_DEPTH: usize = 100;
const META_FIELDS: &[&str] = &["apiVersion", "kind", "metadata"];
const OPENAPI_TYPES: &[&str] = &["array", "boolean", "integer", "number", "object", "string"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(spec) = v1_spec(obj) else { return };
    let versions = spec.get("versions").map(Node::items).unwrap_or_default();
    let schemas: Vec<Option<&Node>> = versions
        .iter()
        .map(|v| v.get_path(&["schema", "openAPIV3Schema"]).filter(|s| s.is_map()))
        .collect();
    // The v1 conversion moves schemas that are identical in every version to the top level,
    // where the status restriction applies if any version has the status subresource.
    // (One version is the common case, and converting a large schema only to compare it
    // with itself was most of this rule's time.)
    let identical = match schemas.as_slice() {
        [] => false,
        [one] => one.is_some(),
        [first, rest @ ..] => first.is_some_and(|f| {
            // The same data, as written (cheap), or once decoded (key order aside).
            let mut json = None;
            rest.iter().all(|s| {
                s.is_some_and(|s| {
                    s.same_data(f) || *json.get_or_insert_with(|| f.to_json()) == s.to_json()
                })
            })
        }),
    };
    let status_of = |v: &Node| {
        v.get_path(&["subresources", "status"])
            .is_some_and(|s| !s.is_null())
    };
    let any_status = versions.iter().any(status_of);
    let mut out = Vec::new();
    let mut seen_spans = HashSet::new();
    // Schemas found faultless, with their status flag: a version with the same data and
    // flag is too (its findings would differ only in where they point), and is not walked
    // again. (Most multi-version CRDs repeat one schema per version.)
    let mut clean: Vec<(&Node, bool)> = Vec::new();
    for (i, (v, schema)) in versions.iter().zip(&schemas).enumerate() {
        let Some(schema) = schema else { continue };
        if !seen_spans.insert(schema.span) {
            continue;
        }
        let status = if identical { any_status } else { status_of(v) };
        if clean
            .iter()
            .any(|(c, st)| *st == status && c.same_data(schema))
        {
            continue;
        }
        let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
        let anchor = v
            .get("schema")
            .map_or(schema.span, |s| key_span(s, "openAPIV3Schema"));
        let before = out.len();
        version_schema(schema, &path, anchor, status, &mut out);
        if out.len() == before {
            clean.push((schema, status));
        }
    }
    let mut reported = HashSet::new();
    for f in out {
        if reported.insert((f.span, f.server.clone())) {
            f.report(ctx, obj);
        }
    }
}

fn version_schema(schema: &Node, path: &str, anchor: Span, status: bool, out: &mut Vec<Finding>) {
    let before = out.len();
    root_rules(schema, path, status, out);
    let mut st = OpenApi {
        out: &mut *out,
        unsupported: false,
    };
    st.schema(schema, &Cx::root(path, anchor), 0);
    let unsupported = st.unsupported;
    if !unsupported {
        structural(schema, Level::Root, &Cx::root(path, anchor), out, 0);
        completeness(schema, path, out);
    }
    if out.len() == before {
        check_default(schema, path, out);
    }
}

/// Where a schema stands: its server field path, its place in the data (for messages), the
/// span to point at when something is missing, and what the server's walk carries down.
/// The paths are kept as the steps from the root and written out only for a finding: the
/// walk visits every node of megabytes of CRD schemas, and findings are rare.
struct Cx<'p> {
    parent: Option<&'p Cx<'p>>,
    step: Step<'p>,
    anchor: Span,
    is_root: bool,
    inside_meta: bool,
    no_defaults: Option<String>,
}

enum Step<'p> {
    /// The version's schema, at this server path.
    Root(&'p str),
    /// `.properties[k]`, data `.k`.
    Field(&'p str),
    /// Any other step: its server path and data suffixes.
    Other(Cow<'p, str>, &'static str),
}

impl<'p> Cx<'p> {
    fn root(path: &'p str, anchor: Span) -> Self {
        Cx {
            parent: None,
            step: Step::Root(path),
            anchor,
            is_root: true,
            inside_meta: false,
            no_defaults: None,
        }
    }

    fn child<'s>(&'s self, path_suffix: impl Into<Cow<'s, str>>, data_suffix: &'static str, anchor: Span) -> Cx<'s> {
        self.below(Step::Other(path_suffix.into(), data_suffix), anchor)
    }

    /// The schema of a property: the hot path of the walk.
    fn field<'s>(&'s self, k: &'s str, anchor: Span) -> Cx<'s> {
        self.below(Step::Field(k), anchor)
    }

    fn below<'s>(&'s self, step: Step<'s>, anchor: Span) -> Cx<'s> {
        Cx {
            parent: Some(self),
            step,
            anchor,
            is_root: false,
            inside_meta: self.inside_meta,
            no_defaults: self.no_defaults.clone(),
        }
    }

    /// The server's field path (`spec.versions[0].schema.openAPIV3Schema.properties[a]`).
    fn path(&self) -> ServerPath<'_, 'p> {
        ServerPath(self)
    }

    /// The place in the data (`.a.b[*]`).
    fn data(&self) -> String {
        let mut out = String::new();
        self.write_data(&mut out);
        out
    }

    fn write_data(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.write_data(out);
        }
        match &self.step {
            Step::Root(_) => {}
            Step::Field(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Other(_, data) => out.push_str(data),
        }
    }

    fn at(&self) -> Where<'static> {
        Where(self.data().into())
    }
}

/// [`Cx::at`], written out only when a message is.
struct Place<'c, 'p>(&'c Cx<'p>);

impl std::fmt::Display for Place<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.at().fmt(f)
    }
}

/// [`Cx::path`], written as it is displayed.
struct ServerPath<'c, 'p>(&'c Cx<'p>);

impl std::fmt::Display for ServerPath<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cx = self.0;
        if let Some(p) = cx.parent {
            write!(f, "{}", ServerPath(p))?;
        }
        match &cx.step {
            Step::Root(path) => f.write_str(path),
            Step::Field(k) => write!(f, ".properties[{k}]"),
            Step::Other(path, _) => f.write_str(path),
        }
    }
}

/// "the schema root" or "the schema of `a.b`": written only when a message is.
struct Where<'a>(std::borrow::Cow<'a, str>);

impl std::fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("the schema root")
        } else {
            write!(f, "the schema of `{}`", self.0.trim_start_matches('.'))
        }
    }
}

fn ty(s: &Node) -> &str {
    s.get("type").and_then(Node::as_str).unwrap_or("")
}

/// The keys of a schema node as a set of signatures: the checks ask each node of megabytes
/// of CRD schemas for some thirty keywords, most of them absent, and a scan of the node's
/// entries per question was most of this rule's time. An absent key is told from the set;
/// a present one is still found by a scan, so a repeated key resolves as `Node::get` does.
struct Keys<'a> {
    node: &'a Node,
    sigs: u64,
}

impl<'a> Keys<'a> {
    fn of(node: &'a Node) -> Self {
        let sigs = node
            .entries()
            .iter()
            .filter_map(|e| e.key.key_text())
            .fold(0, |acc, k| acc | signature(k));
        Keys { node, sigs }
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        if self.sigs & signature(key) == 0 {
            return None;
        }
        self.node.get(key)
    }

    fn present(&self, key: &str) -> Option<&'a Node> {
        self.get(key).filter(|n| !n.is_null())
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Node::as_bool) == Some(true)
    }
}

/// One of 64 bits from a key's length and outer bytes (enough to tell the keywords apart
/// mostly; a shared bit only means a scan).
fn signature(key: &str) -> u64 {
    let b = key.as_bytes();
    let (first, last) = (b.first().copied().unwrap_or(0), b.last().copied().unwrap_or(0));
    let h = (b.len() as u32)
        .wrapping_mul(31)
        .wrapping_add(u32::from(first).wrapping_mul(7))
        .wrapping_add(u32::from(last).wrapping_mul(13));
    1 << (h % 64)
}

fn flag(s: &Node, key: &str) -> bool {
    s.get(key).and_then(Node::as_bool) == Some(true)
}

fn present<'a>(s: &'a Node, key: &str) -> Option<&'a Node> {
    s.get(key).filter(|n| !n.is_null())
}

/// The restrictions on the root schema itself.
fn root_rules(schema: &Node, path: &str, status: bool, out: &mut Vec<Finding>) {
    let kw = Keys::of(schema);
    if let Some(n) = kw.get("nullable").filter(|n| n.as_bool() == Some(true)) {
        out.push(Finding::new(
            key_span(schema, "nullable"),
            format!("{path}.nullable"),
            "`nullable: true` at the schema root: a custom resource is never null",
            "Forbidden: nullable cannot be true at the root",
            "remove it",
        ));
        let _ = n;
    }
    if !status {
        return;
    }
    const ALLOWED: &[&str] = &[
        "description",
        "type",
        "format",
        "title",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "multipleOf",
        "required",
        "items",
        "properties",
        "externalDocs",
        "example",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-validations",
    ];
    for e in schema.entries() {
        let Some(k) = e.key.key_text() else { continue };
        if is_zero(&e.value) {
            continue;
        }
        if k == "type" {
            if let Some(t) = e.value.as_str().filter(|t| *t != "object") {
                out.push(Finding::new(
                    e.value.span,
                    format!("{path}.type"),
                    format!("`type: {t}` at the root of a schema whose version has the status subresource"),
                    format!("Invalid value: \"{t}\": only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled"),
                    "use `type: object`",
                ));
                return;
            }
            continue;
        }
        if !ALLOWED.contains(&k) {
            out.push(Finding::new(
                e.key.span,
                path.to_string(),
                format!("`{k}` at the schema root is not allowed when the status subresource is enabled"),
                "Invalid value: only description, type, format, title, maximum, exclusiveMaximum, minimum, exclusiveMinimum, maxLength, minLength, pattern, maxItems, minItems, uniqueItems, multipleOf, required, items, properties, externalDocs, example, x-kubernetes-preserve-unknown-fields, x-kubernetes-validations fields are allowed at the root of the schema if the status subresource is enabled",
                format!("move `{k}` into the properties it constrains (`spec`, `status`), or drop it"),
            ));
            return;
        }
    }
}

struct OpenApi<'o> {
    out: &'o mut Vec<Finding>,
    /// The schema holds something `NewStructural` refuses, so the server reports that and
    /// skips the structural checks.
    unsupported: bool,
}

impl OpenApi<'_> {
    fn push(&mut self, f: Finding) {
        self.out.push(f);
    }

    /// `ValidateCustomResourceDefinitionOpenAPISchema` and `specStandardValidatorV3.validate`.
    fn schema(&mut self, s: &Node, cx: &Cx, depth: usize) {
        if depth > MAX_DEPTH || !s.is_map() {
            return;
        }
        let kw = Keys::of(s);
        self.standard(s, cx);
        if kw.flag("uniqueItems") {
            self.push(Finding::new(
                key_span(s, "uniqueItems"),
                format!("{}.uniqueItems", cx.path()),
                format!("`uniqueItems: true` in {}: CRD schemas do not support it", cx.at()),
                "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
                "remove it; `x-kubernetes-list-type: set` makes the items unique",
            ));
        }
        let props = kw.get("properties").filter(|p| p.is_map());
        let has_props = props.is_some_and(|p| !p.entries().is_empty());
        if let Some(ap) = kw.present("additionalProperties") {
            if has_props && (ap.as_bool() == Some(false) || ap.is_map()) {
                self.push(Finding::new(
                    key_span(s, "additionalProperties"),
                    format!("{}.additionalProperties", cx.path()),
                    format!("{} has both `properties` and `additionalProperties`", cx.at()),
                    "Forbidden: additionalProperties and properties are mutual exclusive",
                    "an object has either fixed fields (`properties`) or is a map (`additionalProperties`); unknown fields are pruned anyway, so `additionalProperties: false` is not needed",
                ));
            }
            if ap.is_map() {
                let mut sub = cx.child(".additionalProperties", ".*", key_span(s, "additionalProperties"));
                if cx.inside_meta {
                    sub.no_defaults =
                        Some("inside additionalProperties applying to object metadata".into());
                }
                self.schema(ap, &sub, depth + 1);
            }
        }
        for e in props.map(Node::entries).unwrap_or_default() {
            let Some(k) = e.key.key_text() else { continue };
            let mut sub = cx.field(k, e.key.span);
            if (cx.is_root || kw.flag("x-kubernetes-embedded-resource")) && META_FIELDS.contains(&k) {
                sub.inside_meta = true;
                if cx.is_root {
                    sub.no_defaults = Some(format!("in top-level {k}"));
                }
            }
            self.schema(&e.value, &sub, depth + 1);
        }
        if let Some(n) = kw.present("not") {
            self.schema(n, &cx.child(".not", "", key_span(s, "not")), depth + 1);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for (i, b) in kw.get(key).map(Node::items).unwrap_or_default().iter().enumerate() {
                self.schema(b, &cx.child(format!(".{key}[{i}]"), "", b.span), depth + 1);
            }
        }
        for key in ["definitions", "dependencies"] {
            for e in kw.get(key).map(Node::entries).unwrap_or_default() {
                let k = e.key.key_text().unwrap_or_default();
                self.schema(&e.value, &cx.child(format!(".{key}[{k}]"), "", e.key.span), depth + 1);
            }
        }
        if let Some(items) = kw.present("items") {
            if items.is_map() {
                self.schema(items, &cx.child(".items", "[*]", key_span(s, "items")), depth + 1);
            } else {
                for (i, it) in items.items().iter().enumerate() {
                    self.schema(it, &cx.child(format!(".items[{i}]"), "[*]", it.span), depth + 1);
                }
            }
        }
        self.extensions(s, cx);
        self.validations(s, cx);
    }

    fn forbid(&mut self, s: &Node, cx: &Cx, key: &str, server: &str, help: &str) {
        self.push(Finding::new(
            key_span(s, key),
            format!("{}.{key}", cx.path()),
            format!("`{key}` in {}: CustomResourceDefinition schemas do not support it", cx.at()),
            format!("Forbidden: {server}"),
            help,
        ));
    }

    /// `specStandardValidatorV3.validate`, plus `$schema`, which `NewStructural` refuses.
    fn standard(&mut self, s: &Node, cx: &Cx) {
        let kw = Keys::of(s);
        if let Some(reason) = &cx.no_defaults {
            if kw.present("default").is_some() {
                self.push(Finding::new(
                    key_span(s, "default"),
                    format!("{}.default", cx.path()),
                    format!("a `default` {reason}: the API server does not default object metadata or type fields"),
                    format!("Forbidden: must not be set {reason}"),
                    "remove the default",
                ));
            }
        }
        if kw.get("id").and_then(Node::as_str).is_some_and(|i| !i.is_empty()) {
            self.forbid(s, cx, "id", "id is not supported", "remove it");
            self.unsupported = true;
        }
        if kw.present("additionalItems").is_some() {
            self.forbid(s, cx, "additionalItems", "additionalItems is not supported", "describe the items with one `items` schema");
            self.unsupported = true;
        }
        for (key, help) in [
            ("patternProperties", "use `additionalProperties` with a schema for the values (and a CEL rule for the key pattern if needed)"),
            ("definitions", "inline the definitions where they are used"),
        ] {
            if kw.get(key).is_some_and(|d| !d.entries().is_empty()) {
                self.forbid(s, cx, key, &format!("{key} is not supported"), help);
                self.unsupported = true;
            }
        }
        if kw.present("dependencies").is_some() {
            self.forbid(s, cx, "dependencies", "dependencies is not supported", "express the dependency with an `x-kubernetes-validations` rule");
            self.unsupported = true;
        }
        if let Some(r) = kw.present("$ref") {
            self.forbid(s, cx, "$ref", "$ref is not supported", "inline the referenced schema (CRD schemas are self-contained)");
            if r.as_str().is_some_and(|r| !r.is_empty()) {
                self.unsupported = true;
            }
        }
        if let Some(sc) = kw.get("$schema").and_then(Node::as_str).filter(|v| !v.is_empty()) {
            self.push(Finding::new(
                key_span(s, "$schema"),
                cx.path().to_string(),
                format!("`$schema: {sc}` in {}: CustomResourceDefinition schemas do not support it", cx.at()),
                "Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported",
                "remove it",
            ));
            self.unsupported = true;
        }
        if kw.get("items").is_some_and(|i| !i.items().is_empty()) {
            self.push(Finding::new(
                key_span(s, "items"),
                format!("{}.items", cx.path()),
                format!("`items` in {} is a list of schemas (a tuple): CustomResourceDefinition schemas take one item schema", cx.at()),
                "Forbidden: items must be a schema object and not an array",
                "give `items` one schema (a map), not a list of schemas",
            ));
            self.unsupported = true;
        }
        if cx.inside_meta && kw.flag("x-kubernetes-embedded-resource") {
            self.push(Finding::new(
                key_span(s, "x-kubernetes-embedded-resource"),
                format!("{}.x-kubernetes-embedded-resource", cx.path()),
                format!("`x-kubernetes-embedded-resource` in {}, inside an object's metadata", cx.at()),
                "Forbidden: must not be used inside of resource meta",
                "remove it",
            ));
        }
    }

    /// The `x-kubernetes-*` list, map and pruning extensions.
    fn extensions(&mut self, s: &Node, cx: &Cx) {
        let kw = Keys::of(s);
        let p = cx.path();
        let t = ty(s);
        let type_span = kw.get("type").map_or(cx.anchor, |n| n.span);
        if kw.get("x-kubernetes-preserve-unknown-fields").and_then(Node::as_bool) == Some(false) {
            self.push(Finding::new(
                key_span(s, "x-kubernetes-preserve-unknown-fields"),
                format!("{p}.x-kubernetes-preserve-unknown-fields"),
                format!("`x-kubernetes-preserve-unknown-fields: false` in {}", cx.at()),
                "Invalid value: false: must be true or undefined",
                "remove it (leaving it out means unknown fields are pruned)",
            ));
            self.unsupported = true;
        }
        let map_type = kw.present("x-kubernetes-map-type");
        if map_type.is_some() && t != "object" {
            self.push(type_needed(s, cx, type_span, "object", "x-kubernetes-map-type is specified"));
        }
        if let Some(m) = map_type.and_then(Node::as_str) {
            if m != "atomic" && m != "granular" {
                self.push(Finding::new(
                    map_type.map_or(cx.anchor, |n| n.span),
                    format!("{p}.x-kubernetes-map-type"),
                    format!("`x-kubernetes-map-type: {m}` is not a map type"),
                    format!("Unsupported value: \"{m}\": supported values: \"atomic\", \"granular\""),
                    "use `atomic` or `granular`",
                ));
            }
        }
        let list_type_node = kw.present("x-kubernetes-list-type");
        let list_type = list_type_node.and_then(Node::as_str);
        let items = kw.get("items").filter(|i| i.is_map());
        if list_type_node.is_some() && t != "array" {
            self.push(type_needed(s, cx, type_span, "array", "x-kubernetes-list-type is specified"));
        } else if list_type == Some("set") {
            if let Some(is) = items {
                match ty(is) {
                    "array" => {
                        if let Some(lt) = is.get("x-kubernetes-list-type").and_then(Node::as_str).filter(|l| *l != "atomic") {
                            self.push(Finding::new(
                                is.get("x-kubernetes-list-type").map_or(cx.anchor, |n| n.span),
                                format!("{p}.items.x-kubernetes-list-type"),
                                format!("the items of the set `{}` are lists with `x-kubernetes-list-type: {lt}`", cx.data().trim_start_matches('.')),
                                format!("Invalid value: \"{lt}\": must be atomic as item of a list with x-kubernetes-list-type=set"),
                                "items of a set must be atomic: use `x-kubernetes-list-type: atomic` on the items, or make the outer list atomic",
                            ));
                        }
                    }
                    "object"
                        if is.get("x-kubernetes-map-type").and_then(Node::as_str)
                            != Some("atomic") =>
                    {
                        {
                            self.push(Finding::new(
                                key_span(s, "items"),
                                format!("{p}.items.x-kubernetes-map-type"),
                                format!("the items of the set `{}` are objects that are not `x-kubernetes-map-type: atomic`", cx.data().trim_start_matches('.')),
                                "Invalid value: must be atomic as item of a list with x-kubernetes-list-type=set",
                                "add `x-kubernetes-map-type: atomic` to the items, or use `x-kubernetes-list-type: map` with keys",
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(lt) = list_type {
            if !matches!(lt, "atomic" | "set" | "map") {
                self.push(Finding::new(
                    list_type_node.map_or(cx.anchor, |n| n.span),
                    format!("{p}.x-kubernetes-list-type"),
                    format!("`x-kubernetes-list-type: {lt}` is not a list type"),
                    format!("Unsupported value: \"{lt}\": supported values: \"atomic\", \"set\", \"map\""),
                    "use `atomic`, `set` or `map`",
                ));
            }
        }
        let keys_node = kw.get("x-kubernetes-list-map-keys");
        let keys: Vec<&Node> = keys_node.map(Node::items).unwrap_or_default().iter().collect();
        if !keys.is_empty() {
            match list_type {
                None if list_type_node.is_none() => self.push(Finding::new(
                    key_span(s, "x-kubernetes-list-map-keys"),
                    format!("{p}.x-kubernetes-list-type"),
                    format!("{} has `x-kubernetes-list-map-keys` but no `x-kubernetes-list-type`", cx.at()),
                    "Required value: must be map if x-kubernetes-list-map-keys is non-empty",
                    "add `x-kubernetes-list-type: map`",
                )),
                Some(lt) if lt != "map" => self.push(Finding::new(
                    list_type_node.map_or(cx.anchor, |n| n.span),
                    format!("{p}.x-kubernetes-list-type"),
                    format!("`x-kubernetes-list-type: {lt}` with `x-kubernetes-list-map-keys`"),
                    format!("Invalid value: \"{lt}\": must be map if x-kubernetes-list-map-keys is non-empty"),
                    "use `x-kubernetes-list-type: map`, or remove the keys",
                )),
                _ => {}
            }
        }
        if list_type == Some("map") {
            self.list_map(s, cx, &keys);
        }
        if let Some(lt @ ("set" | "map")) = list_type {
            self.list_map_set_items(s, cx, lt, &keys);
        }
    }

    fn list_map(&mut self, s: &Node, cx: &Cx, keys: &[&Node]) {
        let kw = Keys::of(s);
        let p = cx.path();
        let lt_span = key_span(s, "x-kubernetes-list-type");
        if keys.is_empty() {
            self.push(Finding::new(
                lt_span,
                format!("{p}.x-kubernetes-list-map-keys"),
                format!("{} is a list-map without `x-kubernetes-list-map-keys`", cx.at()),
                "Required value: must not be empty if x-kubernetes-list-type is map",
                "name the item fields that identify an item, e.g. `x-kubernetes-list-map-keys: [name]`",
            ));
        }
        let Some(items) = kw.present("items") else {
            self.push(Finding::new(
                lt_span,
                format!("{p}.items"),
                format!("{} is a list-map without an `items` schema", cx.at()),
                "Required value: must have a schema if x-kubernetes-list-type is map",
                "add `items` with `type: object` and the key properties",
            ));
            return;
        };
        if !items.is_map() {
            return;
        }
        let it = ty(items);
        if it != "object" {
            self.push(Finding::new(
                items.get("type").map_or(key_span(s, "items"), |n| n.span),
                format!("{p}.items.type"),
                format!("the items of the list-map `{}` are of type `{it}`, not objects", cx.data().trim_start_matches('.')),
                format!("Invalid value: \"{it}\": must be object if parent array's x-kubernetes-list-type is map"),
                "a list-map holds objects; use `x-kubernetes-list-type: set` for scalars",
            ));
            return;
        }
        let props = items.get("properties");
        let mut seen = HashSet::new();
        for k in keys {
            let Some(name) = k.as_str() else { continue };
            match props.and_then(|p| p.get(name)) {
                Some(ks) => {
                    let kt = ty(ks);
                    if kt == "array" || kt == "object" {
                        self.push(Finding::new(
                            ks.get("type").map_or(k.span, |n| n.span),
                            format!("{p}.items.properties[{name}].type"),
                            format!("list-map key `{name}` is of type `{kt}`"),
                            "Invalid value: \"object\": must be a scalar type if parent array's x-kubernetes-list-type is map",
                            "list-map keys must be strings, integers, numbers or booleans",
                        ));
                    }
                }
                None => self.push(Finding::new(
                    k.span,
                    format!("{p}.x-kubernetes-list-map-keys"),
                    format!("list-map key `{name}` is not a property of the items"),
                    "Invalid value: entries must all be names of item properties",
                    "declare the key under `items.properties`, or fix its name",
                )),
            }
            if !seen.insert(name) {
                self.push(Finding::new(
                    k.span,
                    format!("{p}.x-kubernetes-list-map-keys"),
                    format!("list-map key `{name}` is listed twice"),
                    "Invalid value: must not contain duplicate entries",
                    "remove one of them",
                ));
            }
        }
    }

    /// `validateMapListKeysMapSet`.
    fn list_map_set_items(&mut self, s: &Node, cx: &Cx, lt: &str, keys: &[&Node]) {
        let kw = Keys::of(s);
        let p = cx.path();
        let Some(items) = kw.get("items").filter(|i| i.is_map()) else {
            return;
        };
        if flag(items, "nullable") {
            self.push(Finding::new(
                key_span(items, "nullable"),
                format!("{p}.items.nullable"),
                format!("the items of the list `{}` are nullable", cx.data().trim_start_matches('.')),
                format!("Forbidden: cannot be nullable when x-kubernetes-list-type is {lt}"),
                "remove `nullable: true` from the items",
            ));
        }
        if lt != "map" {
            return;
        }
        let required: Vec<&str> = items
            .get("required")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        for k in keys {
            let Some(name) = k.as_str() else { continue };
            let Some(ks) = items.get("properties").and_then(|p| p.get(name)) else {
                continue;
            };
            if !required.contains(&name) && present(ks, "default").is_none() {
                self.push(Finding::new(
                    k.span,
                    format!("{p}.items.properties[{name}].default"),
                    format!("list-map key `{name}` is neither required nor defaulted"),
                    "Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
                    format!("add `{name}` to the items' `required`, or give it a `default`"),
                ));
            }
            if flag(ks, "nullable") {
                self.push(Finding::new(
                    key_span(ks, "nullable"),
                    format!("{p}.items.properties[{name}].nullable"),
                    format!("list-map key `{name}` is nullable"),
                    "Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable",
                    "remove `nullable: true`",
                ));
            }
        }
    }

    /// The static rules of `x-kubernetes-validations` entries (not the CEL compilation).
    fn validations(&mut self, s: &Node, cx: &Cx) {
        const REASONS: &[&str] = &[
            "FieldValueDuplicate",
            "FieldValueForbidden",
            "FieldValueInvalid",
            "FieldValueRequired",
        ];
        let nl = |t: &str| t.contains(['\n', '\r']);
        for (i, r) in s
            .get("x-kubernetes-validations")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if !r.is_map() {
                continue;
            }
            let base = format!("{}.x-kubernetes-validations[{i}]", cx.path());
            let text = |k: &str| r.get(k).and_then(Node::as_str);
            let rule = text("rule").unwrap_or("");
            let message = text("message").unwrap_or("");
            if r.get("rule").is_some_and(|n| n.as_str().is_some()) && rule.trim().is_empty() {
                self.push(Finding::new(
                    r.get("rule").map_or(r.span, |n| n.span),
                    format!("{base}.rule"),
                    format!("validation rule {i} in {} has no `rule`", cx.at()),
                    "Required value: rule is not specified",
                    "write the CEL expression in `rule`",
                ));
            } else if !message.is_empty() && message.trim().is_empty() {
                self.push(Finding::new(
                    r.get("message").map_or(r.span, |n| n.span),
                    format!("{base}.message"),
                    "a validation rule's `message` is blank",
                    "Invalid value: must be non-empty if specified",
                    "write the message, or remove it",
                ));
            } else if nl(message.trim()) {
                self.push(Finding::new(
                    r.get("message").map_or(r.span, |n| n.span),
                    format!("{base}.message"),
                    "a validation rule's `message` has a line break",
                    "Invalid value: must not contain line breaks",
                    "keep the message on one line (a YAML `>-` block folds lines)",
                ));
            } else if nl(rule.trim()) && message.trim().is_empty() {
                self.push(Finding::new(
                    r.get("rule").map_or(r.span, |n| n.span),
                    format!("{base}.message"),
                    "a validation rule spans several lines but has no `message`",
                    "Required value: message must be specified if rule contains line breaks",
                    "add a `message`",
                ));
            }
            if let Some(me) = text("messageExpression") {
                if !me.is_empty() && me.trim().is_empty() {
                    self.push(Finding::new(
                        r.get("messageExpression").map_or(r.span, |n| n.span),
                        format!("{base}.messageExpression"),
                        "a validation rule's `messageExpression` is blank",
                        "Required value: messageExpression must be non-empty if specified",
                        "write the expression, or remove it",
                    ));
                }
            }
            if let Some(reason) = text("reason") {
                if !REASONS.contains(&reason) {
                    self.push(Finding::new(
                        r.get("reason").map_or(r.span, |n| n.span),
                        format!("{base}.reason"),
                        format!("`reason: {reason}` is not a validation failure reason"),
                        format!("Unsupported value: \"{reason}\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\""),
                        match crate::model::names::did_you_mean(reason, REASONS) {
                            Some(m) => format!("did you mean `{m}`?"),
                            None => "use FieldValueInvalid, FieldValueRequired, FieldValueForbidden or FieldValueDuplicate".into(),
                        },
                    ));
                }
            }
            if let Some(fp) = text("fieldPath") {
                let span = r.get("fieldPath").map_or(r.span, |n| n.span);
                if !fp.is_empty() && fp.trim().is_empty() {
                    self.push(Finding::new(span, format!("{base}.fieldPath"), "a validation rule's `fieldPath` is blank", "Invalid value: must be non-empty if specified", "write the path, or remove it"));
                } else if nl(fp) {
                    self.push(Finding::new(span, format!("{base}.fieldPath"), "a validation rule's `fieldPath` has a line break", "Invalid value: must not contain line breaks", "write the path on one line"));
                } else if let Some(missing) = field_path_missing(s, fp) {
                    self.push(Finding::new(
                        span,
                        format!("{base}.fieldPath"),
                        format!("`fieldPath: {fp}` names `{missing}`, which {} does not declare", cx.at()),
                        format!("Invalid value: \"{fp}\": must be a valid path"),
                        "the path is relative to the schema that holds the rule; point it at a declared field",
                    ));
                }
            }
        }
    }
}

/// For a plain `.a.b` field path: the first field a schema without `additionalProperties`
/// or preserve-unknown-fields does not declare. Other paths are left to the server.
fn field_path_missing(schema: &Node, fp: &str) -> Option<String> {
    let rest = fp.strip_prefix('.')?;
    let mut s = schema;
    for seg in rest.split('.') {
        if seg.is_empty() || !seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return None;
        }
        if ty(s) != "object"
            || flag(s, "x-kubernetes-preserve-unknown-fields")
            || flag(s, "x-kubernetes-embedded-resource")
            || present(s, "additionalProperties").is_some()
        {
            return None;
        }
        match s.get("properties").and_then(|p| p.get(seg)) {
            Some(next) => s = next,
            None => return Some(seg.to_string()),
        }
    }
    None
}

fn type_needed(s: &Node, cx: &Cx, span: Span, want: &str, because: &str) -> Finding {
    let t = ty(s);
    let (msg, server) = if t.is_empty() {
        (
            format!("{} has no `type`, but {because}", cx.at()),
            format!("Required value: must be {want} if {because}"),
        )
    } else {
        (
            format!("{} has `type: {t}`, but {because}", cx.at()),
            format!("Invalid value: \"{t}\": must be {want} if {because}"),
        )
    };
    let _ = s;
    Finding::new(span, format!("{}.type", cx.path()), msg, server, format!("use `type: {want}`"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    Item,
    Field,
}

/// `validateStructuralInvariants` (only reached when `NewStructural` accepts the schema).
fn structural(s: &Node, lvl: Level, cx: &Cx, out: &mut Vec<Finding>, depth: usize) {
    if depth > MAX_DEPTH || !s.is_map() {
        return;
    }
    let (path, at, anchor) = (cx.path(), Place(cx), cx.anchor);
    let kw = Keys::of(s);
    let t = ty(s);
    // `type` values outside the OpenAPI types are `invalid-crd`'s; the checks below that
    // depend on the type are skipped then.
    let odd_type = kw.get("type").is_some_and(|n| n.as_str().is_none_or(|v| !v.is_empty() && !OPENAPI_TYPES.contains(&v)));
    let type_span = kw.get("type").map_or(anchor, |n| n.span);
    let items = kw.present("items");
    if t == "array" && items.is_none() {
        out.push(Finding::new(
            type_span,
            format!("{path}.items"),
            format!("{at} is an array without `items`"),
            "Required value: must be specified",
            "describe the items, e.g. `items: {type: string}`",
        ));
    }
    if let Some(i) = items.filter(|i| i.is_map()) {
        structural(i, Level::Item, &cx.child(".items", "[*]", key_span(s, "items")), out, depth + 1);
    }
    for e in kw.get("properties").map(Node::entries).unwrap_or_default() {
        let k = e.key.key_text().unwrap_or_default();
        structural(&e.value, Level::Field, &cx.field(k, e.key.span), out, depth + 1);
    }
    let ap = kw.present("additionalProperties");
    if let Some(ap) = ap {
        if lvl == Level::Root {
            out.push(Finding::new(
                key_span(s, "additionalProperties"),
                format!("{path}.additionalProperties"),
                "`additionalProperties` at the schema root: a custom resource is an object with fields",
                "Forbidden: must not be used at the root",
                "declare `spec` and `status` under `properties`",
            ));
        }
        if ap.is_map() {
            structural(ap, Level::Field, &cx.child(".additionalProperties", ".*", key_span(s, "additionalProperties")), out, depth + 1);
        }
    }
    let ios = kw.flag("x-kubernetes-int-or-string");
    let preserve = kw.flag("x-kubernetes-preserve-unknown-fields");
    let embedded = kw.flag("x-kubernetes-embedded-resource");
    if ios && preserve {
        out.push(Finding::new(
            key_span(s, "x-kubernetes-preserve-unknown-fields"),
            format!("{path}.x-kubernetes-preserve-unknown-fields"),
            format!("{at} has both `x-kubernetes-int-or-string` and `x-kubernetes-preserve-unknown-fields`"),
            "Invalid value: true: must be false if x-kubernetes-int-or-string is true",
            "an int-or-string is a scalar: remove `x-kubernetes-preserve-unknown-fields`",
        ));
    }
    if ios && embedded {
        out.push(Finding::new(
            key_span(s, "x-kubernetes-embedded-resource"),
            format!("{path}.x-kubernetes-embedded-resource"),
            format!("{at} has both `x-kubernetes-int-or-string` and `x-kubernetes-embedded-resource`"),
            "Invalid value: true: must be false if x-kubernetes-int-or-string is true",
            "remove one of them",
        ));
    }
    let skip_any_of = int_or_string_any_of(kw.get("anyOf"));
    let skip_first_all_of = s
        .get("allOf")
        .and_then(|a| a.items().first())
        .is_some_and(|f| int_or_string_any_of(f.get("anyOf")));
    value_validation(s, skip_any_of, skip_first_all_of, lvl, &path, out, depth);
    if embedded && t != "object" && !odd_type {
        out.push(if t.is_empty() {
            Finding::new(type_span, format!("{path}.type"), format!("{at} is an embedded resource without `type: object`"), "Required value: must be object if x-kubernetes-embedded-resource is true", "add `type: object`")
        } else {
            Finding::new(type_span, format!("{path}.type"), format!("{at} is an embedded resource of `type: {t}`"), format!("Invalid value: \"{t}\": must be object if x-kubernetes-embedded-resource is true"), "use `type: object`")
        });
    } else if kw.get("type").is_none_or(|n| n.as_str() == Some("")) && !ios && !preserve {
        let detail = match lvl {
            Level::Root => "must not be empty at the root",
            Level::Item => "must not be empty for specified array items",
            Level::Field => "must not be empty for specified object fields",
        };
        out.push(Finding::new(
            anchor,
            format!("{path}.type"),
            format!("{at} has no `type`: a structural schema declares a type everywhere (except under x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields)"),
            format!("Required value: {detail}"),
            "add `type` (object, array, string, integer, number or boolean)",
        ));
    }
    if embedded && ap.is_some() {
        out.push(Finding::new(
            key_span(s, "additionalProperties"),
            format!("{path}.additionalProperties"),
            format!("{at} is an embedded resource with `additionalProperties`"),
            "Forbidden: must not be used if x-kubernetes-embedded-resource is set",
            "an embedded resource is an object with apiVersion, kind and metadata; remove `additionalProperties`",
        ));
    }
    if lvl == Level::Root && !t.is_empty() && t != "object" && !odd_type {
        out.push(Finding::new(
            type_span,
            format!("{path}.type"),
            format!("`type: {t}` at the schema root: a custom resource is an object"),
            format!("Invalid value: \"{t}\": must be object at the root"),
            "use `type: object`",
        ));
    }
    let check_meta = lvl == Level::Root || embedded;
    let props = kw.get("properties");
    if check_meta {
        for k in ["kind", "apiVersion"] {
            if let Some(ks) = props.and_then(|p| p.get(k)) {
                let kt = ty(ks);
                if kt != "string" && ks.is_map() {
                    out.push(Finding::new(
                        ks.get("type").map_or_else(|| key_span(props.unwrap_or(s), k), |n| n.span),
                        format!("{path}.properties[{k}].type"),
                        format!("`{k}` of {at} is declared as `{}`, not a string", if kt.is_empty() { "untyped" } else { kt }),
                        format!("Invalid value: \"{kt}\": must be string"),
                        format!("declare `{k}: {{type: string}}`"),
                    ));
                }
            }
        }
    }
    if let Some(m) = props.and_then(|p| p.get("metadata")).filter(|m| m.is_map()) {
        let mpath = format!("{path}.properties[metadata]");
        let mspan = props.map_or(anchor, |p| key_span(p, "metadata"));
        if check_meta && ty(m) != "object" {
            let mt = ty(m);
            out.push(Finding::new(
                m.get("type").map_or(mspan, |n| n.span),
                format!("{mpath}.type"),
                format!("`metadata` of {at} is declared as `{}`, not an object", if mt.is_empty() { "untyped" } else { mt }),
                format!("Invalid value: \"{mt}\": must be object"),
                "declare `metadata: {type: object}`",
            ));
        }
        if lvl == Level::Root {
            root_metadata(m, &mpath, mspan, out);
        }
    }
    if embedded && !preserve && props.is_none_or(|p| p.entries().is_empty()) {
        out.push(Finding::new(
            key_span(s, "x-kubernetes-embedded-resource"),
            format!("{path}.properties"),
            format!("{at} is an embedded resource with no properties and no `x-kubernetes-preserve-unknown-fields`"),
            "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
            "add `x-kubernetes-preserve-unknown-fields: true` (any object) or declare its fields",
        ));
    }
}

/// `validateStructuralMetadataInvariants` at the root: metadata may only restrict `name` and
/// `generateName`.
fn root_metadata(m: &Node, path: &str, span: Span, out: &mut Vec<Finding>) {
    for e in m.entries() {
        let Some(k) = e.key.key_text() else { continue };
        let allowed = match k {
            "type" | "default" | "externalDocs" | "example" => true,
            "properties" => e
                .value
                .entries()
                .iter()
                .all(|p| matches!(p.key.key_text(), Some("name" | "generateName"))),
            _ => {
                let empty = (e.value.is_map() && e.value.entries().is_empty())
                    || (e.value.is_seq() && e.value.items().is_empty());
                is_zero(&e.value) || empty
            }
        };
        if !allowed {
            out.push(Finding::new(
                e.key.span,
                path.to_string(),
                format!("the schema of `metadata` at the root sets `{k}`: only `name` and `generateName` may be restricted there"),
                "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
                "the API server validates metadata itself; keep `metadata: {type: object}` (restrictions of name/generateName may go under its properties)",
            ));
            let _ = span;
            return;
        }
    }
}

/// `isIntOrStringAnyOfPattern`: exactly `anyOf: [{type: integer}, {type: string}]`.
fn int_or_string_any_of(any_of: Option<&Node>) -> bool {
    let Some(a) = any_of else { return false };
    let b = a.items();
    b.len() == 2
        && [("integer", &b[0]), ("string", &b[1])].iter().all(|(t, n)| {
            n.entries().len() == 1 && n.get("type").and_then(Node::as_str) == Some(t)
        })
}

/// `validateValueValidation`: the junctors of a schema.
fn value_validation(s: &Node, skip_any_of: bool, skip_first_all_of: bool, lvl: Level, path: &dyn std::fmt::Display, out: &mut Vec<Finding>, depth: usize) {
    let kw = Keys::of(s);
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(n) = kw.get("pattern") {
        if let Some(problem) = n.as_str().and_then(unsupported_regex) {
            let p = n.as_str().unwrap_or_default();
            out.push(Finding::new(
                n.span,
                format!("{path}.pattern"),
                format!("`pattern` uses {problem}, which Go regular expressions (RE2) do not support"),
                format!("Invalid value: \"{p}\": must be a valid regular expression, but isn't: error parsing regexp"),
                "rewrite it without lookaround or backreferences, or check the condition with an `x-kubernetes-validations` rule",
            ));
        }
    }
    if !skip_any_of {
        for (i, b) in kw.get("anyOf").map(Node::items).unwrap_or_default().iter().enumerate() {
            nested(b, false, lvl, &format!("{path}.anyOf[{i}]"), out, depth + 1);
        }
    }
    for (i, b) in kw.get("allOf").map(Node::items).unwrap_or_default().iter().enumerate() {
        nested(b, skip_first_all_of && i == 0, lvl, &format!("{path}.allOf[{i}]"), out, depth + 1);
    }
    for (i, b) in kw.get("oneOf").map(Node::items).unwrap_or_default().iter().enumerate() {
        nested(b, false, lvl, &format!("{path}.oneOf[{i}]"), out, depth + 1);
    }
    if let Some(n) = kw.present("not") {
        nested(n, false, lvl, &format!("{path}.not"), out, depth + 1);
    }
}

/// Perl syntax Go's `regexp.Compile` refuses and other dialects (JavaScript, PCRE) accept:
/// lookahead and lookbehind groups and backreferences. Other differences are left to the
/// server.
fn unsupported_regex(p: &str) -> Option<&'static str> {
    let b = p.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                // `\1`..`\9` is a backreference, except that `\1`..`\7` followed by an
                // octal digit is an octal escape, which Go accepts.
                if let Some(&d) = b.get(i + 1).filter(|c| (b'1'..=b'9').contains(c)) {
                    let octal = d <= b'7' && b.get(i + 2).is_some_and(|c| (b'0'..=b'7').contains(c));
                    if !octal {
                        return Some("a backreference");
                    }
                }
                i += 2;
                continue;
            }
            b'[' if !in_class => {
                in_class = true;
                // `[]...]` and `[^]...]` take the `]` literally.
                if b.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b']' if in_class => in_class = false,
            b'(' if !in_class && b.get(i + 1) == Some(&b'?') => {
                let rest = &b[i + 2..];
                if rest.starts_with(b"=") || rest.starts_with(b"!") {
                    return Some("a lookahead group");
                }
                if rest.starts_with(b"<=") || rest.starts_with(b"<!") {
                    return Some("a lookbehind group");
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `validateNestedValueValidation`: a schema under a junctor may only constrain values.
fn nested(v: &Node, skip_any_of: bool, lvl: Level, path: &str, out: &mut Vec<Finding>, depth: usize) {
    let kw = Keys::of(v);
    if depth > MAX_DEPTH || !v.is_map() {
        return;
    }
    value_validation(v, skip_any_of, false, lvl, &path, out, depth);
    if let Some(i) = kw.present("items") {
        nested(i, false, lvl, &format!("{path}.items"), out, depth + 1);
    }
    for e in kw.get("properties").map(Node::entries).unwrap_or_default() {
        let k = e.key.key_text().unwrap_or_default();
        nested(&e.value, false, Level::Field, &format!("{path}.properties[{k}]"), out, depth + 1);
    }
    let mut forbid = |key: &str, what: &str| {
        out.push(Finding::new(
            key_span(v, key),
            format!("{path}.{key}"),
            format!("`{key}` inside `{}`: in a structural schema, allOf/anyOf/oneOf/not may only add value validations", junctor(path)),
            format!("Forbidden: {what} to be structural"),
            format!("declare `{key}` on the schema itself (outside the junctor) and keep only constraints such as required, enum, pattern or bounds inside"),
        ));
    };
    if kw.get("type").and_then(Node::as_str).is_some_and(|t| !t.is_empty()) {
        forbid("type", "must be empty");
    }
    if kw.present("additionalProperties").is_some() {
        forbid("additionalProperties", "must be undefined");
    }
    if kw.present("default").is_some() {
        forbid("default", "must be undefined");
    }
    for key in ["title", "description"] {
        if kw.get(key).and_then(Node::as_str).is_some_and(|t| !t.is_empty()) {
            forbid(key, "must be empty");
        }
    }
    for key in ["nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"] {
        if kw.flag(key) {
            forbid(key, "must be false");
        }
    }
    if kw.get("x-kubernetes-list-map-keys").is_some_and(|k| !k.items().is_empty()) {
        forbid("x-kubernetes-list-map-keys", "must be empty");
    }
    for key in ["x-kubernetes-list-type", "x-kubernetes-map-type"] {
        if kw.present(key).is_some() {
            forbid(key, "must be undefined");
        }
    }
    if kw.get("x-kubernetes-validations").is_some_and(|k| !k.items().is_empty()) {
        forbid("x-kubernetes-validations", "must be empty");
    }
    if let Some(p) = kw.get("properties").filter(|p| p.get("metadata").is_some()) {
        out.push(Finding::new(
            key_span(p, "metadata"),
            format!("{path}.properties[metadata]"),
            format!("`metadata` inside `{}`: metadata may not be constrained in a nested context", junctor(path)),
            "Forbidden: must not be specified in a nested context",
            "remove it from the junctor",
        ));
    }
}

fn junctor(path: &str) -> &str {
    ["allOf", "anyOf", "oneOf", "not"]
        .into_iter()
        .filter_map(|j| path.rfind(j).map(|i| (i, j)))
        .max()
        .map_or("allOf", |(_, j)| j)
}

/// `validateStructuralCompleteness`: fields and items that the junctors of the root name
/// must be declared in the structural part too.
fn completeness(root: &Node, path: &str, out: &mut Vec<Finding>) {
    complete_junctors(root, root, path, path, out, 0);
}

fn complete_junctors(v: &Node, s: &Node, spath: &str, vpath: &str, out: &mut Vec<Finding>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(n) = present(v, "not") {
        complete_nested(n, s, spath, &format!("{vpath}.not"), out, depth + 1);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, b) in v.get(key).map(Node::items).unwrap_or_default().iter().enumerate() {
            complete_nested(b, s, spath, &format!("{vpath}.{key}[{i}]"), out, depth + 1);
        }
    }
}

fn complete_nested(v: &Node, s: &Node, spath: &str, vpath: &str, out: &mut Vec<Finding>, depth: usize) {
    if depth > MAX_DEPTH || !v.is_map() {
        return;
    }
    complete_junctors(v, s, spath, vpath, out, depth);
    if let Some(vi) = present(v, "items") {
        match present(s, "items").filter(|i| i.is_map()) {
            Some(si) => complete_nested(vi, si, &format!("{spath}.items"), &format!("{vpath}.items"), out, depth + 1),
            None => out.push(Finding::new(
                key_span(v, "items"),
                format!("{spath}.items"),
                format!("`items` is constrained in `{}` but not declared in the schema itself", junctor(vpath)),
                format!("Required value: because it is defined in {vpath}.items"),
                "declare `items` on the schema itself as well",
            )),
        }
    }
    for e in v.get("properties").map(Node::entries).unwrap_or_default() {
        let k = e.key.key_text().unwrap_or_default();
        match s.get("properties").and_then(|p| p.get(k)) {
            Some(sf) => complete_nested(&e.value, sf, &format!("{spath}.properties[{k}]"), &format!("{vpath}.properties[{k}]"), out, depth + 1),
            None => out.push(Finding::new(
                e.key.span,
                format!("{spath}.properties[{k}]"),
                format!("field `{k}` is constrained in `{}` but not declared in the schema's properties", junctor(vpath)),
                format!("Required value: because it is defined in {vpath}.properties[{k}]"),
                format!("declare `{k}` (with its type) under the schema's own `properties`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{unsupported_regex, Keys};
    use crate::{check_text, Options};

    /// The signature set only rules keys out: every lookup answers as `Node::get` does,
    /// repeated keys (the first wins), keys sharing a signature and non-maps included.
    #[test]
    fn keys_answer_as_node_get() {
        let text = "type: object\ntype: string\nitems: {}\ndefault: null\nx-kubernetes-list-type: set\nenum: [a]\nnot: {}\n";
        let parsed = crate::yaml::parse_text(text);
        let root = &parsed.documents[0].root;
        let probes = [
            "type", "items", "default", "x-kubernetes-list-type", "enum", "not", "nullable",
            "format", "tpye", "item", "x-kubernetes-map-type", "", "properties", "anyOf",
        ];
        for node in [root, root.get("items").expect("items"), root.get("enum").expect("enum")] {
            let kw = Keys::of(node);
            for k in probes {
                assert_eq!(kw.get(k).map(|n| n.span), node.get(k).map(|n| n.span), "{k}");
                assert_eq!(kw.present(k).is_some(), node.get(k).is_some_and(|n| !n.is_null()), "{k}");
            }
        }
    }

    /// Versions repeating one schema: a faultless one is walked once, a faulty one is
    /// reported in every version, as the API server reports it.
    #[test]
    fn repeated_version_schemas() {
        let crd = |schema: &str| {
            let versions: String = ["v1", "v2"]
                .iter()
                .map(|v| {
                    format!(
                        "    - name: {v}\n      served: true\n      storage: {}\n      schema:\n        openAPIV3Schema: {schema}\n",
                        *v == "v1"
                    )
                })
                .collect();
            format!(
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: ws.example.com}}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {{kind: W, plural: ws, singular: w, listKind: WList}}\n  versions:\n{versions}"
            )
        };
        let found = |text: String| -> Vec<String> {
            check_text("crd.yaml", &text, &Options::default())
                .diagnostics
                .into_iter()
                .filter(|d| d.rule == super::RULE.id)
                .map(|d| d.message)
                .collect()
        };
        assert_eq!(
            found(crd("{type: object, properties: {spec: {type: object}}}")),
            Vec::<String>::new()
        );
        let faulty = found(crd("{type: object, properties: {spec: {type: array}}}"));
        assert_eq!(faulty.len(), 2, "{faulty:#?}");
        assert_eq!(faulty[0], faulty[1]);
    }

    #[test]
    fn go_regexp_refuses_lookaround_and_backreferences() {
        assert_eq!(unsupported_regex("^(?=.*[a-z]).{8,}$"), Some("a lookahead group"));
        assert_eq!(unsupported_regex("^(?!-)[a-z-]+$"), Some("a lookahead group"));
        assert_eq!(unsupported_regex("(?<=a)b"), Some("a lookbehind group"));
        assert_eq!(unsupported_regex("(a)\\1"), Some("a backreference"));
        assert_eq!(unsupported_regex("^(?P<n>[a-z]+)(?:-[0-9])?$"), None);
        assert_eq!(unsupported_regex("^(?<n>[a-z]+)$"), None, "named groups are fine");
        assert_eq!(unsupported_regex("[(?=]\\(?=x"), None, "in a class or escaped");
        assert_eq!(unsupported_regex("^\\101$"), None, "an octal escape");
        assert_eq!(unsupported_regex("^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))$"), None);
    }
}
