//! `external-name-with-selector`: an ExternalName Service's selector is ignored.

use crate::diagnostics::Severity;
use crate::model::{Object, Service};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "external-name-with-selector",
    severity: Severity::Warning,
    category: Category::Ports,
    summary: "An ExternalName Service has a selector, which Kubernetes ignores",
    fix: false,
    doc: include_str!("../../../rules/external-name-with-selector.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    if svc.service_type() != "ExternalName" {
        return;
    }
    let Some(sel) = svc.selector_node().filter(|s| !s.entries().is_empty()) else {
        return;
    };
    let d = ctx
        .diag(
            obj,
            sel.span,
            format!("{} is an ExternalName Service: its selector is ignored", obj.display_name()),
        )
        .with_primary_label("ignored")
        .with_help("an ExternalName Service is only a DNS CNAME to `spec.externalName` and gets no endpoints; remove the selector, or use `type: ClusterIP` to route to the selected pods");
    ctx.push(d);
}
