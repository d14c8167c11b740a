//! `pod-spec-invalid`: pod-level fields the API server rejects (`ValidatePodSpec`,
//! `validateDNSPolicy`, `validateDNSConfig`, `validateHostAliases`, `validateHostNetwork`,
//! `validateReadinessGates`, `validateSchedulingGates`, `validateOS`).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::diagnostics::Severity;
use crate::model::names::{
    dns1123_label, dns1123_subdomain, dns1123_subdomain_with_underscore, qualified_name,
};
use crate::model::{all_items, ContainerKind, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-spec-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "Pod-level fields the API server rejects: activeDeadlineSeconds, dnsPolicy None without nameservers, dnsConfig limits, hostAliases, hostPort under hostNetwork, hostname, readiness and scheduling gates, os",
    fix: false,
    doc: include_str!("../../../rules/pod-spec-invalid.md"),
    check: Check::Object(check),
};

const MAX_INT32: i64 = 2_147_483_647;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let Some(spec) = t.spec.filter(|s| s.is_map()) else { return };
    if let Some(n) = spec.get("activeDeadlineSeconds") {
        if let Some(v) = n.as_i64().filter(|v| !(1..=MAX_INT32).contains(v)) {
            let d = ctx
                .diag(obj, n.span, format!("`activeDeadlineSeconds: {v}` of the pod must be at least 1"))
                .with_primary_label("must be between 1 and 2147483647")
                .with_help("the API server rejects it (`activeDeadlineSeconds: Invalid value: must be between 1 and 2147483647, inclusive`); give the pod's time limit in seconds, or remove the field for no limit");
            ctx.push(d);
        }
    }
    for key in ["hostname", "subdomain"] {
        let Some(n) = spec.get(key) else { continue };
        let Some(v) = n.as_str().filter(|v| !v.is_empty()) else { continue };
        if let Some(problem) = dns1123_label(v).into_iter().next() {
            let d = ctx
                .diag(obj, n.span, format!("`{key}: {v}` is not a valid DNS label"))
                .with_primary_label("not an RFC 1123 label")
                .with_help(format!("the API server rejects it (`{key}: Invalid value: \"{v}\": {problem}`)"));
            ctx.push(d);
        }
    }
    if let (Some(spn), Some(pid)) = (
        spec.get("shareProcessNamespace").filter(|n| n.as_bool() == Some(true)),
        spec.get("hostPID").filter(|n| n.as_bool() == Some(true)),
    ) {
        let d = ctx
            .diag(obj, spn.span, "the pod sets both `shareProcessNamespace: true` and `hostPID: true`")
            .with_primary_label("shareProcessNamespace")
            .with_label(obj.file, pid.span, "hostPID")
            .with_help("the API server rejects it (`shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled`); with hostPID the containers already see every process of the node; drop one");
        ctx.push(d);
    }
    service_account_name(ctx, obj, spec);
    // The fields are dropped before validation while `DynamicResourceAllocation` is off
    // (beta, off by default, before 1.34).
    if crate::rules::api::at_least(ctx, 34) {
        resource_claims(ctx, obj, &t, spec);
        // `PodLevelResources` (beta, on by default, from 1.34); before, the field is dropped.
        pod_resources(ctx, obj, &t, spec);
    }
    windows_pod_fields(ctx, obj, spec);
    host_network(ctx, obj, &t, spec);
    dns(ctx, obj, spec);
    host_aliases(ctx, obj, spec);
    gates(ctx, obj, spec);
    os_fields(ctx, obj, &t, spec);
    if let Some(n) = spec.get_path(&["os", "name"]) {
        if let Some(v) = n.as_str().filter(|v| !matches!(*v, "linux" | "windows")) {
            let d = ctx
                .diag(obj, n.span, format!("`os.name: {v}` is not a supported operating system"))
                .with_primary_label("expected `linux` or `windows`")
                .with_help(format!("the API server rejects it (`os.name: Unsupported value: \"{v}\": supported values: \"linux\", \"windows\"`); to pick nodes by OS use `nodeSelector: {{kubernetes.io/os: ...}}`"));
            ctx.push(d);
        }
    }
}

/// Pod securityContext fields `validateWindows` forbids in a `windows` pod.
const NOT_ON_WINDOWS_POD: &[&str] = &[
    "appArmorProfile",
    "seLinuxOptions",
    "seccompProfile",
    "runAsUser",
    "runAsGroup",
    "supplementalGroups",
    "fsGroup",
    "fsGroupChangePolicy",
    "sysctls",
];

