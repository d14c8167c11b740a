//! `ingress-spec-invalid`: `ValidateIngressCreate` and `ValidateIngressSpec`
//! (pkg/apis/networking/validation) for networking.k8s.io/v1 Ingresses: the class
//! annotation next to `ingressClassName`, rules or a default backend, hosts and their
//! wildcards, paths per `pathType`, and backends; and `validateIngressClassSpec` for
//! IngressClasses (`controller`, `parameters`).

use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_label, dns1123_subdomain, iana_svc_name, path_segment_name};
use crate::model::Object;
use crate::rules::api::{
    domain_prefixed_path, enum_value, judged_str, parse_ip, reject, reject_pair,
};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "ingress-spec-invalid",
    severity: Severity::Error,
    category: Category::Networking,
    summary: "An Ingress the API server rejects (class annotation with ingressClassName, bad host or wildcard, path not matching its pathType, backend mistakes)",
    fix: false,
    doc: include_str!("../../../rules/ingress-spec-invalid.md"),
    check: Check::Object(check),
};

const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind == "IngressClass" && obj.api_version == "networking.k8s.io/v1" {
        ingress_class(ctx, obj);
        return;
    }
    if obj.kind != "Ingress" || obj.api_version != "networking.k8s.io/v1" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    class(ctx, obj, spec);
    let rules = spec.get("rules").filter(|n| !n.items().is_empty());
    let default_backend = spec.get("defaultBackend").filter(|n| !n.is_null());
    if rules.is_none() && default_backend.is_none() {
        reject(
            ctx,
            obj,
            spec,
            "the Ingress has neither `rules` nor a `defaultBackend`".into(),
            "Invalid value: either `defaultBackend` or `rules` must be specified",
            "add `rules` with hosts and paths, or a `defaultBackend`",
        );
    }
    if let Some(b) = default_backend {
        backend(ctx, obj, b);
    }
    for rule in rules.map(Node::items).unwrap_or_default() {
        if let Some(h) = rule.get("host") {
            host(ctx, obj, h, true);
        }
        let Some(http) = rule.get("http").filter(|n| n.is_map()) else {
            continue;
        };
        let paths = http.get("paths");
        if paths.is_none_or(|p| p.items().is_empty()) {
            reject(
                ctx,
                obj,
                paths.unwrap_or(http),
                "an Ingress rule's `http` has no paths".into(),
                "Required value",
                "add at least one path (e.g. `path: /` with `pathType: Prefix`), or remove `http`",
            );
        }
        for p in paths.map(Node::items).unwrap_or_default() {
            path(ctx, obj, p);
            if let Some(b) = p.get("backend").filter(|n| n.is_map()) {
                backend(ctx, obj, b);
            }
        }
    }
    for tls in spec.get("tls").map(Node::items).unwrap_or_default() {
        // TLS hosts get the DNS checks only: an IPv4 address passes them.
        for h in tls.get("hosts").map(Node::items).unwrap_or_default() {
            host(ctx, obj, h, false);
        }
        if let Some(secret) = tls.get("secretName") {
            if let Some(v) = judged_str(secret) {
                let errs = dns1123_subdomain(v);
                if !errs.is_empty() {
                    reject(
                        ctx,
                        obj,
                        secret,
                        format!("the TLS `secretName: {v}` {}", errs.join("; ")),
                        "Invalid value: a lowercase RFC 1123 subdomain",
                        "use the `metadata.name` of the TLS Secret",
                    );
                }
            }
        }
    }
}

