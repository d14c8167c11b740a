//! `invalid-port-name`: container port names and named targetPorts are IANA service names;
//! Service port names are DNS-1123 labels.

use crate::diagnostics::Severity;
use crate::model::names::{dns1123_label, iana_svc_name};
use crate::model::{Object, PodTemplate, Service};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-port-name",
    severity: Severity::Error,
    category: Category::Ports,
    summary: "A port name is not a valid IANA service name (container ports, targetPort) or DNS label (Service ports)",
    fix: false,
    doc: include_str!("../../../rules/invalid-port-name.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if let Some(t) = PodTemplate::of(obj) {
        for c in t.containers() {
            for p in c.ports() {
                if let Some(name) = p.get("name") {
                    iana(ctx, obj, name, "container port name");
                }
            }
        }
    }
    if let Some(svc) = Service::of(obj) {
        for p in svc.ports() {
            if let Some(name) = p.get("name") {
                if let Some(s) = name.as_str() {
                    let errs = dns1123_label(s);
                    if !errs.is_empty() && !s.is_empty() {
                        let d = ctx
                            .diag(
                                obj,
                                name.span,
                                format!(
                                    "Service port name `{s}` is not valid: it {}",
                                    errs.join("; ")
                                ),
                            )
                            .with_primary_label("invalid port name");
                        ctx.push(d);
                    }
                }
            }
            if let Some(tp) = p.get("targetPort") {
                iana(ctx, obj, tp, "named targetPort");
            }
        }
    }
}

fn iana(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, what: &str) {
    // Numbers (and wrong types) are not names.
    let Some(s) = node.as_str() else { return };
    if s.is_empty() {
        return;
    }
    let errs = iana_svc_name(s);
    if errs.is_empty() {
        return;
    }
    let mut d = ctx
        .diag(
            obj,
            node.span,
            format!(
                "{what} `{s}` is not a valid IANA service name: it {}",
                errs.join("; ")
            ),
        )
        .with_primary_label("invalid port name");
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        d = d.with_help(format!(
            "`{s}` is quoted, so it is a port *name*; write it without quotes to mean port number {s}"
        ));
    } else {
        d = d.with_help(
            "port names are at most 15 lowercase letters, digits and '-', with at least one letter (e.g. `http`, `metrics`, `grpc-web`)",
        );
    }
    ctx.push(d);
}
