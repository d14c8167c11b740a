//! `probe-port-invalid`: an httpGet/tcpSocket/grpc probe port out of 1-65535, or a port name
//! that is not a valid IANA service name (a quoted number is a name).

use crate::diagnostics::Severity;
use crate::model::fields::probe_ports;
use crate::model::names::iana_svc_name;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-port-invalid",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "A probe port is outside 1-65535 or is not a valid port name",
    fix: true,
    doc: include_str!("../../../rules/probe-port-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        for (field, probe) in c.probes() {
            for (handler, port) in probe_ports(probe) {
                let who = format!("the {field} of {}", c.describe());
                if let Some(n) = port.as_i64() {
                    if !(1..=65535).contains(&n) {
                        let d = ctx
                            .diag(obj, port.span, format!("{handler} port {n} in {who} is outside 1-65535"))
                            .with_primary_label("not a port number")
                            .with_help("the API server rejects it (`must be between 1 and 65535, inclusive`); use the port the container listens on");
                        ctx.push(d);
                    }
                    continue;
                }
                let Some(name) = port.as_str() else { continue };
                if crate::model::fields::is_templated(name) {
                    continue;
                }
                let errs = iana_svc_name(name);
                if errs.is_empty() {
                    continue;
                }
                let mut d = ctx
                    .diag(obj, port.span, format!("{handler} port `{name}` in {who} is not a valid port name: {}", errs.join("; ")))
                    .with_primary_label("invalid port name");
                if let Ok(num) = name.trim().parse::<u32>() {
                    d = d
                        .with_help(format!(
                            "a quoted number is a port *name* to Kubernetes; write the number without quotes (`port: {num}`)"
                        ))
                        .with_fix(
                            format!("write `{num}` unquoted"),
                            vec![crate::diagnostics::Edit { span: port.span, new_text: num.to_string() }],
                        );
                } else {
                    d = d.with_help("port names are IANA service names: at most 15 lowercase letters, digits and `-`, with at least one letter; use the `name` of one of the container's `ports`");
                }
                ctx.push(d);
            }
        }
    }
}
