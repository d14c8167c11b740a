//! `apiservice-invalid`: `ValidateAPIService` (kube-aggregator
//! `pkg/apis/apiregistration/validation`) on an `apiregistration.k8s.io/v1` APIService, after
//! the v1 default (service port 443).

use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_subdomain};
use crate::model::Object;
use crate::rules::api::{judged_str, key_span, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "apiservice-invalid",
    severity: Severity::Error,
    category: Category::ApiExtensions,
    summary: "An APIService the API server rejects: a name other than `<version>.<group>`, an invalid group or version, priorities out of range, TLS settings that contradict each other",
    fix: false,
    doc: include_str!("../../../rules/apiservice-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "APIService" || obj.api_version != "apiregistration.k8s.io/v1" {
        return;
    }
    let Some(spec) = obj.spec().filter(|s| s.is_map()) else { return };
    let group = spec.get("group").and_then(Node::as_str).unwrap_or("");
    let version = spec.get("version").and_then(Node::as_str).unwrap_or("");
    let templated = |s: &str| !s.is_empty() && judged_str_of(s).is_none();
    if templated(group) || templated(version) {
        return;
    }
    name(ctx, obj, spec, group, version);
    if group.is_empty() && version != "v1" {
        let d = ctx
            .diag(obj, key_span(spec, "group"), "an APIService without a `group` serves the legacy core API only".to_string())
            .with_help("the API server rejects it (`spec.group: Required value: only v1 may have an empty group and it better be legacy kube`); set `group` to the API group the service serves (`metrics.k8s.io`)");
        ctx.push(d);
    }
    if let Some(n) = spec.get("group").filter(|_| !group.is_empty()) {
        let errs = dns1123_subdomain(group);
        if !errs.is_empty() {
            reject(ctx, obj, n, format!("`group: {group}` is not an API group name: {}", errs.join("; ")), &format!("Invalid value: \"{group}\": {}", errs.join(", ")), "API groups are lower-case DNS names (`metrics.k8s.io`)");
        }
    }
    if let Some(n) = spec.get("version") {
        let errs = dns1035_label(version);
        if !errs.is_empty() && n.as_str().is_some() {
            reject(ctx, obj, n, format!("`version: {version}` is not an API version name: {}", errs.join("; ")), &format!("Invalid value: \"{version}\": {}", errs.join(", ")), "versions are written like `v1beta1`");
        }
    }
    priority(ctx, obj, spec, "groupPriorityMinimum", 20000, "the group's priority among API groups (`100` for most extension APIs)");
    priority(ctx, obj, spec, "versionPriority", 1000, "the version's order within its group (`100` for most)");
    tls(ctx, obj, spec);
}

fn judged_str_of(s: &str) -> Option<&str> {
    (!crate::model::fields::is_templated(s) && !crate::rules::api::is_placeholder(s)).then_some(s)
}

/// The name must be `<version>.<group>` (the aggregator routes by it).
fn name(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, group: &str, version: &str) {
    let Some(n) = obj.metadata().and_then(|m| m.get("name")) else { return };
    let Some(name) = judged_str(n) else { return };
    if crate::model::names::path_segment_name(name).is_empty() {
        let want = format!("{version}.{group}");
        if name != want {
            reject_pair(
                ctx,
                obj,
                n,
                key_span(spec, "version"),
                format!("`version` and `group` make `{want}`"),
                format!("APIService `{name}` is not named `<version>.<group>`"),
                &format!("Invalid value: \"{name}\": must be `spec.version+\".\"+spec.group`: \"{want}\""),
                &format!("name it `{want}`, or fix `version` and `group`"),
            );
        }
    }
}

/// `groupPriorityMinimum` 1..=20000, `versionPriority` 1..=1000 (absent is the schema's).
fn priority(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, key: &str, max: i64, what: &str) {
    let Some(n) = spec.get(key) else { return };
    let Some(v) = n.as_i64() else { return };
    if (1..=max).contains(&v) {
        return;
    }
    reject(
        ctx,
        obj,
        n,
        format!("`{key}: {v}` is outside 1 to {max}"),
        &format!("Invalid value: {v}: must be positive and less than {max}"),
        &format!("use a value from 1 to {max}: {what}"),
    );
}

/// A local APIService (no `service`) takes no TLS settings; a remote one not both
/// `insecureSkipTLSVerify` and a `caBundle`.
fn tls(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let service = spec.get("service").filter(|s| !s.is_null());
    let insecure = spec.get("insecureSkipTLSVerify").filter(|n| n.as_bool() == Some(true));
    let ca = spec
        .get("caBundle")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    match service {
        None => {
            if let Some(n) = ca {
                reject(ctx, obj, n, "a local APIService (no `service`) has a `caBundle`".into(), "Invalid value: local APIServices may not have a caBundle", "remove `caBundle`, or add the `service` that serves the API");
            }
            if let Some(n) = insecure {
                reject(ctx, obj, n, "a local APIService (no `service`) sets `insecureSkipTLSVerify`".into(), "Invalid value: true: local APIServices may not have insecureSkipTLSVerify", "remove it, or add the `service` that serves the API");
            }
        }
        Some(svc) => {
            for key in ["namespace", "name"] {
                if let Some(n) = svc.get(key).filter(|n| n.as_str() == Some("")) {
                    reject(ctx, obj, n, format!("the APIService's `service.{key}` is empty"), "Required value", &format!("write the Service's {key}"));
                }
            }
            if let (Some(n), Some(c)) = (insecure, ca) {
                reject_pair(ctx, obj, n, c.span, "the CA bundle is here".into(), "`insecureSkipTLSVerify: true` with a `caBundle`".into(), "Invalid value: true: may not be true if caBundle is present", "keep the `caBundle` (the aggregator verifies the service's certificate with it) and remove `insecureSkipTLSVerify`");
            }
        }
    }
}