/// Container securityContext fields `validateWindows` forbids in a `windows` pod.
const NOT_ON_WINDOWS_CONTAINER: &[&str] = &[
    "appArmorProfile",
    "seLinuxOptions",
    "seccompProfile",
    "capabilities",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "procMount",
    "runAsUser",
    "runAsGroup",
];

/// `validateLinux` and `validateWindows`: with `os.name` set, the other OS's security fields
/// are refused.
fn os_fields(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, t: &PodTemplate<'_>, spec: &Node) {
    let Some(os) = spec.get_path(&["os", "name"]) else { return };
    let os_name = os.as_str();
    let mut contexts: Vec<(String, &Node, &[&str])> = Vec::new();
    if let Some(sc) = spec.get("securityContext").filter(|n| n.is_map()) {
        contexts.push(("the pod's securityContext".into(), sc, NOT_ON_WINDOWS_POD));
    }
    for c in t.containers() {
        if let Some(sc) = c.node.get("securityContext").filter(|n| n.is_map()) {
            contexts.push((format!("the securityContext of {}", c.describe()), sc, NOT_ON_WINDOWS_CONTAINER));
        }
    }
    for (who, sc, windows_forbidden) in contexts {
        let forbidden: Vec<&crate::yaml::Entry> = match os_name {
            Some("linux") => sc
                .entries()
                .iter()
                .filter(|e| e.key.key_text() == Some("windowsOptions") && !e.value.is_null())
                .collect(),
            // An empty list decodes like an absent one here.
            Some("windows") => sc
                .entries()
                .iter()
                .filter(|e| {
                    e.key.key_text().is_some_and(|k| windows_forbidden.contains(&k))
                        && !e.value.is_null()
                        && !(e.value.is_seq() && e.value.items().is_empty())
                })
                .collect(),
            _ => Vec::new(),
        };
        for e in forbidden {
            let field = e.key.key_text().unwrap_or_default();
            let os_text = os_name.unwrap_or_default();
            let d = ctx
                .diag(obj, e.key.span, format!("{who} sets `{field}`, which a {os_text} pod may not set"))
                .with_primary_label(format!("not for `os.name: {os_text}`"))
                .with_label(obj.file, os.span, "the pod's OS")
                .with_help(if os_text == "linux" {
                    "the API server rejects it (`windowsOptions: Forbidden: windows options cannot be set for a linux pod`); remove `windowsOptions`, or set `os.name: windows`".to_string()
                } else {
                    format!("it is a Linux-only setting, so the API server rejects it (`{field}: Forbidden: cannot be set for a windows pod`); remove it, or set `os.name: linux`")
                });
            ctx.push(d);
        }
    }
}

/// With `hostNetwork` the container binds the node's port: `hostPort` (defaulted to the
/// containerPort) must equal it.
fn host_network(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, t: &PodTemplate<'_>, spec: &Node) {
    let Some(hn) = spec.get("hostNetwork").filter(|n| n.as_bool() == Some(true)) else {
        return;
    };
    for c in t.containers().filter(|c| c.kind == ContainerKind::Regular) {
        for p in c.ports() {
            let (Some(hp), Some(cp)) = (p.get("hostPort"), p.get("containerPort")) else {
                continue;
            };
            let (Some(h), Some(cv)) = (hp.as_i64(), cp.as_i64()) else { continue };
            if h == 0 || h == cv {
                continue;
            }
            let d = ctx
                .diag(obj, hp.span, format!("`hostPort: {h}` of {} differs from its `containerPort: {cv}` in a pod with `hostNetwork: true`", c.describe()))
                .with_primary_label("must equal containerPort")
                .with_label(obj.file, cp.span, "containerPort")
                .with_label(obj.file, hn.span, "hostNetwork")
                .with_help("on the host network the container listens on the node's port directly, so the API server rejects it (`hostPort: Invalid value: must match `containerPort` when `hostNetwork` is true`); set `hostPort` to the containerPort, or remove it");
            ctx.push(d);
        }
    }
}