fn class(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(name) = spec.get("ingressClassName").filter(|n| !n.is_null()) else {
        return;
    };
    if let Some(v) = judged_str(name) {
        let errs = dns1123_subdomain(v);
        if !errs.is_empty() {
            reject(
                ctx,
                obj,
                name,
                format!("`ingressClassName: {v}` {}", errs.join("; ")),
                "Invalid value: a lowercase RFC 1123 subdomain",
                "use the name of an IngressClass (`kubectl get ingressclass`)",
            );
        }
    }
    let Some(annotation) = obj
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.entry(CLASS_ANNOTATION))
    else {
        return;
    };
    // Any value counts, even an empty one: the server checks that the key is present.
    reject_pair(
        ctx,
        obj,
        &annotation.key,
        name.span,
        "`ingressClassName` is set here".into(),
        format!("the `{CLASS_ANNOTATION}` annotation and `spec.ingressClassName` are both set"),
        "Invalid value: can not be set when the class field is also set",
        "the annotation is deprecated: keep `spec.ingressClassName` and remove the annotation",
    );
}

/// `validateIngressRules` hosts and `validateIngressTLS` hosts: a DNS subdomain, a wildcard
/// only as the whole first label, never an IP address.
fn host(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, rule_host: bool) {
    let Some(h) = judged_str(node) else { return };
    if rule_host && parse_ip(h).is_some() {
        reject(
            ctx,
            obj,
            node,
            format!("the host `{h}` is an IP address"),
            "Invalid value: must be a DNS name, not an IP address",
            "Ingress hosts are DNS names; remove `host` to match any address",
        );
        return;
    }
    let (name, wildcard) = match h.strip_prefix("*.") {
        Some(rest) => (rest, true),
        None => (h, false),
    };
    if name.contains('*') {
        reject(
            ctx,
            obj,
            node,
            format!("the host `{h}` has a wildcard that is not the whole first label"),
            "Invalid value: a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain",
            "a wildcard may only be the first label, as in `*.example.com`",
        );
        return;
    }
    let errs = dns1123_subdomain(name);
    if !errs.is_empty() {
        let what = if wildcard { "wildcard host" } else { "host" };
        reject(
            ctx,
            obj,
            node,
            format!("the {what} `{h}` {}", errs.join("; ")),
            "Invalid value: a lowercase RFC 1123 subdomain",
            "use a lowercase DNS name without a port or a scheme, e.g. `app.example.com`",
        );
    }
}

const BAD_SEQUENCES: &[&str] = &["//", "/./", "/../", "%2f", "%2F"];
const BAD_SUFFIXES: &[&str] = &["/..", "/."];

/// `validateIngressPath` / `validateHTTPIngressPath`.
fn path(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, p: &Node) {
    enum_value(ctx, obj, p, "pathType", &["Exact", "Prefix", "ImplementationSpecific"]);
    let Some(node) = p.get("path") else { return };
    let Some(v) = node.as_str() else { return };
    if crate::model::fields::is_templated(v) || crate::rules::api::is_placeholder(v) {
        return;
    }
    let ty = p.get("pathType").and_then(Node::as_str).unwrap_or("");
    if !v.is_empty() && !v.starts_with('/') {
        reject(
            ctx,
            obj,
            node,
            format!("the path `{v}` does not start with `/`"),
            "Invalid value: must be an absolute path",
            &format!("write `/{v}`"),
        );
        return;
    }
    if matches!(ty, "Exact" | "Prefix") {
        if v.is_empty() {
            reject(
                ctx,
                obj,
                node,
                format!("an empty path with `pathType: {ty}`"),
                "Invalid value: must be an absolute path",
                "use `path: /` to match everything",
            );
            return;
        }
        let t = p.get("pathType").map_or(node.span, |t| t.span);
        let bad = BAD_SEQUENCES
            .iter()
            .find(|s| v.contains(**s))
            .map(|b| (b, "contains", "must not contain"))
            .or_else(|| {
                BAD_SUFFIXES
                    .iter()
                    .find(|s| v.ends_with(**s))
                    .map(|b| (b, "ends with", "cannot end with"))
            });
        if let Some((bad, verb, server)) = bad {
            reject_pair(
                ctx,
                obj,
                node,
                t,
                format!("`pathType` is `{ty}`"),
                format!("the path `{v}` {verb} `{bad}`, which a `{ty}` path may not"),
                &format!("Invalid value: {server} '{bad}'"),
                "normalise the path, or use `pathType: ImplementationSpecific` for controller-specific syntax",
            );
        }
    }
}

