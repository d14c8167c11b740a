//! `webhook-config-invalid`: `ValidateValidatingWebhookConfiguration` and
//! `ValidateMutatingWebhookConfiguration` (pkg/apis/admissionregistration/validation) on
//! create, after the v1 defaults (`failurePolicy: Fail`, `matchPolicy: Equivalent`,
//! `timeoutSeconds: 10`, `reinvocationPolicy: Never`, port 443).

use std::collections::HashSet;

use super::matching::{
    match_conditions, rule_with_operations, selectors, webhook_condition_params, FAILURE_POLICIES,
    MATCH_POLICIES,
};
use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_subdomain};
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject, Finding};
use crate::rules::webhook_client::client_config;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "webhook-config-invalid",
    severity: Severity::Error,
    category: Category::Admission,
    summary: "A validating or mutating webhook configuration the API server rejects: webhook names, rules, side effects, timeout, client config, AdmissionReview versions",
    fix: false,
    doc: include_str!("../../../rules/webhook-config-invalid.md"),
    check: Check::Object(check),
};

/// The `AdmissionReview` versions this API server (and the one before it) speaks.
const REVIEW_VERSIONS: &[&str] = &["v1", "v1beta1"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let mutating = match obj.kind {
        "ValidatingWebhookConfiguration" => false,
        "MutatingWebhookConfiguration" => true,
        _ => return,
    };
    if obj.api_version != "admissionregistration.k8s.io/v1" {
        return;
    }
    let Some(webhooks) = obj.root.get("webhooks") else { return };
    let mut names = HashSet::new();
    for (i, hook) in webhooks.items().iter().enumerate() {
        if !hook.is_map() {
            continue;
        }
        if let Some(n) = hook.get("name") {
            if let Some(name) = n.as_str() {
                if fully_qualified(ctx, obj, n, name) && !names.insert(name) {
                    reject(
                        ctx,
                        obj,
                        n,
                        format!("webhook `{name}` is defined twice in this configuration"),
                        &format!("Duplicate value: \"{name}\""),
                        "give each webhook its own name",
                    );
                }
            }
        }
        webhook(ctx, obj, hook, i, mutating);
    }
}

/// Reports a webhook name that is not fully qualified; whether the name may be judged and is
/// valid (so that its uniqueness is worth checking).
fn fully_qualified(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, name: &str) -> bool {
    if judged_str(node).is_none() {
        return !name.is_empty();
    }
    let Some(problem) = not_fully_qualified(name) else {
        return true;
    };
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    reject(
        ctx,
        obj,
        node,
        format!("webhook name `{name}` is not a fully qualified name: {problem}"),
        &format!("Invalid value: \"{trimmed}\": {problem}"),
        "name the webhook after a domain you own, with at least three labels (`pod-policy.example.com`)",
    );
    false
}

/// `IsFullyQualifiedName`: a DNS subdomain (one trailing dot allowed) of at least three
/// labels; the problem, if any.
fn not_fully_qualified(name: &str) -> Option<String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let errs = dns1123_subdomain(trimmed);
    if !errs.is_empty() {
        Some(errs.join("; "))
    } else if trimmed.split('.').count() < 3 {
        Some("should be a domain with at least three segments separated by dots".to_string())
    } else {
        None
    }
}

fn webhook(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, hook: &Node, index: usize, mutating: bool) {
    for rule in hook.get("rules").map(Node::items).unwrap_or_default() {
        rule_with_operations(ctx, obj, rule);
    }
    enum_value(ctx, obj, hook, "failurePolicy", FAILURE_POLICIES);
    enum_value(ctx, obj, hook, "matchPolicy", MATCH_POLICIES);
    side_effects(ctx, obj, hook);
    if let Some(n) = hook.get("timeoutSeconds") {
        if let Some(t) = n.as_i64().filter(|t| !(1..=30).contains(t)) {
            reject(
                ctx,
                obj,
                n,
                format!("`timeoutSeconds: {t}` is outside 1 to 30 seconds"),
                &format!("Invalid value: {t}: the timeout value must be between 1 and 30 seconds"),
                "use at most 30 (the default is 10); a slow webhook delays every request it matches",
            );
        }
    }
    selectors(ctx, obj, hook);
    if mutating {
        enum_value(ctx, obj, hook, "reinvocationPolicy", &["Never", "IfNeeded"]);
    }
    if let Some(cc) = hook.get("clientConfig").filter(|c| c.is_map()) {
        let mut out: Vec<Finding> = Vec::new();
        let name = hook.get("name").and_then(Node::as_str).unwrap_or("");
        let what = if name.is_empty() {
            "the webhook".to_string()
        } else {
            format!("webhook `{name}`")
        };
        client_config(
            hook,
            cc,
            &format!("webhooks[{index}].clientConfig"),
            &what,
            &mut out,
        );
        for f in out {
            f.report(ctx, obj);
        }
    }
    review_versions(ctx, obj, hook);
    match_conditions(ctx, obj, hook);
    webhook_condition_params(ctx, obj, hook);
}

