//! `admission-policy-not-found`: a ValidatingAdmissionPolicyBinding whose `policyName` is one
//! typo away from a policy of its directory and names none: the binding binds nothing.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "admission-policy-not-found",
    severity: Severity::Warning,
    category: Category::Admission,
    summary: "A ValidatingAdmissionPolicyBinding names a policy the run does not have, one typo away from one it has: the binding enforces nothing",
    fix: false,
    doc: include_str!("../../../rules/admission-policy-not-found.md"),
    check: Check::Object(check),
};

const GROUP: &str = "admissionregistration.k8s.io";

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != GROUP || obj.kind != "ValidatingAdmissionPolicyBinding" {
        return;
    }
    let ws = ctx.ws;
    // kustomize may add a prefix or suffix to both names.
    if ws.is_open(obj.file) {
        return;
    }
    let Some(node) = obj.spec().and_then(|s| s.get("policyName")) else { return };
    let Some(name) = crate::rules::api::judged_str(node) else { return };
    // Defined anywhere in the run: the one (a policy is often applied from its own file).
    if ws
        .named("ValidatingAdmissionPolicy", name)
        .any(|o| o.group() == GROUP)
    {
        return;
    }
    let names: Vec<&str> = ws
        .of_kind_in_dir("ValidatingAdmissionPolicy", obj.file)
        .filter(|o| o.group() == GROUP)
        .filter_map(|o| o.name)
        .collect();
    let Some(near) = typo_of(name, &names) else { return };
    // Numbered siblings (`policy-t4` beside `policy-t14`) are other policies, not typos.
    let letters = |s: &str| s.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    if letters(near) == letters(name) {
        return;
    }
    let d = ctx
        .diag(
            obj,
            node.span,
            format!("{} binds policy `{name}`, which is not in this run", obj.display_name()),
        )
        .with_primary_label("no such ValidatingAdmissionPolicy")
        .with_help(format!(
            "did you mean `{near}`? The API server accepts a binding to a missing policy, and it enforces nothing"
        ));
    ctx.push(d);
}
