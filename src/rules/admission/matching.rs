//! What admission webhooks and admission policies share: which requests they match
//! (`validateRuleWithOperations`, `validateMatchResources`, label selectors) and their
//! `matchConditions`, as `pkg/apis/admissionregistration/validation` checks them after the v1
//! defaults (`scope: "*"`, `matchPolicy: Equivalent`, empty selectors).

use std::collections::HashSet;

use crate::model::names::{did_you_mean, one_of, path_segment_name, qualified_name};
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject};
use crate::rules::scheduling::pod_affinity_invalid::check_selector_expressions;
use crate::rules::Ctx;
use crate::yaml::Node;

const OPERATIONS: &[&str] = &["*", "CREATE", "UPDATE", "DELETE", "CONNECT"];
const SCOPES: &[&str] = &["*", "Cluster", "Namespaced"];
pub const MATCH_POLICIES: &[&str] = &["Exact", "Equivalent"];
pub const FAILURE_POLICIES: &[&str] = &["Fail", "Ignore"];
/// Most `matchConditions` an object may have.
const MAX_MATCH_CONDITIONS: usize = 64;

/// A list field as the server decodes it: `None` when absent or `null` (Go's nil slice),
/// `Some` of its items when a list; a value of another type is the schema stage's finding
/// (or unrendered templating), so the rule leaves it alone.
fn list<'n>(map: &'n Node, key: &str) -> Option<Option<&'n [Node]>> {
    match map.get(key) {
        None => Some(None),
        Some(n) if n.is_null() => Some(None),
        Some(n) if n.is_seq() => Some(Some(n.items())),
        Some(_) => None,
    }
}

/// A required list: the list when it has items; when it is absent or empty, reported at the
/// list, or at the mapping when absent, in the server's `Required value`.
fn required_list<'n>(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    map: &'n Node,
    key: &str,
    what: &str,
    help: &str,
) -> Option<&'n Node> {
    let items = list(map, key)?;
    match items {
        Some(items) if !items.is_empty() => map.get(key),
        _ => {
            let node = map.get(key).unwrap_or(map);
            let message = if map.get(key).is_some() {
                format!("`{key}` is empty: {what}")
            } else {
                format!("`{key}` is missing: {what}")
            };
            reject_at_key(ctx, obj, map, key, node, message, "Required value", help);
            None
        }
    }
}

/// [`reject`] at `node`, whose path is `map`'s plus `key` when `node` is `map` itself (the
/// key is absent, so the server's path names a field the text lacks).
#[allow(clippy::too_many_arguments)]
fn reject_at_key(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    map: &Node,
    key: &str,
    node: &Node,
    message: String,
    server: &str,
    help: &str,
) {
    if std::ptr::eq(node, map) {
        let base = crate::rules::api::path(obj, map);
        let server = server.replace('`', "'");
        let d = ctx.diag(obj, map.span, message).with_help(format!(
            "the API server rejects it (`{base}.{key}: {server}`); {help}"
        ));
        ctx.push(d);
    } else {
        reject(ctx, obj, node, message, server, help);
    }
}

/// A list holding `*` must hold nothing else.
fn wildcard_alone(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, list: &Node, what: &str) {
    let items = list.items();
    if items.len() > 1 && items.iter().any(|n| n.as_str() == Some("*")) {
        reject(
            ctx,
            obj,
            list,
            format!("`*` stands for all {what}, so the list may hold nothing else"),
            &format!("Invalid value: if '*' is present, must not specify other {what}"),
            &format!("keep `*` alone, or list the {what} without it"),
        );
    }
}

/// `validateRuleWithOperations`: a webhook's `rules[]` entry, a policy's `resourceRules[]`.
pub fn rule_with_operations(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rule: &Node) {
    if !rule.is_map() {
        return;
    }
    if let Some(ops) = required_list(
        ctx,
        obj,
        rule,
        "operations",
        "the rule matches no request",
        "list the operations to intercept (`CREATE`, `UPDATE`, `DELETE`, `CONNECT`), or `*` for all",
    ) {
        wildcard_alone(ctx, obj, ops, "operations");
        for op in ops.items() {
            let Some(v) = judged_str(op) else { continue };
            if OPERATIONS.contains(&v) {
                continue;
            }
            let help = match did_you_mean(v, OPERATIONS) {
                Some(s) => format!("did you mean `{s}`? (operations are upper-case)"),
                None => format!("use {}", one_of(OPERATIONS)),
            };
            reject(
                ctx,
                obj,
                op,
                format!("`{v}` is not an admission operation"),
                &format!("Unsupported value: \"{v}\""),
                &help,
            );
        }
    }
    if let Some(groups) = required_list(
        ctx,
        obj,
        rule,
        "apiGroups",
        "the rule matches no API group",
        "list the API groups (`\"\"` for the core group, `apps`, ...), or `*` for all",
    ) {
        wildcard_alone(ctx, obj, groups, "API groups");
    }
    if let Some(versions) = required_list(
        ctx,
        obj,
        rule,
        "apiVersions",
        "the rule matches no API version",
        "list the versions (`v1`, ...), or `*` for all",
    ) {
        wildcard_alone(ctx, obj, versions, "API versions");
        for v in versions.items().iter().filter(|v| v.as_str() == Some("")) {
            reject(
                ctx,
                obj,
                v,
                "an empty API version".into(),
                "Required value",
                "write the version (`v1`), or `*` for all",
            );
        }
    }
    if let Some(resources) = required_list(
        ctx,
        obj,
        rule,
        "resources",
        "the rule matches no resource",
        "list the resources in the plural (`pods`, `deployments`, `pods/exec`), or `*` for all",
    ) {
        resources_with_subresources(ctx, obj, resources);
    }
    enum_value(ctx, obj, rule, "scope", SCOPES);
}

