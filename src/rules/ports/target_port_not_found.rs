//! `target-port-not-found`: a Service's named targetPort that no container of the pods it
//! selects declares.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate, Service};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "target-port-not-found",
    severity: Severity::Warning,
    category: Category::Ports,
    summary: "A Service's named targetPort is declared by no container of the pods it selects",
    fix: false,
    doc: include_str!("../../../rules/target-port-not-found.md"),
    check: Check::Object(check),
};

fn declares(t: &PodTemplate<'_>, name: &str) -> bool {
    t.containers()
        .any(|c| c.declared_ports().any(|(n, _, _)| n == Some(name)))
}

fn port_names(t: &PodTemplate<'_>) -> Vec<String> {
    t.containers()
        .flat_map(|c| {
            c.declared_ports()
                .filter_map(|(n, _, _)| n)
                .collect::<Vec<_>>()
        })
        .map(|n| format!("`{n}`"))
        .collect()
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    if svc.service_type() == "ExternalName" {
        return;
    }
    let sel = svc.selector();
    if sel.is_empty() {
        return;
    }
    let ws = ctx.ws;
    let Some(ns) = ws.namespace_of(obj) else {
        return;
    };
    // The selected pods of the Service's own directory: a template elsewhere that carries
    // the same common labels (`app: web`) is likely another app's.
    let selected: Vec<(&Object<'_>, PodTemplate<'_>)> = ws
        .templates_selected_by(ns, &sel)
        .filter(|(o, _)| ws.same_dir(o.file, obj.file))
        .collect();
    if selected.is_empty() {
        return;
    }
    for p in svc.ports() {
        let Some(tp) = p.get("targetPort") else {
            continue;
        };
        // An invalid name is `invalid-port-name`'s finding.
        let Some(name) = tp
            .as_str()
            .filter(|s| !s.is_empty() && crate::model::names::iana_svc_name(s).is_empty())
        else {
            continue;
        };
        if selected.iter().any(|(_, t)| declares(t, name)) {
            continue;
        }
        let (o, t) = &selected[0];
        let names = port_names(t);
        let span = t
            .spec
            .and_then(|s| s.get("containers"))
            .map_or(t.labels_span(), |c| c.span);
        let label = if names.is_empty() {
            format!(
                "the selected pods ({}) declare no named ports",
                o.display_name()
            )
        } else {
            format!(
                "the selected pods ({}) declare the port names {}",
                o.display_name(),
                names.join(", ")
            )
        };
        let mut d = ctx
            .diag(
                obj,
                tp.span,
                format!(
                    "targetPort `{name}` is not declared by any container of the pods {} selects",
                    obj.display_name()
                ),
            )
            .with_primary_label("no container port has this name")
            .with_label(o.file, span, label);
        let close = crate::model::names::did_you_mean(
            name,
            &t.containers()
                .flat_map(|c| {
                    c.declared_ports()
                        .filter_map(|(n, _, _)| n)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>(),
        );
        d = match close {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("a named targetPort resolves to the container port with that `name`; without one the Service has no endpoints for this port; name the container port, or use its number"),
        };
        ctx.push(d);
    }
}