/// `IsValidIP`, accepting the leading zeros Kubernetes' legacy parser accepts.
/// From 1.36 (`StrictIPCIDRValidation` on by default) an address the server used to read
/// leniently is rejected: leading zeros, an IPv4-mapped IPv6 address.
fn strict_ip(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, n: &Node, ip: &str, what: &str) {
    if !crate::rules::addresses::strict(ctx) {
        return;
    }
    if let Some((why, fix)) = crate::rules::addresses::strict_ip_problem(ip) {
        let d = ctx
            .diag(obj, n.span, format!("{what} `{ip}` is in a form the API server rejects from Kubernetes 1.36: it {why}"))
            .with_help(format!("the API server rejects it (`Invalid value: \"{ip}\": {why}`); {fix}"));
        ctx.push(d);
    }
}

fn valid_ip(s: &str) -> bool {
    if s.parse::<IpAddr>().is_ok() {
        return true;
    }
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|v| v <= 255))
}

fn dns(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let policy = spec.get("dnsPolicy").filter(|n| n.as_str() == Some("None"));
    let config = spec.entry("dnsConfig").filter(|e| !e.value.is_null());
    let nameservers: &[Node] = config
        .and_then(|c| c.value.get("nameservers"))
        .map(Node::items)
        .unwrap_or_default();
    if let Some(p) = policy {
        match config {
            None => {
                let d = ctx
                    .diag(obj, p.span, "`dnsPolicy: None` without a `dnsConfig`")
                    .with_primary_label("needs dnsConfig")
                    .with_help("the API server rejects it (`dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None`); add `dnsConfig.nameservers`, or use `dnsPolicy: ClusterFirst`");
                ctx.push(d);
            }
            Some(c) if nameservers.is_empty() => {
                let d = ctx
                    .diag(obj, c.key.span, "the `dnsConfig` of a pod with `dnsPolicy: None` has no nameservers")
                    .with_primary_label("no nameservers")
                    .with_label(obj.file, p.span, "dnsPolicy: None")
                    .with_help("with `dnsPolicy: None` the pod's resolv.conf comes only from dnsConfig, so the API server rejects it (`dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None`); add a nameserver IP");
                ctx.push(d);
            }
            Some(_) => {}
        }
    }
    let Some(config) = config else { return };
    if nameservers.len() > 3 {
        let d = ctx
            .diag(obj, nameservers[3].span, format!("`dnsConfig` lists {} nameservers, more than 3", nameservers.len()))
            .with_primary_label("the 4th nameserver")
            .with_help("resolv.conf uses at most three, so the API server rejects it (`dnsConfig.nameservers: Invalid value: must not have more than 3 nameservers`)");
        ctx.push(d);
    }
    for n in nameservers {
        let Some(ip) = n.as_str() else { continue };
        if !valid_ip(ip) {
            let d = ctx
                .diag(obj, n.span, format!("nameserver `{ip}` in `dnsConfig` is not an IP address"))
                .with_primary_label("must be an IP address")
                .with_help(format!("the API server rejects it (`dnsConfig.nameservers: Invalid value: \"{ip}\": must be a valid IP address`); resolv.conf needs the server's IP, not its name"));
            ctx.push(d);
        } else {
            strict_ip(ctx, obj, n, ip, "the nameserver");
        }
    }
    let searches: &[Node] = config.value.get("searches").map(Node::items).unwrap_or_default();
    if searches.len() > 32 {
        let d = ctx
            .diag(obj, searches[32].span, format!("`dnsConfig` lists {} search domains, more than 32", searches.len()))
            .with_primary_label("the 33rd")
            .with_help("the API server rejects it (`dnsConfig.searches: Invalid value: must not have more than 32 search paths`)");
        ctx.push(d);
    }
    // Measured as resolv.conf holds it: joined by spaces.
    let total: usize = searches.iter().filter_map(Node::as_str).map(|s| s.len() + 1).sum::<usize>().saturating_sub(1);
    if total > 2048 {
        if let Some(first) = searches.first() {
            let d = ctx
                .diag(obj, first.span, format!("the search domains of `dnsConfig` total {total} characters, more than 2048"))
                .with_primary_label("search list too long")
                .with_help("the API server rejects it (`dnsConfig.searches: Invalid value: must not have more than 2048 characters (including spaces) in the search list`)");
            ctx.push(d);
        }
    }
    // `RelaxedDNSSearchValidation` (on by default from 1.33, GA in 1.34) admits `.` and
    // underscores (`_sip._tcp.example.com`).
    let relaxed = crate::rules::api::at_least(ctx, 33);
    for s in searches {
        let Some(v) = s.as_str() else { continue };
        if relaxed && v == "." {
            continue;
        }
        // A trailing dot (a fully qualified name) is allowed.
        let name = v.strip_suffix('.').unwrap_or(v);
        let problems = if relaxed {
            dns1123_subdomain_with_underscore(name)
        } else {
            dns1123_subdomain(name)
        };
        if let Some(problem) = problems.into_iter().next() {
            let d = ctx
                .diag(obj, s.span, format!("search domain `{v}` in `dnsConfig` is not a valid DNS name"))
                .with_primary_label("not an RFC 1123 subdomain")
                .with_help(format!("the API server rejects it (`dnsConfig.searches: Invalid value: \"{v}\": {problem}`)"));
            ctx.push(d);
        }
    }
    for o in config.value.get("options").map(Node::items).unwrap_or_default() {
        if o.is_map() && o.get("name").and_then(Node::as_str).is_none_or(str::is_empty) {
            let d = ctx
                .diag(obj, o.span, "a `dnsConfig` option has no `name`")
                .with_primary_label("needs a name")
                .with_help("the API server rejects it (`dnsConfig.options[..].name: Required value`); write e.g. `{name: ndots, value: \"2\"}`");
            ctx.push(d);
        }
    }
}

