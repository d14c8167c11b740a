//! `hpa-spec-invalid`: `ValidateHorizontalPodAutoscalerSpec` (pkg/apis/autoscaling/validation)
//! for autoscaling/v1 and v2: replica bounds, metric sources and targets, scaling behavior.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "hpa-spec-invalid",
    severity: Severity::Error,
    category: Category::Autoscaling,
    summary: "A HorizontalPodAutoscaler the API server rejects (minReplicas < 1, maxReplicas < minReplicas, a metric without its source or target value, bad behavior policies)",
    fix: false,
    doc: include_str!("../../../rules/hpa-spec-invalid.md"),
    check: Check::Object(check),
};

const METRIC_TYPES: &[(&str, &str)] = &[
    ("Object", "object"),
    ("Pods", "pods"),
    ("Resource", "resource"),
    ("ContainerResource", "containerResource"),
    ("External", "external"),
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" || obj.group() != "autoscaling" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let min = spec.get("minReplicas").filter(|n| !n.is_null());
    let max = spec.get("maxReplicas");
    if let Some(m) = min {
        if let Some(v) = m.as_i64().filter(|v| *v < 1) {
            reject(
                ctx,
                obj,
                m,
                format!("`minReplicas: {v}` is less than 1"),
                "Invalid value: must be greater than or equal to 1",
                "use 1 or more (scaling to zero needs the alpha HPAScaleToZero feature gate and an Object or External metric)",
            );
        }
    }
    if let Some(mx) = max {
        if let Some(v) = mx.as_i64() {
            if v < 1 {
                reject(ctx, obj, mx, format!("`maxReplicas: {v}` is less than 1"), "Invalid value: must be greater than 0", "use 1 or more");
            } else if let Some(mv) = min.and_then(Node::as_i64).filter(|mv| *mv >= 1 && v < *mv) {
                let min_span = min.map_or(mx.span, |m| m.span);
                reject_pair(
                    ctx,
                    obj,
                    mx,
                    min_span,
                    format!("`minReplicas` is {mv}"),
                    format!("`maxReplicas: {v}` is less than `minReplicas: {mv}`"),
                    "Invalid value: must be greater than or equal to `minReplicas`",
                    "raise `maxReplicas` or lower `minReplicas`",
                );
            }
        }
    }
    if let Some(t) = spec.get("targetCPUUtilizationPercentage") {
        if let Some(v) = t.as_i64().filter(|v| *v < 1) {
            reject(ctx, obj, t, format!("`targetCPUUtilizationPercentage: {v}` is less than 1"), "Invalid value: must be greater than or equal to 1", "use a percentage of the CPU request, 1 or more");
        }
    }
    if let Some(r) = spec.get("scaleTargetRef") {
        for key in ["kind", "name"] {
            let Some(n) = r.get(key) else { continue };
            let Some(v) = judged_str(n) else { continue };
            let errs = crate::model::names::path_segment_name(v);
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("`scaleTargetRef.{key}: {v}` {}", errs.join("; ")),
                    "Invalid value: may not contain '/' or '%', or be '.' or '..'",
                    "name the scaled object as in its own `kind` and `metadata.name`",
                );
            }
        }
    }
    for m in spec.get("metrics").map(Node::items).unwrap_or_default() {
        metric(ctx, obj, m);
    }
    if let Some(b) = spec.get("behavior").filter(|n| n.is_map()) {
        for dir in ["scaleUp", "scaleDown"] {
            if let Some(rules) = b.get(dir).filter(|n| n.is_map()) {
                scaling_rules(ctx, obj, rules);
            }
        }
    }
}

/// `validateMetricSpec`: the source named by `type` is set and no other.
fn metric(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, m: &Node) {
    let Some(ty_node) = m.get("type") else { return };
    let Some(ty) = judged_str(ty_node) else { return };
    let Some(&(_, field)) = METRIC_TYPES.iter().find(|(t, _)| *t == ty) else {
        let allowed: Vec<&str> = METRIC_TYPES.iter().map(|(t, _)| *t).collect();
        enum_value(ctx, obj, m, "type", &allowed);
        return;
    };
    for (_, other) in METRIC_TYPES.iter().filter(|(_, f)| *f != field) {
        if let Some(o) = m.get(other).filter(|n| !n.is_null()) {
            reject_pair(
                ctx,
                obj,
                o,
                ty_node.span,
                format!("the metric `type` is `{ty}`"),
                format!("a `{ty}` metric also sets `{other}`"),
                "Forbidden: must populate the given metric source only",
                &format!("keep only `{field}`, or change `type`"),
            );
        }
    }
    let Some(source) = m.get(field).filter(|n| n.is_map()) else {
        reject(
            ctx,
            obj,
            ty_node,
            format!("a `{ty}` metric has no `{field}`"),
            "Required value: must populate information for the given metric source",
            &format!("add `{field}` with the metric and its target"),
        );
        return;
    };
    if let Some(target) = source.get("target").filter(|n| n.is_map()) {
        metric_target(ctx, obj, target, ty);
    }
}

