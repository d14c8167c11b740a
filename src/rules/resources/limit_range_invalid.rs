//! `limit-range-invalid`: LimitRanges the API server rejects (`ValidateLimitRange`, after
//! `SetDefaults_LimitRangeItem`): unknown limit types and resource names, a type listed
//! twice, defaults on a `Pod` limit, a claim limit without a storage bound, and bounds that
//! contradict each other (min above max, defaults outside them, a ratio below 1 or above
//! max/min).

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Severity;
use crate::model::names::{did_you_mean, qualified_name};
use crate::model::quantity::{from_node, greater};
use crate::model::resource_names;
use crate::model::Object;
use crate::rules::api::{judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "limit-range-invalid",
    severity: Severity::Error,
    category: Category::Resources,
    summary: "A LimitRange the API server rejects: an unknown type or resource, a type listed twice, defaults on a Pod limit, min above max, a default outside min and max, a maxLimitRequestRatio below 1 or above max/min",
    fix: false,
    doc: include_str!("../../../rules/limit-range-invalid.md"),
    check: Check::Object(check),
};

const TYPES: &[&str] = &["Pod", "Container", "PersistentVolumeClaim"];
const FIELDS: &[&str] = &["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "LimitRange" || obj.group() != "" {
        return;
    }
    let Some(limits) = obj.root.get("spec").and_then(|s| s.get("limits")) else {
        return;
    };
    let mut types: HashMap<&str, &Node> = HashMap::new();
    for item in limits.items().iter().filter(|i| i.is_map()) {
        let ty_node = item.get("type");
        let Some(ty) = ty_node.and_then(judged_str) else {
            continue;
        };
        let ty_node = ty_node.unwrap_or(item);
        if !type_name(ctx, obj, ty_node, ty) {
            continue;
        }
        if let Some(first) = types.insert(ty, ty_node) {
            reject_pair(
                ctx,
                obj,
                ty_node,
                first.span,
                "first listed here".into(),
                format!("the limit type `{ty}` is listed twice"),
                &format!("Duplicate value: {ty:?}"),
                "merge the two items into one",
            );
        }
        item_limits(ctx, obj, item, ty);
    }
}

/// `validateLimitRangeTypeName`: a qualified name, and a standard type unless it has a domain.
fn type_name(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node, ty: &str) -> bool {
    let errs = qualified_name(ty);
    let problem = match errs.first() {
        Some(e) => e.clone(),
        None if ty.contains('/') || TYPES.contains(&ty) => return true,
        None => "must be a standard limit type or fully qualified".to_string(),
    };
    let hint = did_you_mean(ty, TYPES)
        .map(|t| format!("did you mean `{t}`? "))
        .unwrap_or_default();
    reject(
        ctx,
        obj,
        node,
        format!("`{ty}` is not a limit type"),
        &format!("Invalid value: {ty:?}: {problem}"),
        &format!("{hint}a LimitRange item's `type` is `Container`, `Pod` or `PersistentVolumeClaim`"),
    );
    false
}

/// A bound of one resource: its amount and where it was written (after defaulting, the
/// field it was copied from).
#[derive(Clone, Copy)]
struct Bound<'a> {
    value: f64,
    text: &'a str,
    node: &'a Node,
    /// The field holding it in the manifest.
    written: &'static str,
}

impl Bound<'_> {
    fn describe(&self, field: &str, resource: &str) -> String {
        if self.written == field {
            format!("`{field}.{resource}` ({})", self.text)
        } else {
            format!(
                "`{field}.{resource}` ({}, copied from `{}.{resource}`)",
                self.text, self.written
            )
        }
    }
}

