//! `job-spec-invalid`: `ValidateJobSpec` (pkg/apis/batch/validation) on a Job and on a
//! CronJob's `jobTemplate`, after `SetDefaults_Job`.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{
    at_least, domain_prefixed_path, enum_value, judged_str, non_negative, reject, reject_pair,
    too_many,
};
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

/// `maxParallelismForIndexedJob`.
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
        if !generated_label_too_long(ctx, obj, spec) {
            indexed_hostnames(ctx, obj, spec);
        }
    }
    pod_failure_policy(ctx, obj, spec);
    pod_replacement_policy(ctx, obj, spec);
    // `successPolicy` is dropped before validation unless `JobSuccessPolicy` is on (beta,
    // on by default, from 1.31); `managedBy` likewise with `JobManagedBy` (from 1.32).
    if at_least(ctx, 31) {
        success_policy(ctx, obj, spec);
    }
    if at_least(ctx, 32) {
        managed_by(ctx, obj, spec);
    }
}

/// With `backoffLimitPerIndex`, an Indexed Job of more than 100,000 completions must bound
/// its failures: `maxFailedIndexes` is required and, like `parallelism`, at most 10,000.
fn high_completions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, per_index: &Node) {
    const SOFT_LIMIT: i64 = 100_000;
    const HIGH_LIMIT: i64 = 10_000;
    let Some(c) = spec.get("completions").and_then(Node::as_i64).filter(|c| *c > SOFT_LIMIT) else {
        return;
    };
    let tail = format!("when completions are above {SOFT_LIMIT} and used with backoff limit per index");
    match spec.get("maxFailedIndexes").filter(|n| !n.is_null()) {
        None => reject(
            ctx,
            obj,
            per_index,
            format!("an Indexed Job of {c} completions with `backoffLimitPerIndex` needs `maxFailedIndexes`"),
            &format!("Required value: must be specified when completions is above {SOFT_LIMIT}"),
            &format!("set `maxFailedIndexes` (at most {HIGH_LIMIT}), or lower `completions`"),
        ),
        Some(m) if m.as_i64().is_some_and(|v| v > HIGH_LIMIT) => reject(
            ctx,
            obj,
            m,
            format!("`maxFailedIndexes` is more than {HIGH_LIMIT} for an Indexed Job of {c} completions"),
            &format!("Invalid value: must be less than or equal to {HIGH_LIMIT} {tail}"),
            &format!("lower it to {HIGH_LIMIT} at most"),
        ),
        Some(_) => {}
    }
    if let Some(p) = spec.get("parallelism").filter(|n| n.as_i64().is_some_and(|v| v > HIGH_LIMIT && v <= INDEXED_MAX)) {
        reject(
            ctx,
            obj,
            p,
            format!("`parallelism` is more than {HIGH_LIMIT} for an Indexed Job of {c} completions with `backoffLimitPerIndex`"),
            &format!("Invalid value: must be less than or equal to {HIGH_LIMIT} {tail}"),
            &format!("lower it to {HIGH_LIMIT} at most"),
        );
    }
}

/// The API server labels a Job's pod template with the Job's name (`job-name` and
/// `batch.kubernetes.io/job-name`, added before validation unless `manualSelector` is
/// true), and a label value is at most 63 characters: a longer name is rejected although
/// it is a valid object name. Returns whether it reported.
fn generated_label_too_long(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) -> bool {
    if spec.get("manualSelector").and_then(Node::as_bool) == Some(true) {
        return false;
    }
    let Some(name_node) = obj.root.get_path(&["metadata", "name"]) else { return false };
    let Some(name) = judged_str(name_node) else { return false };
    // An invalid name itself is `invalid-object-name`'s.
    if name.len() <= 63 || !crate::model::names::dns1123_subdomain(name).is_empty() {
        return false;
    }
    let d = ctx
        .diag(
            obj,
            name_node.span,
            format!("the Job name is {} characters long, more than the 63 a label value may have", name.len()),
        )
        .with_help(format!(
            "the API server labels the Job's pods with its name (`batch.kubernetes.io/job-name`) and rejects it (`spec.template.labels: Invalid value: \"{name}\": must be no more than 63 characters`); shorten the name to at most 63 characters"
        ));
    ctx.push(d);
    true
}