/// `validateIngressBackend`.
fn backend(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, b: &Node) {
    let service = b.get("service").filter(|n| !n.is_null());
    let resource = b.get("resource").filter(|n| !n.is_null());
    match (service, resource) {
        (Some(s), Some(r)) => {
            reject_pair(
                ctx,
                obj,
                r,
                s.span,
                "the service backend is here".into(),
                "a backend sets both `service` and `resource`".into(),
                "Invalid value: cannot set both resource and service backends",
                "keep one of them",
            );
            return;
        }
        (None, None) => {
            reject(
                ctx,
                obj,
                b,
                "a backend has neither `service` nor `resource`".into(),
                "Invalid value: resource or service backend is required",
                "add `service: {name: ..., port: {number: ...}}`",
            );
            return;
        }
        _ => {}
    }
    if let Some(r) = resource.filter(|r| r.is_map()) {
        typed_reference(ctx, obj, r);
    }
    let Some(s) = service else { return };
    if let Some(n) = s.get("name") {
        if let Some(v) = judged_str(n) {
            let errs = dns1035_label(v);
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("the backend Service name `{v}` {}", errs.join("; ")),
                    "Invalid value: a DNS-1035 label",
                    "use the `metadata.name` of the Service",
                );
            }
        }
    }
    let Some(port) = s.get("port").filter(|n| n.is_map()) else {
        // Absent or null: the port struct is empty. Other shapes are the schema stage's.
        if s.get("port").is_none_or(Node::is_null) {
            reject(
                ctx,
                obj,
                s.get("port").unwrap_or(s),
                "the backend Service has no `port`".into(),
                "Required value: port name or number is required",
                "set `port.number` (the Service's `port`) or `port.name`",
            );
        }
        return;
    };
    let name = port.get("name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    let number = port.get("number").filter(|n| n.as_i64().is_some_and(|v| v != 0));
    match (name, number) {
        (Some(n), Some(num)) => reject_pair(
            ctx,
            obj,
            n,
            num.span,
            "`number` is set here".into(),
            "the backend port sets both `name` and `number`".into(),
            "Invalid value: cannot set both port name & port number",
            "keep one of them",
        ),
        (None, None) => reject(
            ctx,
            obj,
            port,
            "the backend port has neither `name` nor `number`".into(),
            "Required value: port name or number is required",
            "set `number` (the Service's `port`) or `name` (the Service port's name)",
        ),
        (Some(n), None) => {
            if let Some(v) = judged_str(n) {
                let errs = iana_svc_name(v);
                if !errs.is_empty() {
                    reject(
                        ctx,
                        obj,
                        n,
                        format!("the backend port name `{v}` {}", errs.join("; ")),
                        "Invalid value: an IANA service name",
                        "use the `name` of one of the Service's ports, or `number`",
                    );
                }
            }
        }
        (None, Some(num)) => {
            if let Some(v) = num.as_i64().filter(|v| !(1..=65535).contains(v)) {
                reject(
                    ctx,
                    obj,
                    num,
                    format!("the backend port number {v} is out of range"),
                    "Invalid value: must be between 1 and 65535, inclusive",
                    "use the Service's `port`",
                );
            }
        }
    }
}

