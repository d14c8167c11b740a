//! `admission-policy-invalid`: `ValidateValidatingAdmissionPolicy` and
//! `ValidateValidatingAdmissionPolicyBinding` (pkg/apis/admissionregistration/validation) on
//! create, after the v1 defaults (`failurePolicy: Fail`; in match resources `matchPolicy:
//! Equivalent` and empty selectors). The CEL expressions are checked for presence, not
//! compiled: kubevet's CEL parser is not the API server's.

use std::collections::HashSet;

use super::matching::{
    blank_expression, cel_refs, match_conditions, match_resources, FAILURE_POLICIES,
};
use crate::diagnostics::Severity;
use crate::model::names::{dns1035_label, dns1123_subdomain, path_segment_name, qualified_name};
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, key_span, reject};
use crate::rules::scheduling::pod_affinity_invalid::check_selector_expressions;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "admission-policy-invalid",
    severity: Severity::Error,
    category: Category::Admission,
    summary: "A ValidatingAdmissionPolicy or binding the API server rejects: match constraints, validations, audit annotations, variables, parameters, validation actions",
    fix: false,
    doc: include_str!("../../../rules/admission-policy-invalid.md"),
    check: Check::Object(check),
};

const REASONS: &[&str] = &["Forbidden", "Invalid", "RequestEntityTooLarge"];
const ACTIONS: &[&str] = &["Deny", "Warn", "Audit"];
const MAX_AUDIT_ANNOTATIONS: usize = 20;
const MAX_VALUE_EXPRESSION: usize = 5 * 1024;
const CEL_RESERVED: &[&str] = &[
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
    "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void",
    "while",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !matches!(
        obj.api_version,
        "admissionregistration.k8s.io/v1" | "admissionregistration.k8s.io/v1beta1"
    ) {
        return;
    }
    let Some(spec) = obj.spec().filter(|s| s.is_map()) else { return };
    match obj.kind {
        "ValidatingAdmissionPolicy" => policy(ctx, obj, spec),
        "ValidatingAdmissionPolicyBinding" => binding(ctx, obj, spec),
        _ => {}
    }
}

fn policy(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    enum_value(ctx, obj, spec, "failurePolicy", FAILURE_POLICIES);
    if let Some(pk) = spec.get("paramKind").filter(|n| n.is_map()) {
        param_kind(ctx, obj, pk);
    }
    match spec.get("matchConstraints").filter(|n| !n.is_null()) {
        None => {
            let d = ctx
                .diag(obj, key_span(obj.root, "spec"), "the policy has no `spec.matchConstraints`".to_string())
                .with_help("the API server rejects it (`spec.matchConstraints: Required value`); add `matchConstraints.resourceRules` naming the resources the policy validates (they give the expressions their types)");
            ctx.push(d);
        }
        Some(mc) if mc.is_map() => {
            match_resources(ctx, obj, mc);
            if mc.get("resourceRules").is_none_or(|r| r.is_seq() && r.items().is_empty()) {
                let node = mc.get("resourceRules").unwrap_or(mc);
                reject(
                    ctx,
                    obj,
                    node,
                    "`matchConstraints` has no `resourceRules`".into(),
                    "Required value",
                    "add a resource rule (`apiGroups`, `apiVersions`, `operations`, `resources`): at least one gives the expressions the type of `object`",
                );
            }
        }
        Some(_) => {}
    }
    match_conditions(ctx, obj, spec);
    for v in spec.get("variables").map(Node::items).unwrap_or_default() {
        variable(ctx, obj, v);
    }
    let validations = spec.get("validations").map(Node::items).unwrap_or_default();
    let audits = spec.get("auditAnnotations").map(Node::items).unwrap_or_default();
    let lists_ok = ["validations", "auditAnnotations"]
        .iter()
        .all(|k| spec.get(k).is_none_or(|n| n.is_null() || n.is_seq()));
    if validations.is_empty() && audits.is_empty() && lists_ok {
        let node = spec.get("validations").unwrap_or(spec);
        reject(
            ctx,
            obj,
            node,
            "the policy has neither `validations` nor `auditAnnotations`".into(),
            "Required value: validations or auditAnnotations must contain at least one item",
            "add a validation (`expression` and `message`): a policy without one checks nothing",
        );
        return;
    }
    for v in validations {
        validation(ctx, obj, v);
    }
    if let Some(list) = spec.get("auditAnnotations").filter(|n| n.is_seq()) {
        audit_annotations(ctx, obj, list);
    }
    references(ctx, obj, spec);
}

