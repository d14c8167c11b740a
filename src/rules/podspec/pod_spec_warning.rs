//! `pod-spec-warning`: what the API server warns about when it admits a pod or a pod
//! template (`warningsForPodSpecAndMeta`, pkg/api/pod/warnings.go), where no other rule
//! already says it: deprecated node labels, a spread constraint without a label selector,
//! non-functional annotations, repeated image pull secrets and host aliases, a projected
//! file on the service account token's path, a `hostIP` without `hostPort`.

use std::collections::HashSet;

use crate::diagnostics::Severity;
use crate::model::fields::pod_spec_path;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-spec-warning",
    severity: Severity::Warning,
    category: Category::PodSpec,
    summary: "What the API server warns about on a pod (kubectl prints `Warning:`): deprecated node labels, a topology spread constraint without labelSelector, non-functional annotations, repeated imagePullSecrets or hostAliases IPs, a projected file on the token's path, hostIP without hostPort",
    fix: false,
    doc: include_str!("../../../rules/pod-spec-warning.md"),
    check: Check::Object(check),
};

/// `deprecatedNodeLabels` (pkg/api/node/util.go): the label and the server's words.
const DEPRECATED_NODE_LABELS: &[(&str, &str)] = &[
    ("beta.kubernetes.io/arch", "deprecated since v1.14; use \"kubernetes.io/arch\" instead"),
    ("beta.kubernetes.io/os", "deprecated since v1.14; use \"kubernetes.io/os\" instead"),
    ("failure-domain.beta.kubernetes.io/region", "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead"),
    ("failure-domain.beta.kubernetes.io/zone", "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead"),
    ("beta.kubernetes.io/instance-type", "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead"),
    ("app.kubernetes.io/created-by", "deprecated since v1.9"),
    ("scheduler.alpha.kubernetes.io/preferAvoidPods", "deprecated since v1.22; use Taints and Tolerations instead"),
    ("node-role.kubernetes.io/master", "use \"node-role.kubernetes.io/control-plane\" instead"),
];

/// `deprecatedAnnotations` (pkg/api/pod/warnings.go).
const DEPRECATED_ANNOTATIONS: &[(&str, &str)] = &[
    ("scheduler.alpha.kubernetes.io/critical-pod", "non-functional in v1.16+; use the \"priorityClassName\" field instead"),
    ("security.alpha.kubernetes.io/sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"),
    ("security.alpha.kubernetes.io/unsafe-sysctls", "non-functional in v1.11+; use the \"sysctls\" field instead"),
];

