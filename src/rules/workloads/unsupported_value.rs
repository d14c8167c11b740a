//! `unsupported-value`: closed sets of values the API server checks by hand (the schemas
//! carry no enums for them): protocols, Service types and policies, pull, restart and DNS
//! policies.

use crate::diagnostics::{Edit, Severity};
use crate::model::names::{did_you_mean, one_of};
use crate::model::{Object, PodTemplate, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "unsupported-value",
    severity: Severity::Error,
    category: Category::Workloads,
    summary: "A field with a fixed set of values (protocol, Service type, imagePullPolicy, restartPolicy, dnsPolicy, ...) has another value",
    fix: true,
    doc: include_str!("../../../rules/unsupported-value.md"),
    check: Check::Object(check),
};

const PROTOCOLS: &[&str] = &["TCP", "UDP", "SCTP"];
const PULL: &[&str] = &["Always", "IfNotPresent", "Never"];
const RESTART: &[&str] = &["Always", "OnFailure", "Never"];
const DNS: &[&str] = &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
const TRAFFIC: &[&str] = &["Cluster", "Local"];
const AFFINITY: &[&str] = &["ClientIP", "None"];
const TERMINATION_MESSAGE: &[&str] = &["File", "FallbackToLogsOnError"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if let Some(t) = PodTemplate::of(obj) {
        if let Some(spec) = t.spec {
            value(ctx, obj, spec, "restartPolicy", RESTART);
            value(ctx, obj, spec, "dnsPolicy", DNS);
        }
        for c in t.containers() {
            value(ctx, obj, c.node, "imagePullPolicy", PULL);
            value(
                ctx,
                obj,
                c.node,
                "terminationMessagePolicy",
                TERMINATION_MESSAGE,
            );
            for p in c.ports() {
                value(ctx, obj, p, "protocol", PROTOCOLS);
            }
        }
    }
    if let Some(svc) = Service::of(obj) {
        if let Some(spec) = svc.spec {
            value(ctx, obj, spec, "type", SERVICE_TYPES);
            value(ctx, obj, spec, "externalTrafficPolicy", TRAFFIC);
            value(ctx, obj, spec, "internalTrafficPolicy", TRAFFIC);
            value(ctx, obj, spec, "sessionAffinity", AFFINITY);
        }
        for p in svc.ports() {
            value(ctx, obj, p, "protocol", PROTOCOLS);
        }
    }
}

fn value(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, key: &str, allowed: &[&str]) {
    let Some(node) = map.get(key) else { return };
    // Other types are schema validation's finding; empty means "default".
    let Some(v) = node.as_str().filter(|v| !v.is_empty()) else {
        return;
    };
    if allowed.contains(&v) {
        return;
    }
    let mut d = ctx
        .diag(
            obj,
            node.span,
            format!("`{key}: {v}` is not a supported value"),
        )
        .with_primary_label(format!("expected {}", one_of(allowed)));
    d = match did_you_mean(v, allowed) {
        Some(s) => d
            .with_help(format!("did you mean `{s}`? (values are case-sensitive)"))
            .with_fix(
                format!("replace with `{s}`"),
                vec![Edit {
                    span: node.span,
                    new_text: s.to_string(),
                }],
            ),
        None => d.with_help(format!(
            "the API server rejects it (`Unsupported value: \"{v}\"`); the supported values are {}",
            one_of(allowed)
        )),
    };
    ctx.push(d);
}
