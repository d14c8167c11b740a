//! `unsupported-value`: closed sets of values the API server checks by hand (the schemas
//! carry no enums for them): protocols, Service types and policies, pull, restart and DNS
//! policies, seccomp/AppArmor profile types, procMount, mount propagation, fsGroupChangePolicy,
//! resize and preemption policies.

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
// Closed sets of the pod spec that the bundled schemas carry no enum for.
const FS_GROUP_CHANGE: &[&str] = &["OnRootMismatch", "Always"];
pub const PROFILE_TYPES: &[&str] = &["RuntimeDefault", "Unconfined", "Localhost"];
const PROC_MOUNT: &[&str] = &["Default", "Unmasked"];
const PROPAGATION: &[&str] = &["None", "HostToContainer", "Bidirectional"];
const RECURSIVE_READ_ONLY: &[&str] = &["Disabled", "IfPossible", "Enabled"];
const RESIZE_RESOURCES: &[&str] = &["cpu", "memory"];
const RESIZE_RESTART: &[&str] = &["NotRequired", "RestartContainer"];
const PREEMPTION: &[&str] = &["PreemptLowerPriority", "Never"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if let Some(t) = PodTemplate::of(obj) {
        if let Some(spec) = t.spec {
            value(ctx, obj, spec, "restartPolicy", RESTART);
            value(ctx, obj, spec, "dnsPolicy", DNS);
            value(ctx, obj, spec, "preemptionPolicy", PREEMPTION);
            if let Some(sc) = spec.get("securityContext") {
                value(ctx, obj, sc, "fsGroupChangePolicy", FS_GROUP_CHANGE);
                profile_types(ctx, obj, sc);
            }
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
            if let Some(sc) = c.node.get("securityContext") {
                value(ctx, obj, sc, "procMount", PROC_MOUNT);
                profile_types(ctx, obj, sc);
            }
            for m in c.volume_mounts() {
                value(ctx, obj, m, "mountPropagation", PROPAGATION);
                value(ctx, obj, m, "recursiveReadOnly", RECURSIVE_READ_ONLY);
            }
            for r in crate::model::all_items(Some(c.node), "resizePolicy") {
                value(ctx, obj, r, "resourceName", RESIZE_RESOURCES);
                value(ctx, obj, r, "restartPolicy", RESIZE_RESTART);
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

fn profile_types(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node) {
    for key in ["seccompProfile", "appArmorProfile"] {
        if let Some(p) = sc.get(key) {
            value(ctx, obj, p, "type", PROFILE_TYPES);
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