pub(crate) fn deprecated_label(key: &str) -> Option<&'static str> {
    DEPRECATED_NODE_LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, m)| *m)
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    // The warnings of the Kubernetes API server; another server (OpenShift's
    // DeploymentConfig) has its own.
    if !crate::model::is_builtin_group(obj.group()) {
        return;
    }
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(spec) = t.spec else { return };
    let at = pod_spec_path(obj.kind);
    let meta_at = at.strip_suffix("spec").unwrap_or("").to_string() + "metadata";
    let mut found: Vec<(Span, String, String)> = Vec::new();
    let mut warn = |span: Span, message: String, server: String| {
        found.push((span, message, server));
    };

    for e in spec.get("nodeSelector").map(Node::entries).unwrap_or_default() {
        let Some(key) = e.key.key_text() else { continue };
        if let Some(msg) = deprecated_label(key) {
            warn(
                e.key.span,
                format!("the nodeSelector uses the deprecated node label `{key}`"),
                format!("{at}.nodeSelector[{key}]: {msg}"),
            );
        }
    }
    let node_affinity = spec.get("affinity").and_then(|a| a.get("nodeAffinity"));
    let required = node_affinity
        .and_then(|n| n.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(|r| r.get("nodeSelectorTerms"))
        .map(Node::items)
        .unwrap_or_default();
    let preferred = node_affinity
        .and_then(|n| n.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .map(Node::items)
        .unwrap_or_default();
    let terms = required
        .iter()
        .enumerate()
        .map(|(i, term)| {
            (
                Some(term),
                format!("{at}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]"),
            )
        })
        .chain(preferred.iter().enumerate().map(|(i, p)| {
            (
                p.get("preference"),
                format!("{at}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference"),
            )
        }));
    for (term, path) in terms {
        let expressions = term
            .and_then(|t| t.get("matchExpressions"))
            .map(Node::items)
            .unwrap_or_default();
        for (i, expr) in expressions.iter().enumerate() {
            let Some(key_node) = expr.get("key") else { continue };
            let Some(key) = key_node.as_str() else { continue };
            if let Some(msg) = deprecated_label(key) {
                warn(
                    key_node.span,
                    format!("the node affinity uses the deprecated node label `{key}`"),
                    format!("{path}.matchExpressions[{i}].key: {key} is {msg}"),
                );
            }
        }
    }

    for (i, c) in all_items(Some(spec), "topologySpreadConstraints").enumerate() {
        if !c.is_map() {
            continue;
        }
        let key_node = c.get("topologyKey");
        if let Some((n, key)) = key_node.and_then(|n| Some((n, n.as_str()?))) {
            if let Some(msg) = deprecated_label(key) {
                warn(
                    n.span,
                    format!("the topology spread constraint uses the deprecated node label `{key}`"),
                    format!("{at}.topologySpreadConstraints[{i}].topologyKey: {key} is {msg}"),
                );
            }
        }
        if c.get("labelSelector").is_none_or(Node::is_null) {
            let span = c
                .entry("topologyKey")
                .or_else(|| c.entries().first())
                .map_or(c.span, |e| e.key.span);
            warn(
                span,
                "this topology spread constraint has no `labelSelector`, so it counts no pod and spreads nothing".to_string(),
                format!("{at}.topologySpreadConstraints[{i}].labelSelector: a null labelSelector results in matching no pod"),
            );
        }
    }

    let annotations = t
        .metadata
        .and_then(|m| m.get("annotations"))
        .map(Node::entries)
        .unwrap_or_default();
    for e in annotations {
        let Some(key) = e.key.key_text() else { continue };
        if let Some((_, msg)) = DEPRECATED_ANNOTATIONS.iter().find(|(k, _)| *k == key) {
            warn(
                e.key.span,
                format!("the annotation `{key}` no longer does anything"),
                format!("{meta_at}.annotations[{key}]: {msg}"),
            );
        }
    }

    let mut secrets: HashSet<&str> = HashSet::new();
    for (i, s) in all_items(Some(spec), "imagePullSecrets").enumerate() {
        let Some(name_node) = s.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else { continue };
        if name.is_empty() {
            warn(
                name_node.span,
                "an image pull secret with an empty name is ignored".to_string(),
                format!("{at}.imagePullSecrets[{i}].name: invalid empty name \"\""),
            );
        } else if !secrets.insert(name) {
            warn(
                name_node.span,
                format!("the image pull secret `{name}` is listed twice"),
                format!("{at}.imagePullSecrets[{i}].name: duplicate name \"{name}\""),
            );
        }
    }

    let mut ips: HashSet<&str> = HashSet::new();
    for (i, a) in all_items(Some(spec), "hostAliases").enumerate() {
        let Some(ip_node) = a.get("ip") else { continue };
        let Some(ip) = ip_node.as_str().filter(|ip| !ip.is_empty()) else {
            continue;
        };
        if !ips.insert(ip) {
            warn(
                ip_node.span,
                format!("the host alias IP `{ip}` is listed twice"),
                format!("{at}.hostAliases[{i}].ip: duplicate ip \"{ip}\""),
            );
        }
    }

    for (i, v) in all_items(Some(spec), "volumes").enumerate() {
        let Some(projected) = v.get("projected").filter(|p| p.is_map()) else {
            continue;
        };
        let tokens: Vec<&str> = projected
            .get("sources")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.get("serviceAccountToken")?.get("path")?.as_str())
            .collect();
        if tokens.is_empty() {
            continue;
        }
        for p in crate::rules::podspec::volume_source_invalid::projected_paths(projected) {
            let Some(path) = p.as_str().filter(|path| tokens.contains(path)) else {
                continue;
            };
            warn(
                p.span,
                format!("`{path}` is also the path of the volume's service account token"),
                format!("{at}.volumes[{i}].projected.sources: has duplicated path with ServiceAccountToken \"{path}\""),
            );
        }
    }

    for c in t.containers() {
        for (i, port) in all_items(Some(c.node), "ports").enumerate() {
            let host_ip = port.get("hostIP").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
            let host_port = port.get("hostPort").and_then(Node::as_i64).unwrap_or(0);
            if let (Some(ip), 0) = (host_ip, host_port) {
                warn(
                    ip.span,
                    "`hostIP` without `hostPort` does nothing: no port of the node is bound".to_string(),
                    format!("{}.ports[{i}]: hostIP set without hostPort", container_path(&at, &c)),
                );
            }
        }
    }

    for (span, message, server) in found {
        let mut help = if server.contains("ServiceAccountToken") {
            format!("give one of the two files another `path`; the API server warns `{server}`")
        } else if server.contains("duplicate") {
            format!("remove the repeated entry; the API server warns `{server}`")
        } else {
            format!("the API server admits the pod with `Warning: {server}`")
        };
        if server.contains("node-role.kubernetes.io/master") {
            help.push_str("; kubeadm no longer sets that label on control-plane nodes, so it may select none");
        }
        let d = ctx
            .diag(obj, span, message)
            .with_primary_label("the API server warns here")
            .with_help(help);
        ctx.push(d);
    }
}

/// `spec.containers[0]`: where the API server's warnings place a container.
fn container_path(at: &str, c: &crate::model::Container<'_>) -> String {
    let list = match c.kind {
        crate::model::ContainerKind::Init => "initContainers",
        crate::model::ContainerKind::Regular => "containers",
        crate::model::ContainerKind::Ephemeral => "ephemeralContainers",
    };
    format!("{at}.{list}[{}]", c.index)
}