/// `ValidateJob`: the Pods of an Indexed Job get the hostname `<job name>-<index>`, so the
/// name with the largest index (`completions - 1`) must be a DNS label.
fn indexed_hostnames(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    if spec.get("completionMode").and_then(Node::as_str) != Some("Indexed") {
        return;
    }
    let Some(cn) = spec.get("completions") else { return };
    let Some(c) = cn.as_i64().filter(|c| *c > 0) else { return };
    let Some(name_node) = obj.root.get_path(&["metadata", "name"]) else { return };
    let Some(name) = judged_str(name_node) else { return };
    let host = format!("{name}-{}", c - 1);
    // An invalid name itself is `invalid-object-name`'s; only the suffix's effect is judged.
    if !crate::model::names::dns1123_subdomain(name).is_empty() {
        return;
    }
    let Some(problem) = crate::model::names::dns1123_label(&host).into_iter().next() else {
        return;
    };
    reject_pair(
        ctx,
        obj,
        name_node,
        cn.span,
        format!("`completions` is {c}, so the last index is {}", c - 1),
        format!("the Pods of this Indexed Job would be named up to `{host}`, which is not a DNS label: {problem}"),
        &format!("Invalid value: will not able to create pod with invalid DNS label: {host}"),
        &format!("shorten the Job name to at most {} characters", 63usize.saturating_sub(host.len() - name.len())),
    );
}

/// `managedBy`: a domain-prefixed path of at most 63 characters.
fn managed_by(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(node) = spec.get("managedBy") else { return };
    let Some(v) = node.as_str() else { return };
    if crate::model::fields::is_templated(v) || crate::rules::api::is_placeholder(v) {
        return;
    }
    let mut errs = if v.is_empty() {
        vec!["is empty".to_string()]
    } else {
        domain_prefixed_path(v)
    };
    if v.len() > 63 {
        errs.push(format!("is {} characters long, more than 63", v.len()));
    }
    if errs.is_empty() {
        return;
    }
    reject(
        ctx,
        obj,
        node,
        format!("`managedBy: {v}` {}", errs.join("; ")),
        "Invalid value: must be a domain-prefixed path (such as \"acme.io/foo\") of at most 63 characters",
        "name the controller that manages the Job, e.g. `kueue.x-k8s.io/multikueue`, or remove the field (the built-in Job controller is `kubernetes.io/job-controller`)",
    );
}