/// `validateIngressTypedLocalObjectReference`: `apiGroup` a DNS subdomain, `kind` and
/// `name` non-empty path segments (a resource backend, IngressClass `parameters`).
fn typed_reference(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, r: &Node) {
    if let Some(g) = r.get("apiGroup") {
        if let Some(v) = judged_str(g) {
            let errs = dns1123_subdomain(v);
            if !errs.is_empty() {
                let help = if v.contains('/') {
                    "write the group alone, without the version (`k8s.example.com`, not `k8s.example.com/v1`)"
                } else {
                    "use the API group of the referenced kind, e.g. `k8s.example.com` (empty for the core group)"
                };
                reject(ctx, obj, g, format!("`apiGroup: {v}` {}", errs.join("; ")), "Invalid value: a lowercase RFC 1123 subdomain", help);
            }
        }
    }
    for key in ["kind", "name"] {
        let Some(n) = r.get(key) else { continue };
        let Some(v) = n.as_str() else { continue };
        if crate::model::fields::is_templated(v) || crate::rules::api::is_placeholder(v) {
            continue;
        }
        if v.is_empty() {
            reject(ctx, obj, n, format!("`{key}` is empty"), &format!("Required value: {key} is required"), &format!("set the `{key}` of the referenced object"));
            continue;
        }
        let errs = path_segment_name(v);
        if !errs.is_empty() {
            reject(ctx, obj, n, format!("`{key}: {v}` {}", errs.join("; ")), "Invalid value: a path segment name", &format!("write the `{key}` alone, without `/` or `%`"));
        }
    }
}

/// `validateIngressClassSpec`: `controller` a domain-prefixed path of at most 250
/// characters; `parameters` a reference whose `scope` (defaulted to `Cluster`) agrees with
/// `namespace`.
fn ingress_class(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let spec = obj.spec();
    let controller = spec.and_then(|s| s.get("controller"));
    match controller {
        // A value of another type is the schema stage's.
        Some(c) if !c.is_null() && c.as_str().is_none() => {}
        Some(c) if c.as_str().is_some_and(|v| !v.is_empty()) => {
            let v = c.as_str().unwrap_or_default();
            let mut errs = if judged_str(c).is_some() { domain_prefixed_path(v) } else { Vec::new() };
            if v.len() > 250 {
                errs.push(format!("is {} characters long, more than 250", v.len()));
            }
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    c,
                    format!("`controller: {v}` {}", errs.join("; ")),
                    "Invalid value: must be a domain-prefixed path (such as \"acme.io/foo\")",
                    "use the name the controller watches for, e.g. `k8s.io/ingress-nginx` or `ingress.k8s.aws/alb`",
                );
            }
        }
        _ => {
            let anchor = controller.or(spec).or_else(|| obj.root.get("kind")).unwrap_or(obj.root);
            reject(
                ctx,
                obj,
                anchor,
                "the IngressClass has no `controller`".into(),
                "Required value",
                "set `spec.controller` to the name the controller watches for, e.g. `k8s.io/ingress-nginx`",
            );
        }
    }
    let Some(params) = spec.and_then(|s| s.get("parameters")).filter(|p| p.is_map()) else {
        return;
    };
    typed_reference(ctx, obj, params);
    let scope = params.get("scope");
    let ns = params.get("namespace").filter(|n| !n.is_null());
    match scope.and_then(Node::as_str).unwrap_or("Cluster") {
        "Cluster" => {
            if let Some(n) = ns {
                let d = "`parameters.namespace` is set but the scope is `Cluster`".to_string();
                let server = "Forbidden: `parameters.scope` is set to 'Cluster'";
                let help = "remove `namespace`, or set `scope: Namespace` for namespaced parameters";
                match scope {
                    Some(sc) => reject_pair(ctx, obj, n, sc.span, "the scope is set here".into(), d, server, help),
                    None => reject(ctx, obj, n, format!("{d} (the default)"), server, help),
                }
            }
        }
        "Namespace" => match ns {
            None => {
                if let Some(sc) = scope {
                    reject(ctx, obj, sc, "`scope: Namespace` needs `parameters.namespace`".into(), "Required value: `parameters.scope` is set to 'Namespace'", "set the namespace of the parameters object");
                }
            }
            Some(n) => {
                if let Some(v) = judged_str(n) {
                    let errs = dns1123_label(v);
                    if !errs.is_empty() {
                        reject(ctx, obj, n, format!("`namespace: {v}` {}", errs.join("; ")), "Invalid value: a lowercase RFC 1123 label", "use the name of an existing namespace");
                    }
                }
            }
        },
        _ => enum_value(ctx, obj, params, "scope", &["Cluster", "Namespace"]),
    }
}
