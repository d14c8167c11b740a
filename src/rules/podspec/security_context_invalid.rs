//! `security-context-invalid`: pod and container security contexts the API server rejects
//! (`ValidatePodSecurityContext`, `ValidateSecurityContext`, `validateSeccompProfileField`,
//! `validateAppArmorProfileField`, `validateSysctls`, `validateWindowsHostProcessPod`).

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{ContainerKind, Object, PodTemplate};
use crate::rules::volumes::volume_mount_path_invalid::descending_path_problem;
use crate::rules::workloads::unsupported_value::PROFILE_TYPES;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "security-context-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "A pod or container securityContext the API server rejects: IDs out of range, seccomp/AppArmor Localhost without a profile, privileged without privilege escalation, bad sysctls, mixed hostProcess",
    fix: false,
    doc: include_str!("../../../rules/security-context-invalid.md"),
    check: Check::Object(check),
};

const MAX_ID: i64 = 2_147_483_647;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let Some(spec) = t.spec else { return };
    let pod_sc = spec.get("securityContext").filter(|n| n.is_map());
    if let Some(sc) = pod_sc {
        let who = "the pod's securityContext";
        for key in ["runAsUser", "runAsGroup", "fsGroup"] {
            id_range(ctx, obj, sc, key, who);
        }
        for g in sc.get("supplementalGroups").map(Node::items).unwrap_or_default() {
            if let Some(v) = g.as_i64().filter(|v| !(0..=MAX_ID).contains(v)) {
                let d = ctx
                    .diag(obj, g.span, format!("supplemental group {v} in {who} is out of range"))
                    .with_primary_label("must be between 0 and 2147483647")
                    .with_help("the API server rejects the pod (`supplementalGroups[..]: Invalid value: must be between 0 and 2147483647, inclusive`); use a non-negative group ID");
                ctx.push(d);
            }
        }
        profile(ctx, obj, sc, "seccompProfile", "seccomp", who);
        profile(ctx, obj, sc, "appArmorProfile", "AppArmor", who);
        sysctls(ctx, obj, sc, spec);
        windows_options(ctx, obj, sc, who);
    }
    for c in t.containers() {
        let Some(sc) = c.node.get("securityContext").filter(|n| n.is_map()) else {
            continue;
        };
        let who = format!("the securityContext of {}", c.describe());
        for key in ["runAsUser", "runAsGroup"] {
            id_range(ctx, obj, sc, key, &who);
        }
        profile(ctx, obj, sc, "seccompProfile", "seccomp", &who);
        profile(ctx, obj, sc, "appArmorProfile", "AppArmor", &who);
        escalation(ctx, obj, sc, &who);
        windows_options(ctx, obj, sc, &who);
    }
    host_process(ctx, obj, &t, spec, pod_sc);
}

fn id_range(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node, key: &str, who: &str) {
    let Some(node) = sc.get(key) else { return };
    let Some(v) = node.as_i64() else { return };
    if (0..=MAX_ID).contains(&v) {
        return;
    }
    let d = ctx
        .diag(obj, node.span, format!("`{key}: {v}` in {who} is out of range"))
        .with_primary_label("must be between 0 and 2147483647")
        .with_help(format!(
            "the API server rejects the pod (`{key}: Invalid value: {v}: must be between 0 and 2147483647, inclusive`); use a non-negative ID"
        ));
    ctx.push(d);
}