/// v1 requires a webhook without side effects, or with none on dry runs; `Some` and `Unknown`
/// were accepted in v1beta1 only.
fn side_effects(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, hook: &Node) {
    let Some(n) = hook.get("sideEffects") else { return };
    let Some(v) = judged_str(n) else { return };
    let help = match v {
        "None" | "NoneOnDryRun" => return,
        "Some" | "Unknown" => "admissionregistration.k8s.io/v1 accepts only `None` and `NoneOnDryRun` (`Some` and `Unknown` were v1beta1's): make the webhook skip its side effects on dry runs and declare `NoneOnDryRun`".to_string(),
        other => match crate::model::names::did_you_mean(other, &["None", "NoneOnDryRun"]) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use `None`, or `NoneOnDryRun` for a webhook whose side effects it skips on dry runs".to_string(),
        },
    };
    reject(
        ctx,
        obj,
        n,
        format!("`sideEffects: {v}` is not accepted"),
        &format!("Unsupported value: \"{v}\": supported values: \"None\", \"NoneOnDryRun\""),
        &help,
    );
}

/// `validateAdmissionReviewVersions` with a recognised version required (on create).
fn review_versions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, hook: &Node) {
    let Some(list) = hook.get("admissionReviewVersions").filter(|n| n.is_seq()) else {
        return;
    };
    let items = list.items();
    if items.is_empty() {
        reject(
            ctx,
            obj,
            list,
            "`admissionReviewVersions` is empty".into(),
            "Required value: must specify one of v1, v1beta1",
            "list the AdmissionReview versions the webhook understands: `[v1]`",
        );
        return;
    }
    let mut seen = HashSet::new();
    let mut accepted = false;
    for n in items {
        let Some(v) = n.as_str() else { continue };
        if judged_str(n).is_none() {
            accepted = true;
            continue;
        }
        if !seen.insert(v) {
            reject(
                ctx,
                obj,
                n,
                format!("AdmissionReview version `{v}` is listed twice"),
                &format!("Invalid value: \"{v}\": duplicate version"),
                "remove one of them",
            );
            continue;
        }
        let errs = dns1035_label(v);
        if !errs.is_empty() {
            reject(
                ctx,
                obj,
                n,
                format!("AdmissionReview version `{v}` is not valid: {}", errs.join("; ")),
                &format!("Invalid value: \"{v}\": {}", errs.join(", ")),
                "versions are written like `v1`",
            );
        }
        accepted |= REVIEW_VERSIONS.contains(&v);
    }
    if !accepted {
        reject(
            ctx,
            obj,
            list,
            "`admissionReviewVersions` names no AdmissionReview version the API server speaks".into(),
            "Invalid value: must include at least one of v1, v1beta1",
            "add `v1` (and make the webhook answer with an `admission.k8s.io/v1` AdmissionReview)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::not_fully_qualified;

    #[test]
    fn webhook_names_as_is_fully_qualified_name_reads_them() {
        assert_eq!(not_fully_qualified("pod-policy.example.com"), None);
        assert_eq!(not_fully_qualified("mcronjob.kb.io"), None);
        assert_eq!(not_fully_qualified("pod-policy.example.com."), None, "one trailing dot");
        assert!(not_fully_qualified("example.com").is_some_and(|e| e.contains("three segments")));
        assert!(not_fully_qualified("Pods.Example.com").is_some_and(|e| e.contains("RFC 1123")));
        assert!(not_fully_qualified("a..b.c").is_some());
    }
}