/// The names the policy's expressions read that its compiler does not declare: `params`
/// without a `paramKind`, a `variables.<name>` no variable has. The API server's CEL
/// compilation fails on either (`undeclared reference to 'params'`, `undefined field`).
fn references(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let has_params = spec.get("paramKind").is_some_and(|p| !p.is_null());
    let declared: Vec<&str> = spec
        .get("variables")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.get("name").and_then(Node::as_str))
        .collect();
    if declared.iter().any(|n| crate::model::fields::is_templated(n)) {
        return;
    }
    let items = |key: &str| spec.get(key).map(Node::items).unwrap_or_default();
    // (expression, whether the policy's variables are in scope): match conditions are
    // compiled without them.
    let mut exprs: Vec<(&Node, bool)> = Vec::new();
    for v in items("validations") {
        exprs.extend(v.get("expression").map(|e| (e, true)));
        exprs.extend(v.get("messageExpression").map(|e| (e, true)));
    }
    for a in items("auditAnnotations") {
        exprs.extend(a.get("valueExpression").map(|e| (e, true)));
    }
    for v in items("variables") {
        exprs.extend(v.get("expression").map(|e| (e, true)));
    }
    for c in items("matchConditions") {
        exprs.extend(c.get("expression").map(|e| (e, false)));
    }
    for (node, variables_in_scope) in exprs {
        let Some(text) = judged_str(node) else { continue };
        let refs = cel_refs(text);
        if refs.params && !has_params {
            reject(
                ctx,
                obj,
                node,
                "the expression reads `params`, but the policy declares no `paramKind`".into(),
                "Invalid value: compilation failed: undeclared reference to 'params'",
                "add `spec.paramKind` naming the kind of the parameter objects (and a `paramRef` in the binding), or remove `params` from the expression",
            );
        }
        if !variables_in_scope {
            continue;
        }
        let mut seen = Vec::new();
        for v in refs.variables {
            if declared.contains(&v) || seen.contains(&v) {
                continue;
            }
            seen.push(v);
            let help = match crate::model::names::did_you_mean(v, &declared) {
                Some(d) => format!("did you mean `variables.{d}`?"),
                None => format!("declare it under `spec.variables` (`- name: {v}` with its `expression`)"),
            };
            reject(
                ctx,
                obj,
                node,
                format!("the expression reads `variables.{v}`, which the policy does not declare"),
                &format!("Invalid value: compilation failed: undefined field '{v}'"),
                &help,
            );
        }
    }
}

/// `validateParamKind`: `apiVersion` a group/version, `kind` a DNS-1035 label once lower-cased.
fn param_kind(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, pk: &Node) {
    if let Some(n) = pk.get("apiVersion") {
        if let Some(gv) = judged_str(n) {
            group_version(ctx, obj, n, gv);
        }
    }
    if let Some(n) = pk.get("kind") {
        if let Some(kind) = judged_str(n) {
            let errs = dns1035_label(&kind.to_lowercase());
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("`paramKind.kind: {kind}` is not a kind name: {}", errs.join("; ")),
                    &format!("Invalid value: \"{kind}\": may have mixed case, but should otherwise match: {}", errs.join(",")),
                    "write the kind as its objects do (`ConfigMap`)",
                );
            }
        }
    }
}

/// `paramKind.apiVersion` as `parseGroupVersion` splits it, the group a DNS subdomain and the
/// version a DNS-1035 label.
fn group_version(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, n: &Node, gv: &str) {
    let (group, version) = match gv.split('/').collect::<Vec<_>>().as_slice() {
        [v] => ("", *v),
        [g, v] => (*g, *v),
        _ => {
            reject(
                ctx,
                obj,
                n,
                format!("`{gv}` is not an API version (`group/version`)"),
                &format!("Invalid value: \"{gv}\": unexpected GroupVersion string: {gv}"),
                "write `group/version`, such as `example.com/v1`, or `v1` for the core group",
            );
            return;
        }
    };
    let mut errs = if group.is_empty() {
        Vec::new()
    } else {
        dns1123_subdomain(group)
    };
    if version.is_empty() {
        errs.push("version must be specified".into());
    } else {
        errs.extend(dns1035_label(version));
    }
    if !errs.is_empty() {
        reject(
            ctx,
            obj,
            n,
            format!("`paramKind.apiVersion: {gv}` is not valid: {}", errs.join("; ")),
            &format!("Invalid value: \"{gv}\": {}", errs.join(",")),
            "write `group/version`, such as `example.com/v1`",
        );
    }
}

/// `validateVariable`: a CEL identifier and an expression.
fn variable(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, v: &Node) {
    if let Some(n) = v.get("name") {
        if let Some(name) = n.as_str() {
            if name.trim().is_empty() {
                reject(ctx, obj, n, "a variable has an empty `name`".into(), "Required value: name is not specified", "name it as expressions refer to it (`variables.replicas`)");
            } else if !is_cel_identifier(name) && judged_str(n).is_some() {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("variable name `{name}` is not a CEL identifier"),
                    &format!("Invalid value: \"{name}\": name is not a valid CEL identifier"),
                    "use letters, digits and `_`, starting with a letter or `_` (expressions read it as `variables.<name>`), and not a CEL keyword",
                );
            }
        }
    }
    blank_expression(ctx, obj, v, "expression", "a variable");
}

