//! `pod-security-selinux-options`: Pod Security `baseline` allows only the container SELinux
//! types and no custom user or role (admission check `seLinuxOptions`, v1.0; v1.31 adds
//! `container_engine_t`).

use super::policy::{self, container_sc, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pod-security-selinux-options",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: seLinuxOptions may set only a container type, no user or role",
    fix: false,
    doc: include_str!("../../../rules/pod-security-selinux-options.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "seLinuxOptions",
    title: "forbidden SELinux options",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "baseline allows `seLinuxOptions.type` `container_t`, `container_init_t`, `container_kvm_t` (and `container_engine_t` from policy v1.31) and no `user` or `role`; `level` is free",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn allowed_type(t: &str, version: u32) -> bool {
    matches!(t, "" | "container_t" | "container_init_t" | "container_kvm_t")
        || (version >= 31 && t == "container_engine_t")
}

fn check_options(sc: Option<&Node>, who: &str, version: u32, out: &mut Vec<Violation>) {
    let Some(opts) = sc.and_then(|sc| sc.get("seLinuxOptions")).filter(|o| o.is_map()) else {
        return;
    };
    if let Some(t) = opts.get("type") {
        let tv = t.text().unwrap_or_default();
        if !allowed_type(tv, version) {
            out.push(Violation::new(t.span, format!("{who} sets SELinux type `{tv}`")));
        }
    }
    for field in ["user", "role"] {
        if let Some(n) = opts.get(field) {
            let v = n.text().unwrap_or_default();
            if !v.is_empty() {
                out.push(Violation::new(n.span, format!("{who} sets SELinux {field} `{v}`")));
            }
        }
    }
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    check_options(pod.security_context(), "the pod", version, &mut out);
    for c in pod.containers() {
        check_options(container_sc(&c), &c.describe(), version, &mut out);
    }
    out
}
