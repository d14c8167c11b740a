//! `apps-spec-invalid`: the non-pod parts of `ValidateDeploymentSpec`,
//! `ValidateStatefulSetSpec` and `ValidateDaemonSetSpec` (pkg/apis/apps/validation), after
//! the apps/v1 defaulting (`maxSurge`/`maxUnavailable` 25% for Deployments, `maxUnavailable: 1`
//! and `maxSurge: 0` for DaemonSets, `progressDeadlineSeconds: 600`). Replicas are
//! `negative-replicas`'s, the pod template the pod rules', volume claim templates
//! `pvc-spec-invalid`'s.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, int_or_percent, non_negative, reject, reject_pair, IntOrPercent};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "apps-spec-invalid",
    severity: Severity::Error,
    category: Category::Apps,
    summary: "A Deployment, StatefulSet or DaemonSet spec the API server rejects (strategy, maxSurge/maxUnavailable, progressDeadlineSeconds, podManagementPolicy, ...)",
    fix: false,
    doc: include_str!("../../../rules/apps-spec-invalid.md"),
    check: Check::Object(check),
};

/// apps/v1 `SetDefaults_Deployment`.
const DEFAULT_PROGRESS_DEADLINE: i64 = 600;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "apps" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    match obj.kind {
        "Deployment" => deployment(ctx, obj, spec),
        "StatefulSet" => statefulset(ctx, obj, spec),
        "DaemonSet" => daemonset(ctx, obj, spec),
        "ReplicaSet" => non_negative(ctx, obj, spec, "minReadySeconds"),
        _ => {}
    }
}

fn deployment(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    for key in ["minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"] {
        non_negative(ctx, obj, spec, key);
    }
    let min_ready = spec.get("minReadySeconds");
    let min_ready_v = min_ready.and_then(Node::as_i64).unwrap_or(0);
    match spec.get("progressDeadlineSeconds").filter(|n| !n.is_null()) {
        Some(pd) => {
            if let Some(v) = pd.as_i64().filter(|v| *v >= 0 && *v <= min_ready_v) {
                let min_span = min_ready.map_or(pd.span, |m| m.span);
                reject_pair(
                    ctx,
                    obj,
                    pd,
                    min_span,
                    format!("`minReadySeconds` is {min_ready_v}"),
                    format!("`progressDeadlineSeconds: {v}` is not greater than `minReadySeconds: {min_ready_v}`"),
                    "Invalid value: must be greater than minReadySeconds",
                    "a rollout must be able to make progress before its deadline; raise `progressDeadlineSeconds` above `minReadySeconds`",
                );
            }
        }
        None => {
            if let Some(m) = min_ready.filter(|_| min_ready_v >= DEFAULT_PROGRESS_DEADLINE) {
                reject(
                    ctx,
                    obj,
                    m,
                    format!("`minReadySeconds: {min_ready_v}` is not less than the default `progressDeadlineSeconds` ({DEFAULT_PROGRESS_DEADLINE})"),
                    "Invalid value: must be greater than minReadySeconds (spec.progressDeadlineSeconds, defaulted to 600)",
                    "set `progressDeadlineSeconds` above `minReadySeconds`",
                );
            }
        }
    }
    let Some(strategy) = spec.get("strategy").filter(|n| n.is_map()) else {
        return;
    };
    enum_value(ctx, obj, strategy, "type", &["Recreate", "RollingUpdate"]);
    let ty = strategy.get("type").and_then(Node::as_str).unwrap_or("");
    let rolling = strategy.get("rollingUpdate").filter(|n| !n.is_null());
    if ty == "Recreate" {
        if let (Some(r), Some(t)) = (rolling, strategy.get("type")) {
            reject_pair(
                ctx,
                obj,
                r,
                t.span,
                "the strategy is `Recreate` here".into(),
                "`rollingUpdate` is set but the strategy `type` is `Recreate`".into(),
                "Forbidden: may not be specified when strategy `type` is 'Recreate'",
                "remove `rollingUpdate`, or use `type: RollingUpdate`",
            );
        }
        return;
    }
    if let Some(r) = rolling {
        rolling_update(ctx, obj, r);
    }
}

/// `ValidateRollingUpdateDeployment`: both fields valid int-or-percent, `maxUnavailable` at
/// most 100%, not both zero (after defaulting both to 25%).
fn rolling_update(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, r: &Node) {
    let (default_unavailable, default_surge) = (IntOrPercent::Percent(25), IntOrPercent::Percent(25));
    let unavailable = int_or_percent(ctx, obj, r, "maxUnavailable", true);
    let surge = int_or_percent(ctx, obj, r, "maxSurge", false);
    let unavailable_given = r.get("maxUnavailable").is_some_and(|n| !n.is_null());
    let surge_given = r.get("maxSurge").is_some_and(|n| !n.is_null());
    let u = if unavailable_given { unavailable } else { Some(default_unavailable) };
    let s = if surge_given { surge } else { Some(default_surge) };
    if let (Some(u), Some(s)) = (u, s) {
        if u.is_zero() && s.is_zero() {
            let (Some(node), other) = (r.get("maxUnavailable").or(r.get("maxSurge")), r.get("maxSurge")) else {
                return;
            };
            let other_span = other.map_or(node.span, |o| o.span);
            let label = if surge_given {
                "`maxSurge` is 0 here".to_string()
            } else {
                "`maxSurge` defaults to 0".to_string()
            };
            reject_pair(
                ctx,
                obj,
                node,
                other_span,
                label,
                "`maxUnavailable` and `maxSurge` are both 0: the rollout could never replace a Pod".into(),
                "Invalid value: may not be 0 when `maxSurge` is 0",
                "allow at least one of them above 0 (e.g. `maxSurge: 1`)",
            );
        }
    }
}