/// `validateSuccessPolicy`: only for Indexed Jobs; 1 to 20 rules, each with
/// `succeededIndexes` (an increasing list of indexes and ranges below `completions`) or
/// `succeededCount` (at most `completions` and the number of indexes listed).
fn success_policy(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(policy) = spec.get("successPolicy").filter(|n| n.is_map()) else {
        return;
    };
    let mode = spec.get("completionMode");
    if mode.and_then(Node::as_str) != Some("Indexed") {
        let d = "`successPolicy` needs `completionMode: Indexed`".to_string();
        let server = "Invalid value: requires indexed completion mode";
        let help = "set `completionMode: Indexed` (and `completions`), or remove the success policy";
        match mode {
            Some(m) => reject_pair(ctx, obj, policy, m.span, "the completion mode is set here".into(), d, server, help),
            None => reject(ctx, obj, policy, d, server, help),
        }
        return;
    }
    // Without `completions` the Indexed Job is already rejected (`job-spec-invalid`).
    let Some(completions) = spec.get("completions").and_then(Node::as_i64) else {
        return;
    };
    let rules = policy.get("rules");
    match rules {
        Some(r) if !r.items().is_empty() => {
            too_many(ctx, obj, r, 20, "success policy rules");
        }
        Some(r) if !r.is_seq() && !r.is_null() => return,
        _ => {
            reject(
                ctx,
                obj,
                rules.unwrap_or(policy),
                "the `successPolicy` has no rules".into(),
                "Required value: at least one rules must be specified when the successPolicy is specified",
                "add a rule with `succeededIndexes` or `succeededCount`, or remove the success policy",
            );
            return;
        }
    }
    for rule in rules.map(Node::items).unwrap_or_default() {
        if !rule.is_map() {
            continue;
        }
        let indexes = rule.get("succeededIndexes").filter(|n| !n.is_null());
        let count = rule.get("succeededCount").filter(|n| !n.is_null());
        if indexes.is_none() && count.is_none() {
            reject(
                ctx,
                obj,
                rule,
                "a success policy rule has neither `succeededIndexes` nor `succeededCount`".into(),
                "Required value: at least one of succeededCount or succeededIndexes must be specified",
                "say which indexes (`succeededIndexes: \"0-2,5\"`) or how many (`succeededCount: 3`) must succeed",
            );
            continue;
        }
        let mut total = None;
        if let Some(ix) = indexes {
            if let Some(v) = ix.as_str() {
                if v.len() > 64 * 1024 {
                    reject(ctx, obj, ix, format!("`succeededIndexes` is {} characters long", v.len()), "Too long: may not be more than 65536 bytes", "use ranges (`0-999`) instead of listing indexes");
                }
                match indexes_total(v, completions) {
                    Ok(t) => total = Some(t),
                    Err(e) => reject(
                        ctx,
                        obj,
                        ix,
                        format!("`succeededIndexes: \"{v}\"` is not a valid index list: {e}"),
                        &format!("Invalid value: error parsing succeededIndexes: {e}"),
                        &format!("write increasing indexes and ranges below `completions` ({completions}), separated by commas, e.g. `0-2,5`"),
                    ),
                }
            }
        }
        let Some(c) = count else { continue };
        let Some(n) = c.as_i64() else { continue };
        if n < 0 {
            reject(ctx, obj, c, format!("`succeededCount: {n}` is negative"), "Invalid value: must be greater than or equal to 0", "use 0 or more");
        } else if n > completions {
            reject(
                ctx,
                obj,
                c,
                format!("`succeededCount: {n}` is more than `completions` ({completions})"),
                &format!("Invalid value: must be less than or equal to {completions} (the number of specified completions)"),
                "lower `succeededCount`, or raise `completions`",
            );
        } else if let (Some(t), Some(ix)) = (total, indexes) {
            if n > t {
                reject_pair(
                    ctx,
                    obj,
                    c,
                    ix.span,
                    format!("{t} index(es) listed here"),
                    format!("`succeededCount: {n}` is more than the {t} index(es) in `succeededIndexes`"),
                    &format!("Invalid value: must be less than or equal to {t} (the number of indexes in the specified succeededIndexes field)"),
                    "lower `succeededCount`, or list more indexes",
                );
            }
        }
    }
}

/// `validateIndexesFormat`: the number of indexes in `0-2,5`, or the server's complaint.
fn indexes_total(s: &str, completions: i64) -> Result<i64, String> {
    if s.is_empty() {
        return Ok(0);
    }
    let parse = |t: &str| -> Result<i64, String> {
        let digits = t.strip_prefix('+').unwrap_or(t);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("cannot convert string to integer for index: \"{t}\""));
        }
        let v: i64 = digits
            .parse()
            .map_err(|_| format!("cannot convert string to integer for index: \"{t}\""))?;
        if v >= completions {
            return Err(format!("too large index: \"{t}\""));
        }
        Ok(v)
    };
    let mut last: Option<i64> = None;
    let mut total = 0i64;
    for interval in s.split(',') {
        let parts: Vec<&str> = interval.split('-').collect();
        if parts.len() > 2 {
            return Err(format!("the fragment \"{interval}\" violates the requirement that an index interval can have at most two parts separated by '-'"));
        }
        let x = parse(parts[0])?;
        if let Some(l) = last.filter(|l| *l >= x) {
            return Err(format!("non-increasing order, previous: {l}, current: {x}"));
        }
        total += 1;
        last = Some(x);
        if let Some(y) = parts.get(1) {
            let y = parse(y)?;
            if x >= y {
                return Err(format!("non-increasing order, previous: {x}, current: {y}"));
            }
            total += y - x;
            last = Some(y);
        }
    }
    Ok(total)
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
    // Only `parallelism` is capped: more `completions` are admitted (the server warns when
    // parallelism is high too: `workload-spec-warning`).
    if indexed {
        if let Some(n) = spec.get("parallelism").filter(|n| n.as_i64().is_some_and(|v| v > INDEXED_MAX)) {
            reject(
                ctx,
                obj,
                n,
                format!("`parallelism` of an Indexed Job is more than {INDEXED_MAX}"),
                &format!("Invalid value: must be less than or equal to {INDEXED_MAX} when completion mode is Indexed"),
                "split the work over several Jobs",
            );
        }
    }
    if let Some(per_index) = spec.get("backoffLimitPerIndex").filter(|n| !n.is_null()) {
        if indexed {
            high_completions(ctx, obj, spec, per_index);
        }
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
    if let Some(rules) = policy.get("rules") {
        too_many(ctx, obj, rules, 20, "pod failure policy rules");
    }
    let names = container_names(spec);
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
            if let Some(names) = &names {
                exit_codes_container(ctx, obj, c, names);
            }
        }
        if let Some(p) = conditions {
            pod_conditions(ctx, obj, p);
        }
    }
}