fn is_cel_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !CEL_RESERVED.contains(&s)
}

/// `validateValidation`: expression present, messages without line breaks, a known reason.
fn validation(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, v: &Node) {
    if !v.is_map() {
        return;
    }
    blank_expression(ctx, obj, v, "expression", "a validation");
    if let Some(n) = v.get("messageExpression") {
        if n.as_str().is_some_and(|s| !s.is_empty() && s.trim().is_empty()) {
            reject(ctx, obj, n, "a validation has a blank `messageExpression`".into(), "Invalid value: must be non-empty if specified", "write the CEL expression, or remove the field");
        }
    }
    if let Some(n) = v.get("message") {
        if let Some(m) = n.as_str() {
            let t = m.trim();
            if !m.is_empty() && t.is_empty() {
                reject(ctx, obj, n, "a validation has a blank `message`".into(), "Invalid value: message must be non-empty if specified", "write the message, or remove the field");
            } else if t.contains(['\n', '\r']) {
                reject(
                    ctx,
                    obj,
                    n,
                    "the validation `message` spans several lines".into(),
                    "Invalid value: message must not contain line breaks",
                    "write it on one line (a folded `>-` block or a plain multi-line scalar joins the lines; `|` keeps them)",
                );
            }
        }
    }
    enum_value(ctx, obj, v, "reason", REASONS);
}

/// The audit annotations: at most 20, keys unique and valid as `<policy name>/<key>`,
/// value expressions present and at most 5 KiB.
fn audit_annotations(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, list: &Node) {
    if list.items().len() > MAX_AUDIT_ANNOTATIONS {
        reject(
            ctx,
            obj,
            list,
            format!("{} audit annotations, more than {MAX_AUDIT_ANNOTATIONS}", list.items().len()),
            &format!("Invalid value: must not have more than {MAX_AUDIT_ANNOTATIONS} auditAnnotations"),
            &format!("keep at most {MAX_AUDIT_ANNOTATIONS}"),
        );
    }
    let policy_name = obj.name.filter(|n| judged_str_text(n));
    let mut keys = HashSet::new();
    for a in list.items().iter().filter(|a| a.is_map()) {
        if let Some(k) = a.get("key") {
            if let (Some(key), Some(name)) = (judged_str(k), policy_name) {
                let full = format!("{name}/{key}");
                let errs = qualified_name(&full);
                if !errs.is_empty() {
                    reject(
                        ctx,
                        obj,
                        k,
                        format!("audit annotation key `{key}` does not make a valid annotation key `{full}`: {}", errs.join("; ")),
                        &format!("Invalid value: \"{full}\": {}", errs.join(", ")),
                        "use letters, digits, `-`, `_` and `.`, at most 63 characters",
                    );
                }
            }
            if let Some(key) = k.as_str() {
                if !keys.insert(key) {
                    reject(ctx, obj, k, format!("audit annotation key `{key}` is used twice"), &format!("Duplicate value: \"{key}\""), "give each annotation its own key");
                }
            }
        }
        blank_expression(ctx, obj, a, "valueExpression", "an audit annotation");
        if let Some(n) = a.get("valueExpression") {
            if n.as_str().is_some_and(|s| s.trim().len() > MAX_VALUE_EXPRESSION) {
                reject(ctx, obj, n, format!("the audit annotation's `valueExpression` is longer than {MAX_VALUE_EXPRESSION} bytes"), &format!("Required value: must not exceed {MAX_VALUE_EXPRESSION} bytes in length"), "shorten the expression (a variable can hold part of it)");
            }
        }
    }
}

fn judged_str_text(s: &str) -> bool {
    !s.is_empty()
        && !crate::model::fields::is_templated(s)
        && !crate::rules::api::is_placeholder(s)
}

fn binding(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    match spec.get("policyName") {
        Some(n) if n.as_str() == Some("") => reject(ctx, obj, n, "the binding's `policyName` is empty".into(), "Required value", "name the ValidatingAdmissionPolicy to bind"),
        Some(n) => {
            if let Some(name) = judged_str(n) {
                let errs = dns1123_subdomain(name);
                if !errs.is_empty() {
                    reject(ctx, obj, n, format!("`policyName: {name}` is not a policy name: {}", errs.join("; ")), &format!("Invalid value: \"{name}\": {}", errs.join(", ")), "write the `metadata.name` of the ValidatingAdmissionPolicy");
                }
            }
        }
        None => {
            let d = ctx
                .diag(obj, spec.span, "the binding has no `policyName`".to_string())
                .with_help("the API server rejects it (`spec.policyName: Required value`); name the ValidatingAdmissionPolicy to bind");
            ctx.push(d);
        }
    }
    if let Some(pr) = spec.get("paramRef").filter(|n| n.is_map()) {
        param_ref(ctx, obj, pr);
    }
    if let Some(mr) = spec.get("matchResources").filter(|n| n.is_map()) {
        match_resources(ctx, obj, mr);
    }
    validation_actions(ctx, obj, spec);
}

