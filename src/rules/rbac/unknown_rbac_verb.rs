//! `unknown-rbac-verb`: a verb of a Role or ClusterRole rule that the authorizer never sees,
//! because it is a standard verb in the wrong case or misspelt (`Get`, `lists`,
//! `delete-collection`). Verbs are free-form (an aggregated API may define its own), so only a
//! near miss of a known verb is reported.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::{all_items, Object};
use crate::rules::api::judged_str;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "unknown-rbac-verb",
    severity: Severity::Warning,
    category: Category::Rbac,
    summary: "A Role or ClusterRole verb that is a known verb in the wrong case or misspelt (`Get`, `lists`): it grants nothing",
    fix: false,
    doc: include_str!("../../../rules/unknown-rbac-verb.md"),
    check: Check::Object(check),
};

/// The verbs the API server and the built-in authorizer checks ask for: the resource verbs,
/// the special ones (pod security `use`, role `bind`/`escalate`, `impersonate`, CSR
/// `approve`/`sign`, ClusterTrustBundle `attest`) and the HTTP verbs of non-resource URLs.
const VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use",
    "bind", "escalate", "impersonate", "approve", "sign", "attest", "post", "put", "head",
    "options", "proxy",
];

/// Words people write for a set of verbs RBAC does not name as one.
const CONCEPTS: &[(&str, &str)] = &[
    ("read", "`get`, `list` and `watch`"),
    ("view", "`get`, `list` and `watch`"),
    ("write", "`create`, `update`, `patch` and `delete`"),
    ("edit", "`create`, `update`, `patch` and `delete`"),
    ("modify", "`update` and `patch`"),
    ("all", "`*`"),
    ("any", "`*`"),
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "rbac.authorization.k8s.io" || !matches!(obj.kind, "Role" | "ClusterRole") {
        return;
    }
    for rule in all_items(Some(obj.root), "rules") {
        for v in all_items(Some(rule), "verbs") {
            let Some(verb) = judged_str(v) else { continue };
            if verb == "*" || VERBS.contains(&verb) {
                continue;
            }
            if let Some((_, verbs)) = CONCEPTS.iter().find(|(w, _)| w.eq_ignore_ascii_case(verb)) {
                let d = ctx
                    .diag(obj, v.span, format!("RBAC has no `{verb}` verb"))
                    .with_primary_label("grants nothing")
                    .with_help(format!(
                        "the API server accepts the role, and the rule grants nothing for `{verb}`: list the verbs it stands for, {verbs}"
                    ));
                ctx.push(d);
                continue;
            }
            let normalised: String = verb
                .chars()
                .filter(|c| !matches!(c, '-' | '_' | ' '))
                .collect();
            let Some(meant) = VERBS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&normalised))
                .copied()
                .or_else(|| typo_of(verb, VERBS))
            else {
                continue;
            };
            let d = ctx
                .diag(obj, v.span, format!("`{verb}` is not a verb requests are authorized for"))
                .with_primary_label(format!("did you mean `{meant}`?"))
                .with_help(format!(
                    "requests carry lower-case verbs such as `{meant}`, and RBAC compares them exactly: the API server accepts the role, and the rule grants nothing for `{verb}`; write `{meant}`"
                ));
            ctx.push(d);
        }
    }
}