fn item_limits(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, item: &Node, ty: &str) {
    let mut bounds: [HashMap<&str, Bound<'_>>; 5] = Default::default();
    let mut keys: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, field) in FIELDS.iter().enumerate() {
        let Some(map) = item.get(field) else { continue };
        let entries = map.entries();
        if ty == "Pod" && matches!(*field, "default" | "defaultRequest") && !entries.is_empty() {
            let key = item.entry(field).map_or(map, |e| &e.key);
            reject(
                ctx,
                obj,
                key,
                format!("a `Pod` limit cannot set `{field}`"),
                "Forbidden: may not be specified when `type` is 'Pod'",
                "defaults apply to containers: move them to an item of `type: Container`",
            );
            continue;
        }
        for e in entries {
            let Some(name) = e.key.key_text() else { continue };
            if crate::model::fields::is_templated(name) {
                continue;
            }
            if let Some(problem) = resource_name_problem(ty, name) {
                reject(
                    ctx,
                    obj,
                    &e.key,
                    format!("`{name}` in `{field}` of a `{ty}` limit is not a resource it can bound"),
                    &format!("Invalid value: {name:?}: {problem}"),
                    if matches!(ty, "Pod" | "Container") {
                        "a Pod or Container limit bounds `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or an extended resource with a domain (`example.com/gpu`)"
                    } else {
                        "use a standard resource such as `storage`, or a name with a domain"
                    },
                );
                continue;
            }
            if seen.insert(name) {
                keys.push(name);
            }
            if let (Some(Ok(q)), Some(text)) = (from_node(&e.value), e.value.text()) {
                bounds[i].insert(
                    name,
                    Bound {
                        value: q.value,
                        text,
                        node: &e.value,
                        written: field,
                    },
                );
            }
        }
    }
    let has_storage = |f: &str| item.get(f).is_some_and(|m| m.get("storage").is_some());
    if ty == "PersistentVolumeClaim" && !has_storage("max") && !has_storage("min") {
        reject(
            ctx,
            obj,
            item.get("type").unwrap_or(item),
            "a `PersistentVolumeClaim` limit sets neither `min.storage` nor `max.storage`".into(),
            "Required value: either minimum or maximum storage value is required, but neither was provided",
            "bound the claims' size with `min.storage`, `max.storage` or both",
        );
    }
    let [max, min, default, default_request, ratio] = &mut bounds;
    if ty == "Container" {
        // `SetDefaults_LimitRangeItem`: max -> default -> defaultRequest, then min -> defaultRequest.
        for (k, b) in max.iter() {
            default.entry(k).or_insert(*b);
        }
        for (k, b) in default.iter() {
            default_request.entry(k).or_insert(*b);
        }
        for (k, b) in min.iter() {
            default_request.entry(k).or_insert(*b);
        }
    }
    let mut reported: HashSet<(Span, Span)> = HashSet::new();
    for k in keys {
        let (mn, mx, d, dr, r) = (min.get(k), max.get(k), default.get(k), default_request.get(k), ratio.get(k));
        let mut pair = |ctx: &mut Ctx<'_, '_>, subject: Bound<'_>, s_field: &str, other: Bound<'_>, o_field: &str, server: String, help: &str| {
            if subject.node.span == other.node.span || !reported.insert((subject.node.span, other.node.span)) {
                return;
            }
            reject_pair(
                ctx,
                obj,
                subject.node,
                other.node.span,
                format!("{} is here", other.describe(o_field, k)),
                format!(
                    "{} is greater than {}",
                    subject.describe(s_field, k),
                    other.describe(o_field, k)
                ),
                &server,
                help,
            );
        };
        if let (Some(&a), Some(&b)) = (mn, mx) {
            if greater(a.value, b.value) {
                pair(ctx, a, "min", b, "max", format!("Invalid value: {:?}: min value {} is greater than max value {}", a.text, a.text, b.text), "the minimum must not exceed the maximum");
            }
        }
        // The bounds as written first, then the copies: a pair already reported through
        // a copy of one of its values is not reported again.
        if let (Some(&a), Some(&b)) = (d, mx) {
            if greater(a.value, b.value) {
                pair(ctx, a, "default", b, "max", format!("Invalid value: {:?}: default value {} is greater than max value {}", b.text, a.text, b.text), "a container given the default limit would be above the maximum");
            }
        }
        if let (Some(&a), Some(&b)) = (mn, d) {
            if greater(a.value, b.value) {
                pair(ctx, a, "min", b, "default", format!("Invalid value: {:?}: min value {} is greater than default value {}", a.text, a.text, b.text), "a container given the default limit would be below the minimum");
            }
        }
        if let (Some(&a), Some(&b)) = (dr, mx) {
            if greater(a.value, b.value) {
                pair(ctx, a, "defaultRequest", b, "max", format!("Invalid value: {:?}: default request value {} is greater than max value {}", a.text, a.text, b.text), "a container given the default request would be above the maximum");
            }
        }
        if let (Some(&a), Some(&b)) = (mn, dr) {
            if greater(a.value, b.value) {
                pair(ctx, a, "min", b, "defaultRequest", format!("Invalid value: {:?}: min value {} is greater than default request value {}", b.text, a.text, b.text), "a container given the default request would be below the minimum; raise `defaultRequest` or lower `min`");
            }
        }
        if let (Some(&a), Some(&b)) = (dr, d) {
            if greater(a.value, b.value) {
                pair(ctx, a, "defaultRequest", b, "default", format!("Invalid value: {:?}: default request value {} is greater than default limit value {}", a.text, a.text, b.text), "a container given both defaults would request more than its limit");
            }
        }
        if let Some(&r) = r {
            ratio_bounds(ctx, obj, k, r, mn.copied(), mx.copied());
        }
        if let (Some(&a), Some(&b)) = (d, dr) {
            let overcommit = resource_names::is_native(k) && !resource_names::is_hugepages(k);
            if !overcommit && (greater(a.value, b.value) || greater(b.value, a.value)) {
                reject_pair(
                    ctx,
                    obj,
                    b.node,
                    a.node.span,
                    format!("{} is here", a.describe("default", k)),
                    format!("{} differs from {}", b.describe("defaultRequest", k), a.describe("default", k)),
                    &format!("Invalid value: {:?}: default value {} must equal to defaultRequest value {} in {k}", b.text, a.text, b.text),
                    &format!("`{k}` cannot be overcommitted, so a container's request must equal its limit; make the two defaults equal"),
                );
            }
        }
    }
}