/// `validateParamRef`: a name or a selector (not both), and what to do without parameters.
fn param_ref(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, pr: &Node) {
    let name = pr.get("name").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    let selector = pr.get("selector").filter(|n| !n.is_null());
    if let Some(n) = name {
        if let Some(s) = judged_str(n) {
            let errs = path_segment_name(s);
            if !errs.is_empty() {
                reject(ctx, obj, n, format!("parameter name `{s}` is not valid: {}", errs.join("; ")), &format!("Invalid value: \"{s}\": {}", errs.join(", ")), "write the parameter object's name");
            }
        }
    }
    match (name, selector) {
        (Some(n), Some(_)) => reject(
            ctx,
            obj,
            n,
            "`paramRef` sets both `name` and `selector`".into(),
            "Forbidden: name and selector are mutually exclusive",
            "keep `name` for one parameter object, or `selector` for all those it selects",
        ),
        (None, None) => reject(
            ctx,
            obj,
            pr,
            "`paramRef` sets neither `name` nor `selector`".into(),
            "Required value: one of name or selector must be specified",
            "name the parameter object, or select them with `selector: {}` (all in the namespace)",
        ),
        _ => {}
    }
    if let Some(sel) = selector {
        check_selector_expressions(ctx, obj, Some(sel), "paramRef selector");
    }
    match pr.get("parameterNotFoundAction") {
        None => {
            let d = ctx
                .diag(obj, pr.span, "`paramRef` has no `parameterNotFoundAction`".to_string())
                .with_help("the API server rejects it (`spec.paramRef.parameterNotFoundAction: Required value`); add `parameterNotFoundAction: Deny` (requests fail under the policy's failurePolicy when no parameter exists) or `Allow`");
            ctx.push(d);
        }
        Some(n) if n.as_str() == Some("") => reject(ctx, obj, n, "`parameterNotFoundAction` is empty".into(), "Required value", "use `Deny` or `Allow`"),
        Some(_) => enum_value(ctx, obj, pr, "parameterNotFoundAction", &["Deny", "Allow"]),
    }
}

/// `validateValidationActions`: known, unique, not both `Deny` and `Warn`, at least one.
fn validation_actions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    // Absent, the schema stage reports the required field.
    let Some(list) = spec.get("validationActions").filter(|l| l.is_seq()) else {
        return;
    };
    let items = list.items();
    if items
        .iter()
        .any(|n| n.as_str().is_some_and(crate::model::fields::is_templated))
    {
        return;
    }
    let mut seen = HashSet::new();
    for n in items {
        let Some(a) = n.as_str() else { continue };
        if !ACTIONS.contains(&a) {
            let help = match crate::model::names::did_you_mean(a, ACTIONS) {
                Some(s) => format!("did you mean `{s}`? (values are case-sensitive)"),
                None => "use `Deny` (reject the request), `Warn` (a warning to the client) or `Audit` (an audit event)".to_string(),
            };
            reject(ctx, obj, n, format!("`{a}` is not a validation action"), &format!("Unsupported value: \"{a}\""), &help);
        }
        if !seen.insert(a) {
            reject(ctx, obj, n, format!("validation action `{a}` is listed twice"), &format!("Duplicate value: \"{a}\""), "remove one of them");
        }
    }
    if seen.contains("Deny") && seen.contains("Warn") {
        reject(
            ctx,
            obj,
            list,
            "`validationActions` holds both `Deny` and `Warn`".into(),
            "Invalid value: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
            "keep `Deny` (the client sees the failure in the rejection) or `Warn` (the request passes with a warning)",
        );
    }
    if items.is_empty() {
        reject(
            ctx,
            obj,
            list,
            "`validationActions` is empty: the binding does nothing".into(),
            "Required value: at least one validation action is required",
            "add `Deny` to reject failing requests (or `Warn`, `Audit`)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_cel_identifier;

    #[test]
    fn cel_identifiers() {
        for ok in ["replicas", "_x", "maxReplicas2", "inner"] {
            assert!(is_cel_identifier(ok), "{ok}");
        }
        for bad in ["", "max-replicas", "2x", "in", "namespace", "true", "a.b"] {
            assert!(!is_cel_identifier(bad), "{bad}");
        }
    }
}