/// `validateResources`: `resource` or `resource/subresource` entries and their wildcards.
fn resources_with_subresources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, list: &Node) {
    let items = list.items();
    let mut any_sub_of: HashSet<&str> = HashSet::new(); // `x/*`
    let mut sub_of_any: HashSet<&str> = HashSet::new(); // `*/x`
    let (mut double, mut single, mut plain) = (false, false, false);
    for item in items {
        let Some(rs) = item.as_str() else { continue };
        if rs.is_empty() {
            reject(
                ctx,
                obj,
                item,
                "an empty resource".into(),
                "Required value",
                "write the resource in the plural (`pods`), or `*` for all",
            );
            continue;
        }
        if judged_str(item).is_none() {
            return;
        }
        double |= rs == "*/*";
        single |= rs == "*";
        let Some((res, sub)) = rs.split_once('/') else {
            // As the server has it: the last entry without a subresource decides.
            plain = rs != "*";
            continue;
        };
        if any_sub_of.contains(res) {
            reject(
                ctx,
                obj,
                item,
                format!("`{rs}` is already matched by `{res}/*`"),
                &format!("Invalid value: \"{rs}\": if '{res}/*' is present, must not specify {rs}"),
                &format!("remove `{rs}`"),
            );
        }
        if sub_of_any.contains(sub) {
            reject(
                ctx,
                obj,
                item,
                format!("`{rs}` is already matched by `*/{sub}`"),
                &format!("Invalid value: \"{rs}\": if '*/{sub}' is present, must not specify {rs}"),
                &format!("remove `{rs}`"),
            );
        }
        if sub == "*" {
            any_sub_of.insert(res);
        }
        if res == "*" {
            sub_of_any.insert(sub);
        }
    }
    if items.len() > 1 && double {
        reject(
            ctx,
            obj,
            list,
            "`*/*` matches every resource and subresource, so the list may hold nothing else".into(),
            "Invalid value: if '*/*' is present, must not specify other resources",
            "keep `*/*` alone",
        );
    }
    if single && plain {
        reject(
            ctx,
            obj,
            list,
            "`*` matches every resource, so the list may not also name resources without a subresource".into(),
            "Invalid value: if '*' is present, must not specify other resources without subresources",
            "keep `*` (with any `x/subresource` entries), or list the resources without it",
        );
    }
}

/// `validateNamedRuleWithOperations`: a policy's rule, with optional `resourceNames`.
pub fn named_rule_with_operations(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rule: &Node) {
    let mut seen = HashSet::new();
    for n in rule.get("resourceNames").map(Node::items).unwrap_or_default() {
        let Some(name) = n.as_str() else { continue };
        let errs = path_segment_name(name);
        if !errs.is_empty() {
            reject(
                ctx,
                obj,
                n,
                format!("resource name `{name}` is not valid: {}", errs.join("; ")),
                &format!("Invalid value: \"{name}\": {}", errs.join(", ")),
                "write the object's name as it is stored",
            );
        }
        if !seen.insert(name) {
            reject(
                ctx,
                obj,
                n,
                format!("resource name `{name}` is listed twice"),
                &format!("Duplicate value: \"{name}\""),
                "remove one of them",
            );
        }
    }
    rule_with_operations(ctx, obj, rule);
}

/// `validateMatchResources` after the defaults: the policies' `matchConstraints` and a
/// binding's `matchResources`.
pub fn match_resources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, mr: &Node) {
    enum_value(ctx, obj, mr, "matchPolicy", MATCH_POLICIES);
    selectors(ctx, obj, mr);
    for key in ["resourceRules", "excludeResourceRules"] {
        for rule in mr.get(key).map(Node::items).unwrap_or_default() {
            named_rule_with_operations(ctx, obj, rule);
        }
    }
}

/// The `matchExpressions` of `namespaceSelector` and `objectSelector` (`ValidateLabelSelector`;
/// the keys and values themselves are `invalid-label`'s).
pub fn selectors(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node) {
    check_selector_expressions(ctx, obj, map.get("namespaceSelector"), "namespaceSelector");
    check_selector_expressions(ctx, obj, map.get("objectSelector"), "objectSelector");
}