/// `maxLimitRequestRatio`: at least 1, and at most what max and min leave room for.
fn ratio_bounds(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, k: &str, r: Bound<'_>, min: Option<Bound<'_>>, max: Option<Bound<'_>>) {
    if greater(1.0, r.value) {
        reject(
            ctx,
            obj,
            r.node,
            format!("`maxLimitRequestRatio.{k}` ({}) is less than 1", r.text),
            &format!("Invalid value: {:?}: ratio {} is less than 1", r.text, r.text),
            "the ratio is a container's limit over its request, which is at least 1; `1` forces requests to equal limits",
        );
        return;
    }
    let (Some(mn), Some(mx)) = (min, max) else { return };
    let room = mx.value / mn.value;
    if greater(r.value, room) {
        reject(
            ctx,
            obj,
            r.node,
            format!(
                "`maxLimitRequestRatio.{k}` ({}) is more than `max.{k}` over `min.{k}` ({} / {})",
                r.text, mx.text, mn.text
            ),
            &format!("Invalid value: {:?}: ratio {} is greater than max/min = {room:.6}", r.text, r.text),
            &format!(
                "no container within the bounds can reach that ratio; use at most {}, or widen the bounds",
                format!("{room:.6}").trim_end_matches('0').trim_end_matches('.')
            ),
        );
    }
}

/// `validateLimitRangeResourceName`: a container resource for Pod and Container limits, any
/// standard or domain-qualified resource for the others.
fn resource_name_problem(ty: &str, name: &str) -> Option<String> {
    if matches!(ty, "Pod" | "Container") {
        resource_names::container_resource_problem(name)
    } else {
        resource_names::resource_name_problem(name)
    }
}
