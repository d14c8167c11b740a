//! `webhook-service-not-found`: an admission webhook's `clientConfig.service` names a Service,
//! or a port of a Service (443 when none is given), that the run does not have.

use crate::diagnostics::Severity;
use crate::model::{all_items, Object};
use crate::rules::selectors::backends::{check_backend, Backend};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "webhook-service-not-found",
    severity: Severity::Warning,
    category: Category::Admission,
    summary: "An admission webhook calls a Service, or a Service port (443 by default), that is not in the run",
    fix: false,
    doc: include_str!("../../../rules/webhook-service-not-found.md"),
    check: Check::Object(check),
};

/// The port the API server calls when `service.port` is left out (`SetDefaults_ServiceReference`).
const DEFAULT_PORT: i64 = 443;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "admissionregistration.k8s.io"
        || !matches!(obj.kind, "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration")
    {
        return;
    }
    for hook in all_items(Some(obj.root), "webhooks") {
        let Some(svc) = hook.get_path(&["clientConfig", "service"]).filter(|s| s.is_map()) else {
            continue;
        };
        let (Some(name), Some(namespace)) = (svc.get("name"), svc.get("namespace").and_then(Node::as_str)) else {
            continue;
        };
        let b = Backend {
            name,
            namespace,
            port: svc.get("port"),
            default_port: Some(DEFAULT_PORT),
            reaches: "calls",
        };
        check_backend(ctx, obj, &b, "a webhook's `service.port` is one of the Service's `port` numbers (443 when left out)");
    }
}
