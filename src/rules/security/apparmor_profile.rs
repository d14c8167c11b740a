//! `pod-security-apparmor-profile`: Pod Security `baseline` forbids overriding the default
//! AppArmor profile with anything but `RuntimeDefault` or `Localhost` (admission check
//! `appArmorProfile`, v1.0: the fields and the deprecated annotations).

use super::policy::{self, container_sc, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "pod-security-apparmor-profile",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security baseline: AppArmor profile must be RuntimeDefault or Localhost",
    fix: false,
    doc: include_str!("../../../rules/pod-security-apparmor-profile.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "appArmorProfile",
    title: "forbidden AppArmor profiles",
    level: Level::Baseline,
    since: 0,
    overridden_in_restricted_from: None,
    check: violations,
    help: "`Unconfined` turns AppArmor off for the container; use `type: RuntimeDefault` or a `Localhost` profile (annotation values `runtime/default` or `localhost/<name>`)",
};

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

/// A bad `appArmorProfile` in `sc`: (span, type).
fn bad_profile(sc: Option<&Node>) -> Option<(Span, String)> {
    let profile = sc?.get("appArmorProfile").filter(|p| !p.is_null())?;
    let ty = profile.get("type");
    let t = ty.and_then(Node::text).unwrap_or_default();
    if matches!(t, "RuntimeDefault" | "Localhost") {
        return None;
    }
    Some((ty.map_or(profile.span, |n| n.span), t.to_string()))
}

fn violations(pod: &Pod<'_>, _: Level, _: u32) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some((span, t)) = bad_profile(pod.security_context()) {
        out.push(Violation::new(span, format!("the pod sets AppArmor profile type `{t}`")));
    }
    for c in pod.containers() {
        if let Some((span, t)) = bad_profile(container_sc(&c)) {
            out.push(Violation::new(span, format!("{} sets AppArmor profile type `{t}`", c.describe())));
        }
    }
    let annotations = pod.template.metadata.and_then(|m| m.get("annotations"));
    for e in annotations.map(Node::entries).unwrap_or_default() {
        let Some(key) = e.key.key_text() else { continue };
        if !key.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        let v = e.value.text().unwrap_or_default();
        if v.is_empty() || v == "runtime/default" || v.starts_with("localhost/") {
            continue;
        }
        out.push(Violation::new(
            e.key.span.cover(e.value.span),
            format!("annotation `{key}` sets AppArmor profile `{v}`"),
        ));
    }
    out
}