fn host_aliases(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    for a in all_items(Some(spec), "hostAliases") {
        if let Some(n) = a.get("ip") {
            if let Some(ip) = n.as_str() {
                if !valid_ip(ip) {
                    let d = ctx
                        .diag(obj, n.span, format!("`ip: {ip}` of a hostAlias is not an IP address"))
                        .with_primary_label("must be an IP address")
                        .with_help(format!("the API server rejects it (`hostAliases[..].ip: Invalid value: \"{ip}\": must be a valid IP address`); /etc/hosts maps an IP address to names"));
                    ctx.push(d);
                } else {
                    strict_ip(ctx, obj, n, ip, "the host alias IP");
                }
            }
        }
        for h in a.get("hostnames").map(Node::items).unwrap_or_default() {
            let Some(v) = h.as_str() else { continue };
            if let Some(problem) = dns1123_subdomain(v).into_iter().next() {
                let d = ctx
                    .diag(obj, h.span, format!("hostname `{v}` of a hostAlias is not a valid DNS name"))
                    .with_primary_label("not an RFC 1123 subdomain")
                    .with_help(format!("the API server rejects it (`hostAliases[..].hostnames: Invalid value: \"{v}\": {problem}`)"));
                ctx.push(d);
            }
        }
    }
}

fn gates(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    for g in all_items(Some(spec), "readinessGates") {
        let Some(n) = g.get("conditionType") else { continue };
        let Some(v) = n.as_str() else { continue };
        if let Some(problem) = qualified_name(v).into_iter().next() {
            let d = ctx
                .diag(obj, n.span, format!("readiness gate `conditionType: {v}` is not a valid condition type"))
                .with_primary_label("not a qualified name")
                .with_help(format!("the API server rejects it (`readinessGates[..].conditionType: Invalid value: \"{v}\": {problem}`)"));
            ctx.push(d);
        }
    }
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for g in all_items(Some(spec), "schedulingGates") {
        let Some(n) = g.get("name") else { continue };
        let Some(v) = n.as_str() else { continue };
        if let Some(problem) = qualified_name(v).into_iter().next() {
            let d = ctx
                .diag(obj, n.span, format!("scheduling gate `{v}` is not a valid name"))
                .with_primary_label("not a qualified name")
                .with_help(format!("the API server rejects it (`schedulingGates[..].name: Invalid value: \"{v}\": {problem}`)"));
            ctx.push(d);
        } else if let Some(first) = seen.get(v) {
            let d = ctx
                .diag(obj, n.span, format!("scheduling gate `{v}` is listed twice"))
                .with_primary_label("duplicate")
                .with_label(obj.file, first.span, "first here")
                .with_help("the API server rejects it (`schedulingGates[..].name: Duplicate value`); keep one");
            ctx.push(d);
        } else {
            seen.insert(v, n);
        }
    }
}


