//! `job-spec-invalid`: `ValidateJobSpec` (pkg/apis/batch/validation) on a Job and on a
//! CronJob's `jobTemplate`, after `SetDefaults_Job`.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, non_negative, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "job-spec-invalid",
    severity: Severity::Error,
    category: Category::Batch,
    summary: "A Job spec the API server rejects (negative counts, Indexed without completions, a hand-written selector, podFailurePolicy mistakes)",
    fix: false,
    doc: include_str!("../../../rules/job-spec-invalid.md"),
    check: Check::Object(check),
};

/// `MaxParallelismForIndexedJob` and the limit on `completions` of an Indexed Job.
const INDEXED_MAX: i64 = 100_000;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != "batch" {
        return;
    }
    let spec = match obj.kind {
        "Job" => obj.spec(),
        "CronJob" => obj.root.get_path(&["spec", "jobTemplate", "spec"]),
        _ => None,
    };
    let Some(spec) = spec else { return };
    for key in [
        "parallelism",
        "completions",
        "backoffLimit",
        "activeDeadlineSeconds",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ] {
        non_negative(ctx, obj, spec, key);
    }
    completion_mode(ctx, obj, spec);
    if obj.kind == "Job" {
        selector(ctx, obj, spec);
    }
    pod_failure_policy(ctx, obj, spec);
    pod_replacement_policy(ctx, obj, spec);
}

/// `podReplacementPolicy`: a known value, and `Failed` when a `podFailurePolicy` is set.
fn pod_replacement_policy(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    enum_value(ctx, obj, spec, "podReplacementPolicy", &["TerminatingOrFailed", "Failed"]);
    let Some(p) = spec.get("podReplacementPolicy") else { return };
    let Some(pfp) = spec.get("podFailurePolicy").filter(|n| n.is_map()) else {
        return;
    };
    if p.as_str() == Some("TerminatingOrFailed") {
        reject_pair(
            ctx,
            obj,
            p,
            pfp.span,
            "the `podFailurePolicy` is here".into(),
            "`podReplacementPolicy: TerminatingOrFailed` is not allowed with a `podFailurePolicy`".into(),
            "Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\"",
            "use `podReplacementPolicy: Failed` (the default when a pod failure policy is set), or remove it",
        );
    }
}

fn completion_mode(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    enum_value(ctx, obj, spec, "completionMode", &["NonIndexed", "Indexed"]);
    let mode = spec.get("completionMode");
    let indexed = mode.and_then(Node::as_str) == Some("Indexed");
    let completions = spec.get("completions").filter(|n| !n.is_null());
    if let (Some(mode), true, None) = (mode, indexed, completions) {
        reject(
            ctx,
            obj,
            mode,
            "an Indexed Job needs `completions`".into(),
            "Required value: when completion mode is Indexed",
            "set `spec.completions` to the number of indexes",
        );
    }
    if indexed {
        for key in ["completions", "parallelism"] {
            if let Some(n) = spec.get(key).filter(|n| n.as_i64().is_some_and(|v| v > INDEXED_MAX)) {
                reject(
                    ctx,
                    obj,
                    n,
                    format!("`{key}` of an Indexed Job is more than {INDEXED_MAX}"),
                    &format!("Invalid value: must be less than or equal to {INDEXED_MAX} when completion mode is Indexed"),
                    "split the work over several Jobs",
                );
            }
        }
    }
    if let Some(per_index) = spec.get("backoffLimitPerIndex").filter(|n| !n.is_null()) {
        if !indexed {
            reject(
                ctx,
                obj,
                per_index,
                "`backoffLimitPerIndex` needs `completionMode: Indexed`".into(),
                "Invalid value: requires indexed completion mode",
                "set `completionMode: Indexed`, or use `backoffLimit`",
            );
        }
    } else if let Some(max_failed) = spec.get("maxFailedIndexes").filter(|n| !n.is_null()) {
        reject(
            ctx,
            obj,
            max_failed,
            "`maxFailedIndexes` needs `backoffLimitPerIndex`".into(),
            "Required value: when maxFailedIndexes is specified",
            "set `backoffLimitPerIndex` too, or remove `maxFailedIndexes`",
        );
    }
    if let (Some(max_failed), Some(completions)) = (spec.get("maxFailedIndexes"), completions) {
        if let (Some(m), Some(c)) = (max_failed.as_i64(), completions.as_i64()) {
            if m > c {
                reject_pair(
                    ctx,
                    obj,
                    max_failed,
                    completions.span,
                    format!("`completions` is {c}"),
                    format!("`maxFailedIndexes: {m}` is more than `completions: {c}`"),
                    "Invalid value: must be less than or equal to completions",
                    "lower `maxFailedIndexes` to at most `completions`",
                );
            }
        }
    }
}