/// The container and init-container names of the Job's pod template; `None` when they
/// cannot all be read (templated), so `containerName` is not judged.
fn container_names(spec: &Node) -> Option<Vec<&str>> {
    let pod = spec.get_path(&["template", "spec"])?;
    let mut names = Vec::new();
    for key in ["containers", "initContainers"] {
        let Some(list) = pod.get(key) else { continue };
        if !list.is_seq() && !list.is_null() {
            return None;
        }
        for c in list.items() {
            let name = c.get("name").and_then(Node::as_str)?;
            if crate::model::fields::is_templated(name) {
                return None;
            }
            names.push(name);
        }
    }
    Some(names)
}

fn exit_codes_container(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, req: &Node, names: &[&str]) {
    let Some(node) = req.get("containerName") else { return };
    let Some(v) = node.as_str() else { return };
    if names.contains(&v) || crate::model::fields::is_templated(v) {
        return;
    }
    let hint = match crate::model::names::did_you_mean(v, names) {
        Some(s) => format!("did you mean `{s}`?"),
        None if names.is_empty() => "name one of the pod template's containers".to_string(),
        None => format!("the containers are {}", crate::model::names::one_of(names)),
    };
    reject(
        ctx,
        obj,
        node,
        format!("`containerName: {v}` is not a container of the pod template"),
        "Invalid value: must be one of the container or initContainer names in the pod template",
        &hint,
    );
}

/// `onPodConditions`: at most 20 patterns; `type` a qualified name; `status` (defaulted to
/// `True`) one of True/False/Unknown.
fn pod_conditions(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, list: &Node) {
    too_many(ctx, obj, list, 20, "`onPodConditions` patterns");
    for p in list.items() {
        if let Some(t) = p.get("type") {
            if let Some(v) = judged_str(t) {
                let errs = crate::model::names::qualified_name(v);
                if !errs.is_empty() {
                    reject(
                        ctx,
                        obj,
                        t,
                        format!("the condition type `{v}` is not a qualified name: {}", errs.join("; ")),
                        "Invalid value: a qualified name",
                        "use a Pod condition type such as `DisruptionTarget`",
                    );
                }
            }
        }
        enum_value(ctx, obj, p, "status", &["True", "False", "Unknown"]);
    }
}

fn exit_codes(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, req: &Node) {
    enum_value(ctx, obj, req, "operator", &["In", "NotIn"]);
    let Some(values) = req.get("values") else { return };
    too_many(ctx, obj, values, 255, "exit codes");
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

#[cfg(test)]
mod tests {
    use super::indexes_total;

    #[test]
    fn index_lists_as_the_server_counts_them() {
        assert_eq!(indexes_total("", 5), Ok(0));
        assert_eq!(indexes_total("0-2,4", 5), Ok(4));
        assert_eq!(indexes_total("1", 5), Ok(1));
        assert!(indexes_total("3,1", 5).is_err());
        assert!(indexes_total("2-2", 5).is_err());
        assert!(indexes_total("0-5", 5).is_err());
        assert!(indexes_total("1-2-3", 5).is_err());
        assert!(indexes_total("a", 5).is_err());
        assert!(indexes_total("0,,1", 5).is_err());
    }
}
