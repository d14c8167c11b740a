//! `probe-port-undeclared`: a probe refers to a named port the container does not declare.

use crate::diagnostics::Severity;
use crate::model::fields::probe_ports;
use crate::model::names::{did_you_mean, iana_svc_name};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "probe-port-undeclared",
    severity: Severity::Error,
    category: Category::Probes,
    summary: "A probe uses a named port that the container does not declare",
    fix: false,
    doc: include_str!("../../../rules/probe-port-undeclared.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for c in template.containers().filter(|c| c.may_have_probes()) {
        let declared: Vec<(&str, &crate::yaml::Node)> = c
            .ports()
            .filter_map(|p| {
                let n = p.get("name")?;
                Some((n.as_str()?, n))
            })
            .collect();
        let names: Vec<&str> = declared.iter().map(|(n, _)| *n).collect();
        for (field, probe) in c.probes() {
            for (handler, port) in probe_ports(probe) {
                let Some(name) = port.as_str() else { continue };
                // Invalid names are probe-port-invalid's finding.
                if !iana_svc_name(name).is_empty() {
                    continue;
                }
                if names.contains(&name) {
                    // The kubelet resolves the name whatever its protocol, then connects
                    // over TCP: a UDP or SCTP port is almost surely not what answers.
                    let port_node = c
                        .ports()
                        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name));
                    let proto = port_node
                        .and_then(|p| p.get("protocol"))
                        .and_then(|p| p.as_str());
                    if let (Some(p), Some(proto)) =
                        (port_node, proto.filter(|x| *x == "UDP" || *x == "SCTP"))
                    {
                        let mut d = ctx
                            .diag(
                                obj,
                                port.span,
                                format!("the {field} of {} checks port `{name}` over TCP, but that port is declared `protocol: {proto}`", c.describe()),
                            )
                            .with_primary_label(format!("{handler} connects over TCP"))
                            .with_label(obj.file, p.get("protocol").map_or(p.span, |n| n.span), format!("`{name}` is a {proto} port"))
                            .with_help("HTTP, TCP and gRPC probes always use TCP; unless the application also listens on TCP there, the probe fails. Probe a TCP port, or use an `exec` probe for a UDP service");
                        d.severity = Severity::Warning;
                        ctx.push(d);
                    }
                    continue;
                }
                let mut d = ctx
                    .diag(
                        obj,
                        port.span,
                        format!("the {field} of {} uses port `{name}`, but the container declares no port named `{name}`", c.describe()),
                    )
                    .with_primary_label("unknown port name");
                if let Some(s) = did_you_mean(name, &names) {
                    if let Some((_, n)) = declared.iter().find(|(n, _)| *n == s) {
                        d = d.with_label(obj.file, n.span, format!("port `{s}` is declared here"));
                    }
                    d = d.with_help(format!("did you mean `{s}`?"));
                } else {
                    let list = if names.is_empty() {
                        "it has no named ports".to_string()
                    } else {
                        format!(
                            "its named ports are {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    d = d.with_help(format!(
                        "the kubelet resolves a {handler} port name against this container's own `ports`, and {list}; the probe fails every time, so {}. Name the port in `ports` or use the number",
                        if field == "readinessProbe" { "the pod never becomes ready" } else { "the kubelet keeps restarting the container" }
                    ));
                }
                ctx.push(d);
            }
        }
    }
}