/// Without `manualSelector: true` the server generates the selector from the Job's UID and
/// refuses one written by hand.
fn selector(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(sel) = spec.get("selector").filter(|n| n.is_map() && !n.entries().is_empty()) else {
        return;
    };
    if spec.get("manualSelector").and_then(Node::as_bool) == Some(true) {
        return;
    }
    reject(
        ctx,
        obj,
        sel,
        "a Job's `selector` is generated by the API server unless `manualSelector: true`".into(),
        "Invalid value: `selector` not auto-generated",
        "remove `spec.selector` (the server selects the Job's own Pods), or set `spec.manualSelector: true` if you really manage the labels",
    );
}

fn pod_failure_policy(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(policy) = spec.get("podFailurePolicy").filter(|n| n.is_map()) else {
        return;
    };
    let restart = spec.get_path(&["template", "spec", "restartPolicy"]);
    if let Some(r) = restart {
        if let Some(v) = judged_str(r).filter(|v| *v != "Never") {
            reject_pair(
                ctx,
                obj,
                r,
                policy.span,
                "the `podFailurePolicy` is here".into(),
                format!("`restartPolicy: {v}` is not allowed with a `podFailurePolicy`"),
                "Invalid value: only \"Never\" is supported when podFailurePolicy is specified",
                "set the template's `restartPolicy: Never`",
            );
        }
    }
    let per_index = spec.get("backoffLimitPerIndex").is_some_and(|n| !n.is_null());
    for rule in policy.get("rules").map(Node::items).unwrap_or_default() {
        enum_value(ctx, obj, rule, "action", &["FailJob", "FailIndex", "Ignore", "Count"]);
        if let Some(action) = rule.get("action").filter(|a| a.as_str() == Some("FailIndex")) {
            if !per_index {
                reject(
                    ctx,
                    obj,
                    action,
                    "`action: FailIndex` needs `backoffLimitPerIndex`".into(),
                    "Invalid value: requires the backoffLimitPerIndex to be set",
                    "set `spec.backoffLimitPerIndex` (and `completionMode: Indexed`)",
                );
            }
        }
        let codes = rule.get("onExitCodes").filter(|n| !n.is_null());
        let conditions = rule.get("onPodConditions").filter(|n| !n.items().is_empty());
        match (codes, conditions) {
            (Some(c), Some(p)) => reject_pair(
                ctx,
                obj,
                c,
                p.span,
                "`onPodConditions` is here".into(),
                "a pod failure policy rule sets both `onExitCodes` and `onPodConditions`".into(),
                "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported",
                "split it into two rules",
            ),
            (None, None) => reject(
                ctx,
                obj,
                rule,
                "a pod failure policy rule has neither `onExitCodes` nor `onPodConditions`".into(),
                "Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
                "add the exit codes or the Pod conditions the rule matches",
            ),
            _ => {}
        }
        if let Some(c) = codes {
            exit_codes(ctx, obj, c);
        }
    }
}

fn exit_codes(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, req: &Node) {
    enum_value(ctx, obj, req, "operator", &["In", "NotIn"]);
    let Some(values) = req.get("values") else { return };
    let items = values.items();
    if values.is_seq() && items.is_empty() {
        reject(
            ctx,
            obj,
            values,
            "`onExitCodes.values` is empty".into(),
            "Invalid value: at least one value is required",
            "list the exit codes the rule matches",
        );
    }
    let op_in = req.get("operator").and_then(Node::as_str) == Some("In");
    let mut prev: Option<i64> = None;
    for v in items {
        let Some(n) = v.as_i64() else { continue };
        if op_in && n == 0 {
            reject(
                ctx,
                obj,
                v,
                "exit code 0 (success) in an `In` rule".into(),
                "Invalid value: must not be 0 for the In operator",
                "exit code 0 means the container succeeded; remove it",
            );
        }
        if let Some(p) = prev {
            if n == p {
                reject(ctx, obj, v, format!("exit code {n} is listed twice"), "Duplicate value", "list each exit code once");
            } else if n < p {
                reject(
                    ctx,
                    obj,
                    v,
                    format!("exit code {n} comes after {p}"),
                    "Invalid value: must be ordered",
                    "list the exit codes in increasing order",
                );
            }
        }
        prev = Some(n);
    }
}
