//! `rbac-binding-invalid`: `ValidateRoleBinding` / `ValidateClusterRoleBinding` and
//! `ValidateRoleBindingSubject` (pkg/apis/rbac/validation), after rbac/v1 defaulting (an
//! empty `roleRef.apiGroup`, and the `apiGroup` of User and Group subjects, become
//! `rbac.authorization.k8s.io`).

use crate::diagnostics::Severity;
use crate::model::names::dns1123_subdomain;
use crate::model::Object;
use crate::rules::api::{judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "rbac-binding-invalid",
    severity: Severity::Error,
    category: Category::Rbac,
    summary: "A RoleBinding or ClusterRoleBinding the API server rejects (roleRef kind or apiGroup, subject kind, apiGroup or missing namespace)",
    fix: false,
    doc: include_str!("../../../rules/rbac-binding-invalid.md"),
    check: Check::Object(check),
};

const GROUP: &str = "rbac.authorization.k8s.io";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != GROUP {
        return;
    }
    let cluster = match obj.kind {
        "RoleBinding" => false,
        "ClusterRoleBinding" => true,
        _ => return,
    };
    if let Some(role_ref) = obj.root.get("roleRef") {
        if let Some(g) = role_ref.get("apiGroup") {
            if let Some(v) = judged_str(g).filter(|v| *v != GROUP) {
                reject(
                    ctx,
                    obj,
                    g,
                    format!("`roleRef.apiGroup: {v}` is not `{GROUP}`"),
                    &format!("Unsupported value: \"{v}\": supported values: \"{GROUP}\""),
                    &format!("roles live in `{GROUP}`; write `apiGroup: {GROUP}`"),
                );
            }
        }
        if let Some(k) = role_ref.get("kind") {
            let allowed: &[&str] = if cluster { &["ClusterRole"] } else { &["Role", "ClusterRole"] };
            if let Some(v) = judged_str(k).filter(|v| !allowed.contains(v)) {
                let help = if cluster && v == "Role" {
                    "a ClusterRoleBinding can only grant a ClusterRole; use a RoleBinding in the Role's namespace".to_string()
                } else {
                    format!("use {}", allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(" or "))
                };
                reject(
                    ctx,
                    obj,
                    k,
                    format!("`roleRef.kind: {v}` is not allowed in a {}", obj.kind),
                    &format!("Unsupported value: \"{v}\""),
                    &help,
                );
            }
        }
    }
    for s in obj.root.get("subjects").map(Node::items).unwrap_or_default() {
        subject(ctx, obj, s, cluster);
    }
}

fn subject(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, s: &Node, cluster: bool) {
    let Some(kind_node) = s.get("kind") else { return };
    let Some(kind) = judged_str(kind_node) else { return };
    let group = s.get("apiGroup");
    let group_v = group.and_then(Node::as_str).unwrap_or("");
    match kind {
        "ServiceAccount" => {
            if let Some(g) = group.filter(|_| !group_v.is_empty()) {
                reject_pair(
                    ctx,
                    obj,
                    g,
                    kind_node.span,
                    "the subject is a ServiceAccount".into(),
                    format!("a ServiceAccount subject has `apiGroup: {group_v}`"),
                    &format!("Unsupported value: \"{group_v}\": supported values: \"\""),
                    "ServiceAccounts are in the core group: remove `apiGroup` (or set it to `\"\"`)",
                );
            }
            if let Some(n) = s.get("name") {
                if let Some(v) = judged_str(n) {
                    let errs = dns1123_subdomain(v);
                    if !errs.is_empty() {
                        reject(
                            ctx,
                            obj,
                            n,
                            format!("the ServiceAccount name `{v}` {}", errs.join("; ")),
                            "Invalid value: a lowercase RFC 1123 subdomain",
                            "use the `metadata.name` of the ServiceAccount",
                        );
                    }
                }
            }
            let ns = s.get("namespace").and_then(Node::as_str).unwrap_or("");
            if cluster && ns.is_empty() {
                reject(
                    ctx,
                    obj,
                    s.get("namespace").unwrap_or(kind_node),
                    "a ServiceAccount subject of a ClusterRoleBinding has no `namespace`".into(),
                    "Required value",
                    "a ClusterRoleBinding has no namespace to default from; add the ServiceAccount's `namespace`",
                );
            }
        }
        "User" | "Group" => {
            if let Some(g) = group.filter(|_| !group_v.is_empty() && group_v != GROUP) {
                reject_pair(
                    ctx,
                    obj,
                    g,
                    kind_node.span,
                    format!("the subject is a {kind}"),
                    format!("a {kind} subject has `apiGroup: {group_v}`"),
                    &format!("Unsupported value: \"{group_v}\": supported values: \"{GROUP}\""),
                    &format!("write `apiGroup: {GROUP}` (or omit it)"),
                );
            }
        }
        other => {
            let hint = match other.to_ascii_lowercase().as_str() {
                "serviceaccount" => "did you mean `ServiceAccount`? (values are case-sensitive)".to_string(),
                "user" => "did you mean `User`? (values are case-sensitive)".to_string(),
                "group" => "did you mean `Group`? (values are case-sensitive)".to_string(),
                _ => "a subject is a `ServiceAccount`, `User` or `Group`".to_string(),
            };
            reject(
                ctx,
                obj,
                kind_node,
                format!("`kind: {other}` is not a subject kind"),
                &format!("Unsupported value: \"{other}\""),
                &hint,
            );
        }
    }
}