/// `seccompProfile` and `appArmorProfile`: `localhostProfile` exactly when the type is
/// `Localhost`.
fn profile(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node, key: &str, what: &str, who: &str) {
    let Some(p) = sc.get(key).filter(|n| n.is_map()) else {
        return;
    };
    let Some(ty) = p.get("type") else { return };
    let Some(ty_s) = ty.as_str() else { return };
    let local = p.entry("localhostProfile").filter(|e| !e.value.is_null());
    if ty_s == "Localhost" {
        let Some(local) = local else {
            let d = ctx
                .diag(obj, ty.span, format!("the {key} of {who} has `type: Localhost` but no `localhostProfile`"))
                .with_primary_label("needs `localhostProfile`")
                .with_help(format!(
                    "the API server rejects it (`{key}.localhostProfile: Required value: must be set when {what} type is Localhost`); add `localhostProfile:` with the profile's path on the node, or use `type: RuntimeDefault`"
                ));
            ctx.push(d);
            return;
        };
        let Some(path) = local.value.as_str() else { return };
        let problem = if key == "seccompProfile" {
            descending_path_problem(path)
        } else if path.trim() != path {
            Some("must not be padded with whitespace")
        } else if path.is_empty() {
            Some("must not be empty when the type is Localhost")
        } else if path.len() > 4095 {
            Some("is longer than 4095 bytes")
        } else {
            None
        };
        if let Some(problem) = problem {
            // A profile of thousands of bytes is shown by its start.
            let shown: String = if path.len() > 60 {
                format!("{}...", path.chars().take(40).collect::<String>())
            } else {
                path.to_string()
            };
            let d = ctx
                .diag(obj, local.value.span, format!("`localhostProfile: {shown}` in the {key} of {who} {problem}"))
                .with_primary_label(problem)
                .with_help(format!(
                    "the API server rejects it (`{key}.localhostProfile: Invalid value`); {}",
                    if key == "seccompProfile" {
                        "a seccomp profile path is relative to the kubelet's seccomp directory, e.g. `profiles/audit.json`"
                    } else {
                        "give the name of an AppArmor profile loaded on the node"
                    }
                ));
            ctx.push(d);
        }
    } else if let Some(local) = local.filter(|_| PROFILE_TYPES.contains(&ty_s)) {
        let d = ctx
            .diag(obj, local.key.span, format!("the {key} of {who} sets `localhostProfile` with `type: {ty_s}`"))
            .with_primary_label("only allowed with `type: Localhost`")
            .with_label(obj.file, ty.span, "the type")
            .with_help(format!(
                "the API server rejects it (`{key}.localhostProfile: Invalid value: can only be set when {what} type is Localhost`); remove `localhostProfile`, or set `type: Localhost`"
            ));
        ctx.push(d);
    }
}

/// `allowPrivilegeEscalation: false` contradicts `privileged: true` and `CAP_SYS_ADMIN`.
fn escalation(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node, who: &str) {
    let Some(ape) = sc.get("allowPrivilegeEscalation").filter(|n| n.as_bool() == Some(false)) else {
        return;
    };
    if let Some(p) = sc.get("privileged").filter(|n| n.as_bool() == Some(true)) {
        let d = ctx
            .diag(obj, ape.span, format!("{who} sets `allowPrivilegeEscalation: false` and `privileged: true`"))
            .with_primary_label("contradicts `privileged`")
            .with_label(obj.file, p.span, "privileged")
            .with_help("a privileged container can always escalate, so the API server rejects the pair (`cannot set `allowPrivilegeEscalation` to false and `privileged` to true`); drop one of them");
        ctx.push(d);
    }
    let caps = sc.get_path(&["capabilities", "add"]).map(Node::items).unwrap_or_default();
    // The server compares the literal `CAP_SYS_ADMIN` only; `SYS_ADMIN` passes.
    if let Some(cap) = caps.iter().find(|c| c.as_str() == Some("CAP_SYS_ADMIN")) {
        let d = ctx
            .diag(obj, ape.span, format!("{who} sets `allowPrivilegeEscalation: false` and adds the capability `CAP_SYS_ADMIN`"))
            .with_primary_label("contradicts CAP_SYS_ADMIN")
            .with_label(obj.file, cap.span, "CAP_SYS_ADMIN")
            .with_help("CAP_SYS_ADMIN allows escalation, so the API server rejects the pair (`cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN`); drop one of them");
        ctx.push(d);
    }
}

/// `IsValidSysctlName`: dot- or slash-separated segments of `[a-z0-9]([-_a-z0-9]*[a-z0-9])?`.
fn valid_sysctl_name(name: &str) -> bool {
    let seg = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
    };
    name.len() <= 253 && name.split(['.', '/']).all(seg)
}

