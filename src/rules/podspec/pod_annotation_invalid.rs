//! `pod-annotation-invalid`: the annotations of a pod or pod template that the API server
//! reads and rejects (`ValidatePodSpecificAnnotations`, `validateSeccompAnnotationsAndFields`,
//! `validateAppArmorAnnotationsAndFieldsMatchOnCreate`): a pod deletion cost that is not a
//! 32-bit integer, a mirror pod without a node, deprecated seccomp and AppArmor annotations
//! with values the server does not know or that contradict the `securityContext` fields, and
//! AppArmor annotations for containers the pod does not have.

use crate::diagnostics::Severity;
use crate::model::fields::is_templated;
use crate::model::names::did_you_mean;
use crate::model::{Object, PodTemplate};
use crate::rules::api::{reject, reject_pair};
use crate::rules::volumes::volume_mount_path_invalid::descending_path_problem;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Entry, Node};

pub static RULE: Rule = Rule {
    id: "pod-annotation-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "Pod annotations the API server rejects: a pod-deletion-cost that is not a 32-bit integer, seccomp or AppArmor annotations with unknown values, for a container that does not exist, or contradicting the securityContext fields",
    fix: false,
    doc: include_str!("../../../rules/pod-annotation-invalid.md"),
    check: Check::Object(check),
};

const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
const MIRROR: &str = "kubernetes.io/config.mirror";
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER: &str = "container.apparmor.security.beta.kubernetes.io/";
const LOCALHOST: &str = "localhost/";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let Some(annotations) = t.metadata.and_then(|m| m.get("annotations")) else {
        return;
    };
    let spec = t.spec.filter(|s| s.is_map());
    let mut apparmor = Vec::new();
    for e in annotations.entries() {
        let Some(key) = e.key.key_text() else { continue };
        let Some(value) = e.value.as_str().filter(|v| !is_templated(v)) else {
            continue;
        };
        if key == DELETION_COST {
            deletion_cost(ctx, obj, e, value);
        } else if key == MIRROR {
            mirror(ctx, obj, e, spec);
        } else if key == SECCOMP_POD || key.starts_with(SECCOMP_CONTAINER) {
            seccomp_value(ctx, obj, e, key, value);
        } else if let Some(container) = key.strip_prefix(APPARMOR_CONTAINER) {
            apparmor_value(ctx, obj, &t, e, key, container, value);
            apparmor.push((container, e, value));
        }
    }
    if let Some(spec) = spec {
        seccomp_fields(ctx, obj, &t, spec, annotations);
        apparmor_fields(ctx, obj, &t, spec, &apparmor);
    }
}

/// `GetDeletionCostFromPodAnnotations`: an int32 in decimal, without `+` or leading zeros.
fn deletion_cost(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, e: &Entry, value: &str) {
    let first_ok = match value.as_bytes().first() {
        Some(b'-' | b'1'..=b'9') => true,
        Some(b'0') => value == "0",
        _ => false,
    };
    if first_ok && value.parse::<i32>().is_ok() {
        return;
    }
    reject(
        ctx,
        obj,
        &e.value,
        format!("`{DELETION_COST}: {value:?}` is not a 32-bit integer"),
        &format!("Invalid value: {value:?}: must be a 32bit integer"),
        "write a whole number from -2147483648 to 2147483647, without `+` or leading zeros (`\"100\"`); pods of lower cost are removed first when the ReplicaSet scales down",
    );
}

/// A mirror pod is the API server's copy of a static pod, bound to its node.
fn mirror(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, e: &Entry, spec: Option<&Node>) {
    let bound = spec
        .and_then(|s| s.get("nodeName"))
        .and_then(Node::as_str)
        .is_some_and(|n| !n.is_empty());
    if bound {
        return;
    }
    reject(
        ctx,
        obj,
        &e.key,
        format!("the mirror pod annotation `{MIRROR}` without `spec.nodeName`"),
        "Invalid value: must set spec.nodeName if mirror pod annotation is set",
        "the kubelet sets this annotation on the copies of static pods it creates; remove it from the manifest",
    );
}

/// `ValidateSeccompProfile`: the annotation's own values, not the field's.
fn seccomp_value(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, e: &Entry, key: &str, value: &str) {
    let problem = match value {
        "runtime/default" | "docker/default" | "unconfined" => return,
        v => match v.strip_prefix(LOCALHOST) {
            Some(path) => match descending_path_problem(path) {
                Some(p) => p,
                None => return,
            },
            None => "must be a valid seccomp profile",
        },
    };
    let field = match value {
        "RuntimeDefault" | "Unconfined" | "Localhost" => format!(
            "; `{value}` is how the `securityContext.seccompProfile.type` field spells it"
        ),
        _ => String::new(),
    };
    reject(
        ctx,
        obj,
        &e.value,
        format!("`{key}: {value}` is not a seccomp profile the API server accepts{field}"),
        &format!("Invalid value: {value:?}: {problem}"),
        "the annotation takes `runtime/default`, `unconfined` or `localhost/<relative path>`; better, drop the deprecated annotation and set `securityContext.seccompProfile` (`type: RuntimeDefault`)",
    );
}