/// `serviceAccountName` (or the deprecated `serviceAccount`, which defaulting copies into
/// it) is a DNS subdomain.
fn service_account_name(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let named = spec.get("serviceAccountName").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    let (key, node) = match named {
        Some(n) => ("serviceAccountName", n),
        None => match spec.get("serviceAccount") {
            Some(n) => ("serviceAccount", n),
            None => return,
        },
    };
    let Some(v) = crate::rules::api::judged_str(node) else { return };
    let Some(problem) = dns1123_subdomain(v).into_iter().next() else { return };
    let d = ctx
        .diag(obj, node.span, format!("`{key}: {v}` is not a valid ServiceAccount name"))
        .with_primary_label("not an RFC 1123 subdomain")
        .with_help(format!("the API server rejects it (`serviceAccountName: Invalid value: \"{v}\": {problem}`); use the `metadata.name` of a ServiceAccount in the pod's namespace (lowercase letters, digits, '-' and '.')"));
    ctx.push(d);
}

/// Pod-level fields `validateWindows` forbids in a `windows` pod besides the security
/// context ones: `hostUsers`, `shareProcessNamespace`, and `securityContext.seLinuxChangePolicy`
/// (kept by the server from 1.33, where `SELinuxChangePolicy` is beta).
fn windows_pod_fields(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(os) = spec.get_path(&["os", "name"]).filter(|n| n.as_str() == Some("windows")) else {
        return;
    };
    let mut found: Vec<&crate::yaml::Entry> = ["hostUsers", "shareProcessNamespace"]
        .iter()
        .filter_map(|k| spec.entry(k))
        .filter(|e| !e.value.is_null())
        .collect();
    if crate::rules::api::at_least(ctx, 33) {
        if let Some(e) = spec
            .get("securityContext")
            .and_then(|sc| sc.entry("seLinuxChangePolicy"))
            .filter(|e| !e.value.is_null())
        {
            found.push(e);
        }
    }
    for e in found {
        let field = e.key.key_text().unwrap_or_default();
        let whose = if field == "seLinuxChangePolicy" { "the pod's securityContext" } else { "the pod" };
        let d = ctx
            .diag(obj, e.key.span, format!("{whose} sets `{field}`, which a windows pod may not set"))
            .with_primary_label("not for `os.name: windows`")
            .with_label(obj.file, os.span, "the pod's OS")
            .with_help(format!("Windows has no such setting, so the API server rejects it (`{field}: Forbidden: cannot be set for a windows pod`); remove it, or set `os.name: linux`"));
        ctx.push(d);
    }
}