fn sysctls(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node, spec: &Node) {
    let host_network = spec.get("hostNetwork").filter(|n| n.as_bool() == Some(true));
    let host_ipc = spec.get("hostIPC").filter(|n| n.as_bool() == Some(true));
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for s in sc.get("sysctls").map(Node::items).unwrap_or_default() {
        let Some(name_node) = s.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        if !valid_sysctl_name(name) {
            let d = ctx
                .diag(obj, name_node.span, format!("`{name}` is not a valid sysctl name"))
                .with_primary_label("invalid sysctl name")
                .with_help("the API server rejects it (`must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$`); write the kernel parameter in lower case, e.g. `net.ipv4.tcp_syncookies`");
            ctx.push(d);
            continue;
        }
        if let Some(first) = seen.get(name) {
            let d = ctx
                .diag(obj, name_node.span, format!("the sysctl `{name}` is set twice"))
                .with_primary_label("duplicate")
                .with_label(obj.file, first.span, "first set here")
                .with_help("the API server rejects the pod (`sysctls[..].name: Duplicate value`); keep one entry");
            ctx.push(d);
            continue;
        }
        seen.insert(name, name_node);
        if let (Some(hi), true) = (host_ipc, is_ipc_sysctl(name)) {
            let d = ctx
                .diag(obj, name_node.span, format!("the IPC sysctl `{name}` is set on a pod with `hostIPC: true`"))
                .with_primary_label("not allowed with hostIPC")
                .with_label(obj.file, hi.span, "hostIPC")
                .with_help("the pod shares the node's IPC namespace, so the API server rejects it (`may not be specified when 'hostIPC' is true`); remove the sysctl or `hostIPC`");
            ctx.push(d);
        }
        if let Some(hn) = host_network {
            if name.replace('/', ".").starts_with("net.") {
                let d = ctx
                    .diag(obj, name_node.span, format!("the network sysctl `{name}` is set on a pod with `hostNetwork: true`"))
                    .with_primary_label("not allowed with hostNetwork")
                    .with_label(obj.file, hn.span, "hostNetwork")
                    .with_help("the pod shares the node's network namespace, so the API server rejects it (`may not be specified when 'hostNetwork' is true`); remove the sysctl or `hostNetwork`");
                ctx.push(d);
            }
        }
    }
}

/// The sysctls of the IPC namespace (`utilsysctl.GetNamespace`: the System V IPC keys and
/// `fs.mqueue.*`), which a pod sharing the node's IPC namespace may not set.
fn is_ipc_sysctl(name: &str) -> bool {
    let name = name.replace('/', ".");
    matches!(
        name.as_str(),
        "kernel.sem"
            | "kernel.shmall"
            | "kernel.shmmax"
            | "kernel.shmmni"
            | "kernel.shm_rmid_forced"
            | "kernel.msgmax"
            | "kernel.msgmnb"
            | "kernel.msgmni"
    ) || name.starts_with("fs.mqueue.")
}

/// `validateWindowsSecurityContextOptions`: `gmsaCredentialSpecName` a DNS subdomain,
/// `gmsaCredentialSpec` non-empty and under 64 KiB, `runAsUserName` a `[DOMAIN\\]user` of
/// the allowed length and characters (the domain's NetBIOS/DNS syntax is not judged).
fn windows_options(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, sc: &Node, who: &str) {
    let Some(w) = sc.get("windowsOptions").filter(|n| n.is_map()) else {
        return;
    };
    let bad = |ctx: &mut Ctx<'_, '_>, n: &Node, key: &str, problem: String| {
        let d = ctx
            .diag(obj, n.span, format!("`windowsOptions.{key}` in {who} is invalid: {problem}"))
            .with_primary_label("invalid")
            .with_help(format!(
                "the API server rejects it (`windowsOptions.{key}: Invalid value: {problem}`){}",
                match key {
                    "runAsUserName" => "; write `user` or `DOMAIN\\user`, e.g. `ContainerUser` or `NT AUTHORITY\\NETWORK SERVICE`",
                    "gmsaCredentialSpecName" => "; use the `metadata.name` of the GMSACredentialSpec",
                    _ => "; put the credential spec JSON here, or remove the field",
                }
            ));
        ctx.push(d);
    };
    if let Some(n) = w.get("gmsaCredentialSpecName") {
        if let Some(v) = n.as_str().filter(|v| !crate::model::fields::is_templated(v)) {
            if let Some(e) = crate::model::names::dns1123_subdomain(v).into_iter().next() {
                bad(ctx, n, "gmsaCredentialSpecName", format!("`{v}` is not the name of a GMSACredentialSpec: {e}"));
            }
        }
    }
    if let Some(n) = w.get("gmsaCredentialSpec") {
        if let Some(v) = n.as_str() {
            if v.is_empty() {
                bad(ctx, n, "gmsaCredentialSpec", "if set, must be non empty".into());
            } else if v.len() > 64 * 1024 {
                bad(ctx, n, "gmsaCredentialSpec", "gmsaCredentialSpec size must be under 64 KiB".into());
            }
        }
    }
    let Some(n) = w.get("runAsUserName") else { return };
    let Some(v) = n.as_str() else { return };
    if crate::model::fields::is_templated(v) {
        return;
    }
    let parts: Vec<&str> = v.split('\\').collect();
    let problem = if v.is_empty() {
        Some("runAsUserName cannot be an empty string".to_string())
    } else if v.chars().any(|c| c.is_ascii_control()) {
        Some("runAsUserName cannot contain control characters".to_string())
    } else if parts.len() > 2 {
        Some("runAsUserName cannot contain more than one backslash".to_string())
    } else {
        let (domain, user) = match parts.as_slice() {
            [d, u] => (*d, *u),
            _ => ("", v),
        };
        let has_domain = parts.len() == 2;
        if domain.len() >= 256 {
            Some("runAsUserName's Domain length must be under 256 characters".to_string())
        } else if has_domain && !(netbios_domain(domain) || dns_domain(domain)) {
            Some("runAsUserName's Domain doesn't match the NetBios nor the DNS format".to_string())
        } else if user.is_empty() {
            Some("runAsUserName's User cannot be empty".to_string())
        } else if user.len() > 104 {
            Some("runAsUserName's User length must not be longer than 104 characters".to_string())
        } else if user.chars().any(|c| "\"/\\:;|=,+*?<>@[]".contains(c)) {
            Some("runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]".to_string())
        } else if user.chars().all(|c| c == '.' || c == ' ') {
            Some("runAsUserName's User cannot contain only periods or spaces".to_string())
        } else {
            None
        }
    };
    if let Some(p) = problem {
        bad(ctx, n, "runAsUserName", p);
    }
}