/// `ValidateAppArmorPodAnnotations`: the container must exist and the value be a profile.
fn apparmor_value(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    t: &PodTemplate<'_>,
    e: &Entry,
    key: &str,
    container: &str,
    value: &str,
) {
    let names: Vec<&str> = t.containers().filter_map(|c| c.name()).collect();
    let templated = is_templated(container) || names.iter().any(|n| is_templated(n));
    if !templated && !names.contains(&container) {
        let hint = did_you_mean(container, &names)
            .map(|n| format!("did you mean `{APPARMOR_CONTAINER}{n}`? "))
            .unwrap_or_default();
        reject(
            ctx,
            obj,
            &e.key,
            format!("the AppArmor annotation names container `{container}`, which the pod does not have"),
            &format!("Invalid value: {container:?}: container not found"),
            &format!(
                "{hint}the key ends in the name of the container it confines; the pod's containers are {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                }
            ),
        );
    }
    if value.is_empty()
        || value == "runtime/default"
        || value == "unconfined"
        || value.starts_with(LOCALHOST)
    {
        return;
    }
    reject(
        ctx,
        obj,
        &e.value,
        format!("`{key}: {value}` is not an AppArmor profile the API server accepts"),
        &format!("Invalid value: {value:?}: invalid AppArmor profile name: {value:?}"),
        "the annotation takes `runtime/default`, `unconfined` or `localhost/<profile>`; better, drop the deprecated annotation and set `securityContext.appArmorProfile` (`type: RuntimeDefault`), its replacement since 1.30",
    );
}

/// The `type` a profile field sets: its node and its text.
fn profile_type(profile: &Node) -> Option<(&Node, &str)> {
    let ty = profile.get("type")?;
    Some((ty, ty.as_str()?))
}

/// Whether an annotation value agrees with a profile field (`validateSeccompAnnotationsAndFieldsMatch`
/// and its AppArmor twin): `None` when it does, else the node to blame and what differs.
fn disagreement<'n>(
    value: &str,
    profile: &'n Node,
    runtime_default: &[&str],
) -> Option<(&'n Node, &'static str)> {
    let (ty, t) = profile_type(profile)?;
    match t {
        "Unconfined" => (value != "unconfined").then_some((ty, "type")),
        "RuntimeDefault" => (!runtime_default.contains(&value)).then_some((ty, "type")),
        "Localhost" => match value.strip_prefix(LOCALHOST) {
            None => Some((ty, "type")),
            Some(name) => {
                let field = profile.get("localhostProfile");
                if field.and_then(Node::as_str) == Some(name) {
                    None
                } else {
                    Some((field.unwrap_or(ty), "localhostProfile"))
                }
            }
        },
        _ => None,
    }
}

fn report_disagreement(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    (node, what): (&Node, &str),
    annotation: &Entry,
    tool: &str,
    whose: &str,
) {
    let value = annotation.value.as_str().unwrap_or_default();
    let field = if tool == "seccomp" {
        "seccompProfile"
    } else {
        "appArmorProfile"
    };
    reject_pair(
        ctx,
        obj,
        node,
        annotation.key.span.cover(annotation.value.span),
        format!("the annotation says `{value}`"),
        format!("{whose} `{field}.{what}` differs from its deprecated {tool} annotation"),
        &format!(
            "Forbidden: {} {} in annotation and field must match",
            tool.to_lowercase(),
            if what == "type" { "type" } else { "profile" }
        ),
        &format!("the annotation predates the field; remove the annotation and keep `{field}`, or make the two agree"),
    );
}

/// `validateSeccompAnnotationsAndFields`: the pod's annotation against the pod's field, each
/// container's against that container's own field (no fallback to the pod's).
fn seccomp_fields(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    t: &PodTemplate<'_>,
    spec: &Node,
    annotations: &Node,
) {
    const RUNTIME_DEFAULT: &[&str] = &["runtime/default", "docker/default"];
    let pod_field = spec
        .get("securityContext")
        .and_then(|sc| sc.get("seccompProfile"))
        .filter(|p| p.is_map());
    if let (Some(field), Some(e)) = (pod_field, annotations.entry(SECCOMP_POD)) {
        if let Some(found) = e.value.as_str().and_then(|v| disagreement(v, field, RUNTIME_DEFAULT)) {
            report_disagreement(ctx, obj, found, e, "seccomp", "the pod's");
        }
    }
    for c in t.containers() {
        let Some(name) = c.name() else { continue };
        let field = c
            .node
            .get("securityContext")
            .and_then(|sc| sc.get("seccompProfile"))
            .filter(|p| p.is_map());
        let Some(field) = field else { continue };
        let key = format!("{SECCOMP_CONTAINER}{name}");
        let Some(e) = annotations.entry(&key) else { continue };
        if let Some(found) = e.value.as_str().and_then(|v| disagreement(v, field, RUNTIME_DEFAULT)) {
            report_disagreement(ctx, obj, found, e, "seccomp", &format!("{}'s", c.describe()));
        }
    }
}

/// `validateAppArmorAnnotationsAndFieldsMatchOnCreate`: each container's annotation against
/// its field, or the pod's field when it has none; Windows pods are not compared.
fn apparmor_fields(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    t: &PodTemplate<'_>,
    spec: &Node,
    annotations: &[(&str, &Entry, &str)],
) {
    if annotations.is_empty() {
        return;
    }
    let os = spec.get("os").and_then(|o| o.get("name")).and_then(Node::as_str);
    if os == Some("windows") {
        return;
    }
    fn profile_of(sc: Option<&Node>) -> Option<&Node> {
        sc?.get("appArmorProfile").filter(|p| p.is_map())
    }
    let pod_field = profile_of(spec.get("securityContext"));
    for c in t.containers() {
        let Some(name) = c.name() else { continue };
        let Some(field) = profile_of(c.node.get("securityContext")).or(pod_field) else {
            continue;
        };
        let Some((_, e, value)) = annotations.iter().find(|(n, ..)| *n == name) else {
            continue;
        };
        if let Some(found) = disagreement(value, field, &["runtime/default"]) {
            report_disagreement(ctx, obj, found, e, "AppArmor", &format!("{}'s", c.describe()));
        }
    }
}