/// `validateMatchConditions` without compiling the CEL: at most 64, names present, qualified
/// and unique, expressions present.
pub fn match_conditions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node) {
    let Some(list) = map.get("matchConditions").filter(|n| n.is_seq()) else {
        return;
    };
    crate::rules::api::too_many(ctx, obj, list, MAX_MATCH_CONDITIONS, "match conditions");
    let mut names = HashSet::new();
    for cond in list.items().iter().filter(|c| c.is_map()) {
        match cond.get("name").and_then(Node::as_str) {
            Some("") => reject(
                ctx,
                obj,
                cond.get("name").unwrap_or(cond),
                "a match condition has an empty `name`".into(),
                "Required value",
                "name it (`exclude-leases`); the name appears in the server's messages",
            ),
            Some(name) => {
                let errs = qualified_name(name);
                if !errs.is_empty() && judged_str(cond.get("name").unwrap_or(cond)).is_some() {
                    reject(
                        ctx,
                        obj,
                        cond.get("name").unwrap_or(cond),
                        format!("match condition name `{name}` is not valid: {}", errs.join("; ")),
                        &format!("Invalid value: \"{name}\": {}", errs.join(", ")),
                        "use letters, digits, `-`, `_` and `.` (such as `exclude-leases`)",
                    );
                } else if !names.insert(name) {
                    reject(
                        ctx,
                        obj,
                        cond.get("name").unwrap_or(cond),
                        format!("match condition `{name}` is defined twice"),
                        &format!("Duplicate value: \"{name}\""),
                        "give each condition its own name",
                    );
                }
            }
            None => {}
        }
        blank_expression(ctx, obj, cond, "expression", "a match condition");
    }
}

/// A webhook's match conditions may not read `params`: webhooks have no parameters, and the
/// API server's compilation fails (`undeclared reference to 'params'`).
pub fn webhook_condition_params(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, hook: &Node) {
    for cond in hook.get("matchConditions").map(Node::items).unwrap_or_default() {
        let Some(e) = cond.get("expression") else { continue };
        if judged_str(e).is_some_and(|t| cel_refs(t).params) {
            reject(
                ctx,
                obj,
                e,
                "a webhook's match condition reads `params`, which webhooks do not have".into(),
                "Invalid value: compilation failed: undeclared reference to 'params'",
                "match on `object`, `oldObject`, `request` or `authorizer`; parameters belong to ValidatingAdmissionPolicies",
            );
        }
    }
}

/// An expression field present but blank: the server trims it and requires it.
pub fn blank_expression(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, key: &str, what: &str) {
    if let Some(n) = map.get(key) {
        if n.as_str().is_some_and(|s| s.trim().is_empty()) {
            reject(
                ctx,
                obj,
                n,
                format!("{what} has an empty `{key}`"),
                "Required value",
                "write the CEL expression",
            );
        }
    }
}

/// What a CEL expression refers to among the names an admission object declares: whether it
/// reads `params`, and the `variables.<name>` it reads. Read from the tokens outside string
/// literals, without parsing the expression.
#[derive(Debug, Default, PartialEq)]
pub struct CelRefs<'e> {
    pub params: bool,
    pub variables: Vec<&'e str>,
}

pub fn cel_refs(expr: &str) -> CelRefs<'_> {
    let bytes = expr.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut refs = CelRefs::default();
    let (mut i, mut quote, mut escaped) = (0, None::<u8>, false);
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'\'' || b == b'"' {
            quote = Some(b);
            i += 1;
            continue;
        }
        if !ident(b) || (i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && ident(bytes[i]) {
            i += 1;
        }
        // A word starting with a digit is a number (`1e3`), not an identifier.
        if bytes[start].is_ascii_digit() {
            continue;
        }
        match &expr[start..i] {
            "params" => refs.params = true,
            "variables" if bytes.get(i) == Some(&b'.') => {
                let from = i + 1;
                let mut end = from;
                while end < bytes.len() && ident(bytes[end]) {
                    end += 1;
                }
                if end > from {
                    refs.variables.push(&expr[from..end]);
                }
                i = end;
            }
            _ => {}
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::{cel_refs, CelRefs};

    #[test]
    fn references_outside_string_literals() {
        assert_eq!(
            cel_refs("object.spec.replicas <= params.max && variables.limit > 0"),
            CelRefs { params: true, variables: vec!["limit"] }
        );
        assert_eq!(cel_refs("'params' + \"variables.x\""), CelRefs::default());
        assert_eq!(cel_refs("object.params.x + self.variables.y"), CelRefs::default());
        assert!(cel_refs("has(params.spec) ? 1 : 2").params);
        assert!(!cel_refs("myparams + params_x").params);
        assert!(cel_refs("'it\\'s' + params.a").params);
    }
}
