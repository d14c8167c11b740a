//! `pod-security-sysctls`: Pod Security `baseline` allows only the namespaced, isolated
//! "safe" sysctls (admission check `sysctls`: v1.0, more in v1.27, v1.29, v1.32, v1.37).

use super::policy::{self, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-security-sysctls",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: only the safe sysctls may be set",
    fix: false,
    doc: include_str!("../../../rules/pod-security-sysctls.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "sysctls",
    title: "unsafe sysctls",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "a sysctl outside the safe set can affect the whole node; set it on the node instead, or check which policy version allows it",
};

/// Each safe sysctl with the policy version that first allows it.
pub const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    let Some(sysctls) = pod.security_context().and_then(|sc| sc.get("sysctls")) else {
        return Vec::new();
    };
    sysctls
        .items()
        .iter()
        .filter_map(|s| {
            let n = s.get("name")?;
            let name = n.text().unwrap_or_default();
            let ok = SAFE.iter().any(|(safe, since)| *safe == name && version >= *since);
            if ok {
                return None;
            }
            let later = SAFE.iter().find(|(safe, _)| *safe == name).map(|(_, v)| *v);
            let msg = match later {
                Some(v) => format!("the pod sets sysctl `{name}`, which is safe only from policy v1.{v}"),
                None => format!("the pod sets sysctl `{name}`, which is not in the safe set"),
            };
            Some(Violation::new(n.span, msg))
        })
        .collect()
}