/// `validatePodResourceClaims` and `validateResourceClaimNames`: each pod claim has a unique
/// DNS-label `name` and exactly one of `resourceClaimName` and `resourceClaimTemplateName`;
/// a container's `resources.claims` name pod claims, each (with its `request`) once.
fn resource_claims(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, t: &PodTemplate<'_>, spec: &Node) {
    let mut names: Vec<&str> = Vec::new();
    let mut judged = true;
    for claim in spec.get("resourceClaims").map(Node::items).unwrap_or_default() {
        let Some(n) = claim.get("name") else {
            judged = false;
            continue;
        };
        let Some(name) = n.as_str().filter(|s| !crate::model::fields::is_templated(s)) else {
            judged = false;
            continue;
        };
        if names.contains(&name) {
            let d = ctx
                .diag(obj, n.span, format!("the pod resource claim `{name}` is listed twice"))
                .with_primary_label("duplicate")
                .with_help(format!("the API server rejects it (`resourceClaims[..].name: Duplicate value: \"{name}\"`); give each claim its own name"));
            ctx.push(d);
        } else if let Some(problem) = dns1123_label(name).into_iter().next().filter(|_| !name.is_empty()) {
            let d = ctx
                .diag(obj, n.span, format!("the pod resource claim name `{name}` is not a DNS label"))
                .with_primary_label("not an RFC 1123 label")
                .with_help(format!("the API server rejects it (`resourceClaims[..].name: Invalid value: \"{name}\": {problem}`)"));
            ctx.push(d);
        }
        names.push(name);
        let by_name = claim.get("resourceClaimName").filter(|n| !n.is_null());
        let by_template = claim.get("resourceClaimTemplateName").filter(|n| !n.is_null());
        match (by_name, by_template) {
            (None, None) => {
                let d = ctx
                    .diag(obj, n.span, format!("the pod resource claim `{name}` names neither a ResourceClaim nor a template"))
                    .with_primary_label("no source")
                    .with_help("the API server rejects it (`resourceClaims[..]: Invalid value: must specify one of: 'resourceClaimName', 'resourceClaimTemplateName'`); add `resourceClaimTemplateName` (a claim per pod) or `resourceClaimName` (a shared claim)");
                ctx.push(d);
            }
            (Some(a), Some(b)) => {
                let d = ctx
                    .diag(obj, b.span, format!("the pod resource claim `{name}` names both a ResourceClaim and a template"))
                    .with_primary_label("resourceClaimTemplateName")
                    .with_label(obj.file, a.span, "resourceClaimName")
                    .with_help("the API server rejects it (`resourceClaims[..]: Invalid value: at most one of 'resourceClaimName' or 'resourceClaimTemplateName' may be specified`); keep one");
                ctx.push(d);
            }
            _ => {}
        }
        for r in [by_name, by_template].into_iter().flatten() {
            let Some(v) = crate::rules::api::judged_str(r) else { continue };
            if let Some(problem) = dns1123_subdomain(v).into_iter().next() {
                let d = ctx
                    .diag(obj, r.span, format!("`{v}` is not a valid ResourceClaim or template name"))
                    .with_primary_label("not an RFC 1123 subdomain")
                    .with_help(format!("the API server rejects it (`Invalid value: \"{v}\": {problem}`)"));
                ctx.push(d);
            }
        }
    }
    if !judged {
        return;
    }
    for c in t.containers() {
        let Some(claims) = c.node.get_path(&["resources", "claims"]) else { continue };
        let mut seen: Vec<String> = Vec::new();
        for claim in claims.items() {
            let Some(n) = claim.get("name") else { continue };
            let Some(name) = n.as_str().filter(|s| !s.is_empty() && !crate::model::fields::is_templated(s)) else {
                continue;
            };
            let key = match claim.get("request").and_then(Node::as_str) {
                Some(r) if !r.is_empty() => format!("{name}/{r}"),
                _ => name.to_string(),
            };
            if seen.contains(&key) {
                let d = ctx
                    .diag(obj, n.span, format!("{} lists the resource claim `{key}` twice", c.describe()))
                    .with_primary_label("duplicate")
                    .with_help(format!("the API server rejects it (`resources.claims[..]: Duplicate value: \"{key}\"`); list each claim once"));
                ctx.push(d);
            }
            seen.push(key);
            if !names.contains(&name) {
                let known = if names.is_empty() {
                    "the pod declares no `resourceClaims`".to_string()
                } else {
                    format!("the pod's claims are {}", crate::model::names::one_of(&names))
                };
                let d = ctx
                    .diag(obj, n.span, format!("{} uses the resource claim `{name}`, which the pod does not declare", c.describe()))
                    .with_primary_label("not in `spec.resourceClaims`")
                    .with_help(format!("the API server rejects it (`resources.claims[..]: Not found: \"{name}\": must be one of the names in pod.spec.resourceClaims`); {known}"));
                ctx.push(d);
            }
        }
    }
}

/// A container's request for `resource` after the pod's defaulting (a limit alone is the
/// request too), in base units; 0 when it has neither.
fn container_request(c: &Node, resource: &str) -> f64 {
    let res = c.get("resources");
    ["requests", "limits"]
        .into_iter()
        .find_map(|list| {
            let n = res?.get(list)?.get(resource)?;
            crate::model::quantity::from_node(n)?.ok()
        })
        .map_or(0.0, |q| q.value)
}

/// `AggregateContainerRequests`: the regular containers and the sidecars together, or an
/// init container with the sidecars started before it, whichever is more.
fn aggregate_request(t: &PodTemplate<'_>, resource: &str) -> f64 {
    let (mut running, mut sidecars, mut init_peak) = (0.0_f64, 0.0_f64, 0.0_f64);
    for c in t.containers() {
        let r = container_request(c.node, resource);
        match c.kind {
            ContainerKind::Regular => running += r,
            ContainerKind::Init if c.is_sidecar() => sidecars += r,
            ContainerKind::Init => init_peak = init_peak.max(sidecars + r),
            ContainerKind::Ephemeral => {}
        }
    }
    (running + sidecars).max(init_peak)
}