fn statefulset(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    // A negative `revisionHistoryLimit` is admitted with a warning (`workload-spec-warning`):
    // `ValidateStatefulSetSpec` does not check it, unlike the Deployment's and DaemonSet's.
    non_negative(ctx, obj, spec, "minReadySeconds");
    enum_value(ctx, obj, spec, "podManagementPolicy", &["OrderedReady", "Parallel"]);
    if let Some(ordinals) = spec.get("ordinals") {
        non_negative(ctx, obj, ordinals, "start");
    }
    if let Some(retention) = spec.get("persistentVolumeClaimRetentionPolicy") {
        for key in ["whenDeleted", "whenScaled"] {
            enum_value(ctx, obj, retention, key, &["Retain", "Delete"]);
        }
    }
    let Some(strategy) = spec.get("updateStrategy").filter(|n| n.is_map()) else {
        return;
    };
    enum_value(ctx, obj, strategy, "type", &["RollingUpdate", "OnDelete"]);
    let ty = strategy.get("type").and_then(Node::as_str).unwrap_or("");
    let Some(r) = strategy.get("rollingUpdate").filter(|n| !n.is_null()) else {
        return;
    };
    if ty == "OnDelete" {
        if let Some(t) = strategy.get("type") {
            reject_pair(
                ctx,
                obj,
                r,
                t.span,
                "the update strategy is `OnDelete` here".into(),
                "`rollingUpdate` is set but the update strategy `type` is `OnDelete`".into(),
                "Invalid value: only allowed for updateStrategy 'RollingUpdate'",
                "remove `rollingUpdate`, or use `type: RollingUpdate`",
            );
        }
        return;
    }
    non_negative(ctx, obj, r, "partition");
    // `maxUnavailable` is dropped before validation unless the MaxUnavailableStatefulSet
    // feature gate is on: not decidable from the manifest.
}

fn daemonset(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    for key in ["minReadySeconds", "revisionHistoryLimit"] {
        non_negative(ctx, obj, spec, key);
    }
    let Some(strategy) = spec.get("updateStrategy").filter(|n| n.is_map()) else {
        return;
    };
    enum_value(ctx, obj, strategy, "type", &["RollingUpdate", "OnDelete"]);
    let ty = strategy.get("type").and_then(Node::as_str).unwrap_or("RollingUpdate");
    if !matches!(ty, "RollingUpdate" | "") {
        return;
    }
    if let Some(r) = strategy.get("rollingUpdate").filter(|n| !n.is_null()) {
        rolling_update_daemonset(ctx, obj, r);
    }
}

/// `ValidateRollingUpdateDaemonSet`: exactly one of `maxUnavailable` (default 1) and
/// `maxSurge` (default 0) is non-zero, both at most 100%.
fn rolling_update_daemonset(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, r: &Node) {
    let unavailable = int_or_percent(ctx, obj, r, "maxUnavailable", true);
    let surge = int_or_percent(ctx, obj, r, "maxSurge", true);
    let given = |k: &str| r.get(k).filter(|n| !n.is_null());
    let u = if given("maxUnavailable").is_some() { unavailable } else { Some(IntOrPercent::Int(1)) };
    let s = if given("maxSurge").is_some() { surge } else { Some(IntOrPercent::Int(0)) };
    let (Some(u), Some(s)) = (u, s) else { return };
    match (u.is_zero(), s.is_zero()) {
        (false, false) => {
            let Some(surge_node) = given("maxSurge") else { return };
            let (other, label) = match given("maxUnavailable") {
                Some(n) => (n.span, "`maxUnavailable` is not 0 here".to_string()),
                None => (surge_node.span, "`maxUnavailable` defaults to 1".to_string()),
            };
            reject_pair(
                ctx,
                obj,
                surge_node,
                other,
                label,
                "a DaemonSet sets both `maxSurge` and a non-zero `maxUnavailable`".into(),
                "Invalid value: may not be set when maxUnavailable is non-zero",
                "a DaemonSet rollout either surges or takes Pods down, not both: set `maxUnavailable: 0` to surge, or remove `maxSurge`",
            );
        }
        (true, true) => {
            let Some(node) = given("maxUnavailable") else { return };
            let (other, label) = match given("maxSurge") {
                Some(n) => (n.span, "`maxSurge` is 0 here".to_string()),
                None => (node.span, "`maxSurge` defaults to 0".to_string()),
            };
            reject_pair(
                ctx,
                obj,
                node,
                other,
                label,
                "`maxUnavailable` and `maxSurge` are both 0: the rollout could never replace a Pod".into(),
                "Required value: cannot be 0 when maxSurge is 0",
                "set `maxUnavailable` above 0, or `maxSurge` above 0",
            );
        }
        _ => {}
    }
}