/// `validNetBiosRegex`: 1 to 15 characters, none of `\ / : * ? " < > |`, not starting
/// with a dot. (Go's regexp counts characters, not bytes.)
fn netbios_domain(d: &str) -> bool {
    let forbidden = |c: char| "\\/:*?\"<>|".contains(c);
    let n = d.chars().count();
    (1..=15).contains(&n) && !d.starts_with('.') && !d.chars().any(forbidden)
}

/// `validWindowsUserDomainDNSRegex`: dot-separated labels of ASCII letters, digits and
/// inner dashes, 1 to 63 characters each.
fn dns_domain(d: &str) -> bool {
    d.split('.').all(|l| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    })
}

/// Windows HostProcess pods: all containers or none, and only on the host network.
fn host_process(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    t: &PodTemplate<'_>,
    spec: &Node,
    pod_sc: Option<&Node>,
) {
    fn hp(sc: Option<&Node>) -> Option<&Node> {
        sc.and_then(|s| s.get_path(&["windowsOptions", "hostProcess"]))
            .filter(|n| n.as_bool().is_some())
    }
    let pod_hp = hp(pod_sc);
    let pod_default = pod_hp.and_then(Node::as_bool).unwrap_or(false);
    let mut on: Option<(&Node, String)> = None;
    let mut off: Option<(&Node, String)> = None;
    for c in t.containers().filter(|c| c.kind != ContainerKind::Ephemeral) {
        let own = hp(c.node.get("securityContext"));
        let value = own.and_then(Node::as_bool).unwrap_or(pod_default);
        let anchor = own.or(pod_hp).unwrap_or_else(|| c.node.get("name").unwrap_or(c.node));
        let slot = if value { &mut on } else { &mut off };
        if slot.is_none() {
            *slot = Some((anchor, c.describe()));
        }
    }
    let Some((on_node, on_who)) = on else { return };
    if let Some((off_node, off_who)) = off {
        let d = ctx
            .diag(obj, off_node.span, format!("{off_who} is not a HostProcess container, but {on_who} is"))
            .with_primary_label("not hostProcess")
            .with_label(obj.file, on_node.span, "hostProcess: true")
            .with_help("the API server rejects pods that mix HostProcess and non-HostProcess containers; set `securityContext.windowsOptions.hostProcess: true` on the pod (or on every container)");
        ctx.push(d);
    }
    if spec.get("hostNetwork").and_then(Node::as_bool) != Some(true) {
        let d = ctx
            .diag(obj, on_node.span, format!("{on_who} is a Windows HostProcess container but the pod does not set `hostNetwork: true`"))
            .with_primary_label("needs hostNetwork")
            .with_help("the API server rejects HostProcess pods off the host network (`hostNetwork: Invalid value: false: hostNetwork must be true when a pod contains HostProcess containers`); add `hostNetwork: true` to the pod spec");
        ctx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::valid_sysctl_name;

    #[test]
    fn sysctl_names() {
        assert!(valid_sysctl_name("net.ipv4.ip_local_port_range"));
        assert!(valid_sysctl_name("net/ipv4/conf/eth0.100/forwarding"));
        assert!(valid_sysctl_name("kernel.shm_rmid_forced"));
        assert!(!valid_sysctl_name("Kernel.msgmax"));
        assert!(!valid_sysctl_name("net..core"));
        assert!(!valid_sysctl_name("net.core."));
    }
}
