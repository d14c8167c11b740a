//! `pod-spec-warning`: what the API server warns about when it admits a pod or a pod
//! template (`warningsForPodSpecAndMeta`, pkg/api/pod/warnings.go), where no other rule
//! already says it: deprecated node labels, a spread constraint or pod affinity term without
//! a label selector, non-functional annotations, repeated image pull secrets and host
//! aliases, clashing item paths in a volume, a projected file on the service account
//! token's path, a `hostIP` without `hostPort`, a negative grace period.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Severity;
use crate::model::fields::pod_spec_path;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::addresses;
use crate::rules::api::at_least;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-spec-warning",
    severity: Severity::Warning,
    category: Category::PodSpec,
    summary: "What the API server warns about on a pod (kubectl prints `Warning:`): deprecated node labels, a spread constraint or pod affinity term without labelSelector, non-functional annotations (seccomp's without the field among them), repeated imagePullSecrets or hostAliases IPs, host alias and nameserver IPs in a non-standard form, clashing volume item paths, an empty projected source, a projected file on the token's path, hostIP without hostPort, a negative terminationGracePeriodSeconds",
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

const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER: &str = "container.apparmor.security.beta.kubernetes.io/";

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
    // `GetWarningsForIP` on the pod's addresses, from 1.33 (KEP-4858).
    let address_warnings = at_least(ctx, 33);
    let strict = addresses::strict(ctx);
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
    // The seccomp and AppArmor annotations without the field that replaced them: the kubelet
    // has ignored seccomp's since 1.27; AppArmor's is deprecated (the server copies a bare
    // Pod's into the field, and warns about it there, not here).
    let has_profile = |sc: Option<&Node>, field: &str| {
        sc.and_then(|sc| sc.get(field)).is_some_and(|p| !p.is_null())
    };
    let pod_sc = spec.get("securityContext");
    let find = |key: &str| annotations.iter().find(|e| e.key.key_text() == Some(key));
    if !has_profile(pod_sc, "seccompProfile") {
        if let Some(e) = find(SECCOMP_POD) {
            warn(
                e.key.span,
                "the pod's seccomp annotation has been ignored since Kubernetes 1.27; only `securityContext.seccompProfile` sets a profile".to_string(),
                format!("{meta_at}.annotations[{SECCOMP_POD}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"),
            );
        }
    }
    let pod_apparmor = has_profile(pod_sc, "appArmorProfile");
    for c in t.containers() {
        let Some(name) = c.name() else { continue };
        let sc = c.node.get("securityContext");
        let key = format!("{SECCOMP_CONTAINER}{name}");
        if let Some(e) = find(&key).filter(|_| !has_profile(sc, "seccompProfile")) {
            warn(
                e.key.span,
                format!("the seccomp annotation for {} has been ignored since Kubernetes 1.27; only `securityContext.seccompProfile` sets a profile", c.describe()),
                format!("{meta_at}.annotations[{key}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"),
            );
        }
        let key = format!("{APPARMOR_CONTAINER}{name}");
        let templated = obj.kind != "Pod";
        if let Some(e) = find(&key).filter(|_| templated && !pod_apparmor && !has_profile(sc, "appArmorProfile")) {
            warn(
                e.key.span,
                format!("the AppArmor annotation for {} is deprecated", c.describe()),
                format!("{meta_at}.annotations[{key}]: deprecated since v1.30; use the \"appArmorProfile\" field instead"),
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
        if address_warnings {
            let path = format!("{at}.hostAliases[{i}].ip");
            if let Some((span, message, server)) = addresses::ip_warning(ip_node, &path, strict) {
                warn(span, message, server);
            }
        }
    }
    let nameservers = spec.get("dnsConfig").and_then(|c| c.get("nameservers"));
    for (i, n) in nameservers.map(Node::items).unwrap_or_default().iter().enumerate() {
        let path = format!("{at}.dnsConfig.nameservers[{i}]");
        if let Some((span, message, server)) = address_warnings
            .then(|| addresses::ip_warning(n, &path, strict))
            .flatten()
        {
            warn(span, message, server);
        }
    }

    for (i, v) in all_items(Some(spec), "volumes").enumerate() {
        let Some(projected) = v.get("projected").filter(|p| p.is_map()) else {
            continue;
        };
        let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
        for source in all_items(Some(projected), "sources").filter(|s| s.is_map()) {
            // What decodes to an empty `VolumeProjection`; the sources behind feature gates
            // that are off by default through 1.35 are dropped before the server warns.
            let set = |k: &str| source.get(k).is_some_and(|n| !n.is_null());
            if ["secret", "configMap", "downwardAPI", "serviceAccountToken"].iter().any(|k| set(k)) {
                continue;
            }
            let dropped = ["clusterTrustBundle", "podCertificate"]
                .into_iter()
                .find(|k| set(k));
            let message = match dropped {
                Some(k) => format!("the `{k}` source of volume `{name}` is dropped: its feature gate is off by default, which leaves the source empty"),
                None => format!("a source of projected volume `{name}` is empty"),
            };
            warn(
                source.span,
                message,
                format!("volume \"{name}\" (Projected) has no sources provided"),
            );
        }
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

    for v in all_items(Some(spec), "volumes") {
        let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
        let mut other_sources = Written::default();
        for (what, paths, projected) in item_paths(v) {
            let mut this_source = Written::default();
            let mut clashes = Vec::new();
            for p in paths {
                let Some(path) = Written::key(p) else { continue };
                if let Some(earlier) = this_source.clash(path, true) {
                    clashes.push((p, earlier));
                // Across the sources of a projected volume only a directory clash is new:
                // one path twice is `volume-source-invalid`'s error (or the token warning
                // above).
                } else if let Some(earlier) = other_sources.clash(path, false).filter(|_| projected) {
                    clashes.push((p, earlier));
                }
                this_source.insert(path, p);
            }
            if projected {
                other_sources.absorb(this_source);
            }
            for (later, earlier) in clashes {
                let (Some(a), Some(b)) = (later.as_str(), earlier.as_str()) else {
                    continue;
                };
                let (a, b) = (a.trim_end_matches('/'), b.trim_end_matches('/'));
                let message = if a == b {
                    format!("two items of volume `{name}` write the same file `{a}`")
                } else {
                    let (dir, file) = if a.len() < b.len() { (a, b) } else { (b, a) };
                    format!("`{file}` needs `{dir}` to be a directory, but volume `{name}` also writes a file there")
                };
                warn(
                    later.span,
                    message,
                    format!("volume \"{name}\" ({what}): overlapping paths: \"{a}\" with \"{b}\""),
                );
            }
        }
    }

    if let Some(g) = spec.get("terminationGracePeriodSeconds") {
        if let Some(v) = g.as_i64().filter(|v| *v < 0) {
            warn(
                g.span,
                format!("`terminationGracePeriodSeconds: {v}` is negative: the pod gets 1 second to stop"),
                format!("{at}.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"),
            );
        }
    }

    let affinity = spec.get("affinity");
    for kind in ["podAffinity", "podAntiAffinity"] {
        let a = affinity.and_then(|a| a.get(kind));
        let required = a.and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"));
        let preferred = a.and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"));
        let terms = required
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, t)| (Some(t), format!("{at}.affinity.{kind}.requiredDuringSchedulingIgnoredDuringExecution[{i}].labelSelector")))
            .chain(preferred.map(Node::items).unwrap_or_default().iter().enumerate().map(|(i, p)| {
                (
                    p.get("podAffinityTerm"),
                    format!("{at}.affinity.{kind}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm.labelSelector"),
                )
            }))
            .collect::<Vec<_>>();
        for (term, path) in terms {
            let Some(term) = term.filter(|t| t.is_map()) else { continue };
            if term.get("labelSelector").is_none_or(Node::is_null) {
                let span = term
                    .entry("topologyKey")
                    .or_else(|| term.entries().first())
                    .map_or(term.span, |e| e.key.span);
                warn(
                    span,
                    format!("this {kind} term has no `labelSelector`, so it matches no pod"),
                    format!("{path}: a null labelSelector results in matching no pod"),
                );
            }
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

/// The item paths of each source of a volume that writes files under its own names
/// (`warningsForOverlappingVirtualPaths`): a ConfigMap's, Secret's or downward API volume's
/// `items`, and each source of a projected volume (marked `true`), described as the
/// server describes it.
fn item_paths(volume: &Node) -> Vec<(String, Vec<&Node>, bool)> {
    fn paths<'a>(source: &'a Node, list: &'static str) -> Vec<&'a Node> {
        all_items(Some(source), list).filter_map(|i| i.get("path")).collect()
    }
    let mut out = Vec::new();
    for (key, name_key, what) in [
        ("configMap", "name", "ConfigMap"),
        ("secret", "secretName", "Secret"),
        ("downwardAPI", "", "DownwardAPI"),
    ] {
        if let Some(source) = volume.get(key).filter(|s| s.is_map()) {
            out.push((described(what, source.get(name_key)), paths(source, "items"), false));
        }
    }
    let projected = volume.get("projected").filter(|p| p.is_map());
    for source in all_items(projected, "sources") {
        let (what, ps) = if let Some(s) = source.get("configMap").filter(|s| s.is_map()) {
            (described("Projected ConfigMap", s.get("name")), paths(s, "items"))
        } else if let Some(s) = source.get("secret").filter(|s| s.is_map()) {
            (described("Projected Secret", s.get("name")), paths(s, "items"))
        } else if let Some(s) = source.get("downwardAPI").filter(|s| s.is_map()) {
            ("Projected DownwardAPI".to_string(), paths(s, "items"))
        } else if let Some(s) = source.get("serviceAccountToken") {
            ("Projected ServiceAccountToken".to_string(), s.get("path").into_iter().collect())
        } else {
            // A `clusterTrustBundle` is dropped before the warnings while its feature gate
            // is off, as it is by default through 1.35.
            continue;
        };
        out.push((what, ps, true));
    }
    out
}

fn described(what: &str, name: Option<&Node>) -> String {
    match name.and_then(Node::as_str) {
        Some(n) => format!("{what} \"{n}\""),
        None => what.to_string(),
    }
}

/// The item paths of a volume written so far, to find what a new one clashes with: the
/// same path, or one under the other as a directory. (The API server compares plain string
/// prefixes and so also warns about `conf` beside `config`, which do not clash; kubevet
/// leaves those alone.) Each lookup costs the path's own length, not the number of items.
#[derive(Default)]
struct Written<'a> {
    files: HashMap<&'a str, &'a Node>,
    /// Each directory a written path needs (`a` and `a/b` for `a/b/c`), with that path.
    dirs: HashMap<&'a str, &'a Node>,
}

impl<'a> Written<'a> {
    /// The path as the server compares it; `None` for what no item can write (an empty
    /// path, or one longer than a file system's `PATH_MAX`, which would also make the
    /// prefixes costly).
    fn key(node: &'a Node) -> Option<&'a str> {
        node.as_str()
            .map(|s| s.trim_end_matches('/'))
            .filter(|s| !s.is_empty() && s.len() <= 4096)
    }

    fn directories(path: &str) -> impl Iterator<Item = &str> {
        path.match_indices('/').map(move |(i, _)| &path[..i])
    }

    fn clash(&self, path: &str, same_path_too: bool) -> Option<&'a Node> {
        let same = same_path_too.then(|| self.files.get(path)).flatten();
        same.or_else(|| Self::directories(path).find_map(|d| self.files.get(d)))
            .or_else(|| self.dirs.get(path))
            .copied()
    }

    fn insert(&mut self, path: &'a str, node: &'a Node) {
        self.files.entry(path).or_insert(node);
        for d in Self::directories(path) {
            self.dirs.entry(d).or_insert(node);
        }
    }

    fn absorb(&mut self, other: Written<'a>) {
        for (k, v) in other.files {
            self.files.entry(k).or_insert(v);
        }
        for (k, v) in other.dirs {
            self.dirs.entry(k).or_insert(v);
        }
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