/// `validateMetricTarget` and the per-source checks (`validateResourceSource`, ...): the
/// value fields each source needs, whatever the target `type` says.
fn metric_target(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, target: &Node, metric_type: &str) {
    if let Some(t_node) = target.get("type") {
        if let Some(t) = judged_str(t_node) {
            if !matches!(t, "Utilization" | "Value" | "AverageValue") {
                reject(
                    ctx,
                    obj,
                    t_node,
                    format!("`type: {t}` is not a metric target type"),
                    "Invalid value: must be either Utilization, Value, or AverageValue",
                    "use `Utilization`, `Value` or `AverageValue`",
                );
            }
        }
    }
    let set = |k: &str| target.get(k).filter(|n| !n.is_null());
    for key in ["value", "averageValue"] {
        let Some(n) = set(key) else { continue };
        if let Some(Ok(q)) = crate::model::quantity::from_node(n) {
            if q.value <= 0.0 {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("`{key}: {}` is not positive", n.text().unwrap_or("")),
                    "Invalid value: must be positive",
                    "use a target above 0",
                );
            }
        }
    }
    if let Some(u) = set("averageUtilization") {
        if let Some(v) = u.as_i64().filter(|v| *v < 1) {
            reject(ctx, obj, u, format!("`averageUtilization: {v}` is less than 1"), "Invalid value: must be greater than 0", "use a percentage of the request, 1 or more");
        }
    }
    let (needed, server): (&[&str], &str) = match metric_type {
        "Resource" | "ContainerResource" => (
            &["averageUtilization", "averageValue"],
            "Required value: must set either a target raw value or a target utilization",
        ),
        "Object" | "External" => (
            &["value", "averageValue"],
            "Required value: must set either a target value or average value",
        ),
        "Pods" => (&["averageValue"], "Required value: must specify a positive target averageValue"),
        _ => return,
    };
    if needed.iter().all(|k| set(k).is_none()) {
        let fields = needed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" or ");
        reject(
            ctx,
            obj,
            target,
            format!("the target of a `{metric_type}` metric sets none of {fields}"),
            server,
            &format!("add {fields} (the one matching the target `type`)"),
        );
    }
    if matches!(metric_type, "Resource" | "ContainerResource") {
        if let (Some(u), Some(v)) = (set("averageUtilization"), set("averageValue")) {
            reject_pair(
                ctx,
                obj,
                v,
                u.span,
                "`averageUtilization` is set here".into(),
                "the target sets both `averageUtilization` and `averageValue`".into(),
                "Forbidden: may not set both a target raw value and a target utilization",
                "keep the one matching the target `type`",
            );
        }
    }
}

/// `validateScalingRules`.
fn scaling_rules(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, rules: &Node) {
    enum_value(ctx, obj, rules, "selectPolicy", &["Max", "Min", "Disabled"]);
    if let Some(w) = rules.get("stabilizationWindowSeconds") {
        if let Some(v) = w.as_i64().filter(|v| !(0..=3600).contains(v)) {
            reject(ctx, obj, w, format!("`stabilizationWindowSeconds: {v}` is outside 0..3600"), "Invalid value: must be between 0 and 3600", "use 0 to 3600 seconds");
        }
    }
    for p in rules.get("policies").map(Node::items).unwrap_or_default() {
        enum_value(ctx, obj, p, "type", &["Pods", "Percent"]);
        if let Some(v) = p.get("value") {
            if let Some(n) = v.as_i64().filter(|n| *n <= 0) {
                reject(ctx, obj, v, format!("a scaling policy `value: {n}` is not positive"), "Invalid value: must be greater than zero", "use 1 or more");
            }
        }
        if let Some(ps) = p.get("periodSeconds") {
            if let Some(n) = ps.as_i64().filter(|n| !(1..=1800).contains(n)) {
                reject(ctx, obj, ps, format!("a scaling policy `periodSeconds: {n}` is outside 1..1800"), "Invalid value: must be greater than zero and less than or equal to 1800", "use 1 to 1800 seconds");
            }
        }
    }
}
