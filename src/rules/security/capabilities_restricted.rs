//! `pod-security-capabilities-restricted`: Pod Security `restricted` requires every
//! container to drop `ALL` capabilities and add at most `NET_BIND_SERVICE` (admission check
//! `capabilities_restricted`, v1.22; Windows pods exempt from v1.25).

use super::policy::{self, container_anchor, container_fix, container_sc, insert_into_map, Control, Level, Pod, Violation};
use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-security-capabilities-restricted",
    severity: Severity::Error,
    category: Category::Security,
    summary: "Pod Security restricted: containers must drop ALL capabilities and add only NET_BIND_SERVICE",
    fix: true,
    doc: include_str!("../../../rules/pod-security-capabilities-restricted.md"),
    check: Check::Object(check),
};

pub static CONTROL: Control = Control {
    check_id: "capabilities_restricted",
    title: "unrestricted capabilities",
    level: Level::Restricted,
    since: 22,
    overridden_in_restricted_from: None,
    check: violations,
    help: "set `securityContext.capabilities.drop: [ALL]` in each container and add back only `NET_BIND_SERVICE` if the process binds a port below 1024",
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    policy::run(ctx, obj, &CONTROL);
}

fn violations(pod: &Pod<'_>, _: Level, version: u32) -> Vec<Violation> {
    if version >= 25 && pod.is_windows() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in pod.containers() {
        let sc = container_sc(&c);
        let caps = sc.and_then(|sc| sc.get("capabilities")).filter(|n| !n.is_null());
        let Some(caps) = caps else {
            let fix = match sc {
                Some(sc) if sc.get("capabilities").is_some() => None,
                _ => container_fix(
                    pod.text,
                    &c,
                    "drop all capabilities",
                    &["capabilities:", "  drop:", "  - ALL"],
                ),
            };
            out.push(
                Violation::new(
                    container_anchor(&c),
                    format!("{} does not set `securityContext.capabilities.drop: [ALL]`", c.describe()),
                )
                .with_fix(fix),
            );
            continue;
        };
        let drop = caps.get("drop");
        let drops_all = drop.is_some_and(|d| d.items().iter().any(|i| i.text() == Some("ALL")));
        if !drops_all {
            match caps.entry("drop") {
                Some(e) => out.push(Violation::new(
                    e.key.span.cover(e.value.span),
                    format!("{} drops capabilities but not `ALL`", c.describe()),
                )),
                None => {
                    let fix = insert_into_map(pod.text, caps, &["drop:", "- ALL"])
                        .map(|e| ("drop all capabilities".to_string(), e));
                    let span = sc
                        .and_then(|sc| sc.entry("capabilities"))
                        .map_or(caps.span, |e| e.key.span);
                    out.push(
                        Violation::new(
                            span,
                            format!("{} does not set `capabilities.drop: [ALL]`", c.describe()),
                        )
                        .with_fix(fix),
                    );
                }
            }
        }
        for item in caps.get("add").map(|a| a.items()).unwrap_or_default() {
            let cap = item.text().unwrap_or_default();
            if cap != "NET_BIND_SERVICE" {
                out.push(Violation::new(
                    item.span,
                    format!("{} adds capability `{cap}`; restricted allows adding only `NET_BIND_SERVICE`", c.describe()),
                ));
            }
        }
    }
    out
}