/// How a quantity of `resource` reads in a message: cores as `1` or `1500m`, bytes as `Mi`
/// or `Gi` where whole.
fn show_quantity(resource: &str, value: f64) -> String {
    if resource == "cpu" {
        let milli = (value * 1000.0).round() as i64;
        return if milli % 1000 == 0 { format!("{}", milli / 1000) } else { format!("{milli}m") };
    }
    let bytes = value.round() as i64;
    for (unit, size) in [("Gi", 1_i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if bytes != 0 && bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// `validatePodResources`: pod-level `resources` name only cpu, memory and hugepages, claim
/// nothing, request at least what the containers request together (cpu and memory) and
/// limit no container below its own limit.
fn pod_resources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, t: &PodTemplate<'_>, spec: &Node) {
    let Some(res) = spec.get("resources").filter(|r| r.is_map()) else { return };
    if let Some(e) = res.entry("claims").filter(|e| !e.value.is_null()) {
        let d = ctx
            .diag(obj, e.key.span, "pod-level `resources` cannot list `claims`")
            .with_primary_label("not at pod level")
            .with_help("the API server rejects it (`resources.claims: Forbidden: claims cannot be set for Resources at pod-level`); list the claims in the `resources` of the containers that use them");
        ctx.push(d);
    }
    for list in ["requests", "limits"] {
        for e in res.get(list).map(Node::entries).unwrap_or_default() {
            let Some(name) = e.key.key_text() else { continue };
            if matches!(name, "cpu" | "memory") || name.starts_with("hugepages-") {
                continue;
            }
            let d = ctx
                .diag(obj, e.key.span, format!("`{name}` cannot be set in the pod-level `resources`"))
                .with_primary_label("only cpu, memory and hugepages")
                .with_help(format!("the API server rejects it (`resources.{list}[{name}]: Unsupported value: \"{name}\": supported values: \"cpu\", \"hugepages-\", \"memory\"`); set it in the containers' `resources`"));
            ctx.push(d);
        }
    }
    for resource in ["cpu", "memory"] {
        let Some(n) = res.get_path(&["requests", resource]) else { continue };
        let Some(Ok(pod)) = crate::model::quantity::from_node(n) else { continue };
        let total = aggregate_request(t, resource);
        if !crate::model::quantity::greater(total, pod.value) {
            continue;
        }
        let (written, total) = (n.text().unwrap_or_default(), show_quantity(resource, total));
        let d = ctx
            .diag(obj, n.span, format!("the pod requests {written} of {resource}, less than its containers request together ({total})"))
            .with_primary_label("below the containers' requests")
            .with_help(format!("the API server rejects it (`resources.requests[{resource}]: Invalid value: \"{written}\": must be greater than or equal to aggregate container requests of {total}`); raise the pod's request, or lower the containers' (sidecars count with the containers, an init container with the sidecars before it)"));
        ctx.push(d);
    }
    let Some(limits) = res.get("limits").filter(|l| l.is_map()) else { return };
    for c in t.containers().filter(|c| c.kind == ContainerKind::Regular) {
        for e in c.node.get("resources").and_then(|r| r.get("limits")).map(Node::entries).unwrap_or_default() {
            let Some(name) = e.key.key_text() else { continue };
            let Some(pod_limit) = limits.get(name) else { continue };
            let (Some(Ok(own)), Some(Ok(pod))) = (crate::model::quantity::from_node(&e.value), crate::model::quantity::from_node(pod_limit)) else {
                continue;
            };
            if !crate::model::quantity::greater(own.value, pod.value) {
                continue;
            }
            let (own_text, pod_text) = (e.value.text().unwrap_or_default(), pod_limit.text().unwrap_or_default());
            let d = ctx
                .diag(obj, e.value.span, format!("{} is limited to {own_text} of {name}, more than the pod's limit of {pod_text}", c.describe()))
                .with_primary_label("above the pod's limit")
                .with_label(obj.file, pod_limit.span, "the pod's limit")
                .with_help(format!("the API server rejects it (`{name}.limits: Invalid value: \"{own_text}\": must be less than or equal to pod limits of {pod_text}`); lower the container's limit or raise the pod's"));
            ctx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_ip;

    #[test]
    fn ips_as_the_legacy_parser_reads_them() {
        assert!(valid_ip("10.0.0.1"));
        assert!(valid_ip("010.000.000.001"));
        assert!(valid_ip("fd00::10"));
        assert!(!valid_ip("10.0.0.300"));
        assert!(!valid_ip("dns.example.com"));
        assert!(!valid_ip("10.0.0"));
    }
}

