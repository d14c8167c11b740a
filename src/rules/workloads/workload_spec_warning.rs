//! `workload-spec-warning`: what the API server warns about when it admits a workload, in
//! the parts that are not its pod template (the registry strategies' `WarningsOnCreate`):
//! a name that is not a DNS label where it becomes pod names and hostnames, a StatefulSet's
//! negative `revisionHistoryLimit`, an Indexed Job too large to track its failed indexes.

use crate::diagnostics::Severity;
use crate::model::names::{dns1123_label, dns1123_subdomain};
use crate::model::Object;
use crate::rules::api::{admitted_with_warning, judged_str};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "workload-spec-warning",
    severity: Severity::Warning,
    category: Category::Workloads,
    summary: "What the API server warns about on a workload (kubectl prints `Warning:`): a name with dots or over 63 characters where it becomes pod hostnames, a StatefulSet's negative revisionHistoryLimit, an Indexed Job over the tracking limits",
    fix: false,
    doc: include_str!("../../../rules/workload-spec-warning.md"),
    check: Check::Object(check),
};

/// `completionsSoftLimit` and `parallelismSoftLimitForUnlimitedCompletions`
/// (pkg/api/job/warnings.go).
const COMPLETIONS_SOFT_LIMIT: i64 = 100_000;
const PARALLELISM_SOFT_LIMIT: i64 = 10_000;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    match (obj.group(), obj.kind) {
        ("", "Pod") => name_is_label(ctx, obj, "the Pod's hostname"),
        ("apps", "Deployment" | "ReplicaSet") | ("", "ReplicationController") => {
            name_is_label(ctx, obj, "Pod names and hostnames")
        }
        // Over 52 characters a CronJob's name is `cronjob-spec-invalid`'s error.
        ("batch", "CronJob") if name_len(obj) <= 52 => name_is_label(ctx, obj, "Pod names and hostnames"),
        ("batch", "Job") => {
            // `job-spec-invalid` rejects what is worse: an Indexed Job's name that cannot
            // be a hostname with its index, and a name over 63 characters, which becomes
            // a label value unless the selector is manual.
            let spec = obj.spec();
            let indexed = spec.and_then(|s| s.get("completionMode")).and_then(Node::as_str) == Some("Indexed");
            let manual = spec.and_then(|s| s.get("manualSelector")).and_then(Node::as_bool) == Some(true);
            if !indexed && (manual || name_len(obj) <= 63) {
                name_is_label(ctx, obj, "Pod names and hostnames");
            }
        }
        _ => {}
    }
    let job_spec = match (obj.group(), obj.kind) {
        ("batch", "Job") => obj.spec(),
        ("batch", "CronJob") => obj.root.get_path(&["spec", "jobTemplate", "spec"]),
        _ => None,
    };
    if let Some(spec) = job_spec {
        indexed_job_limits(ctx, obj, spec);
    }
    if (obj.group(), obj.kind) == ("apps", "StatefulSet") {
        let limit = obj.spec().and_then(|s| s.get("revisionHistoryLimit"));
        if let Some((node, v)) = limit.and_then(|n| Some((n, n.as_i64().filter(|v| *v < 0)?))) {
            admitted_with_warning(
                ctx,
                obj,
                node.span,
                format!("`revisionHistoryLimit: {v}` is negative: the StatefulSet keeps every revision it ever had"),
                "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended",
            );
        }
    }
}

fn name_len(obj: &Object<'_>) -> usize {
    obj.root
        .get_path(&["metadata", "name"])
        .and_then(Node::as_str)
        .map_or(0, str::len)
}

/// `IsDNS1123Label` on the name of a kind whose pods take their names and hostnames from it.
/// A name that is not even a DNS subdomain is `invalid-object-name`'s error; this is the
/// valid name with dots, or longer than a hostname label.
fn name_is_label(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, used_in: &str) {
    let Some(node) = obj.root.get_path(&["metadata", "name"]) else { return };
    let Some(name) = judged_str(node) else { return };
    if !dns1123_subdomain(name).is_empty() {
        return;
    }
    let mut problems = Vec::new();
    if name.len() > 63 {
        problems.push("must be no more than 63 characters");
    }
    if !dns1123_label(name).is_empty() && name.contains('.') {
        problems.push("must not contain dots");
    }
    if problems.is_empty() {
        return;
    }
    let pods = if obj.kind == "Pod" {
        "the pod takes its hostname"
    } else {
        "the pods take their hostname"
    };
    let message = if name.contains('.') {
        format!("the name `{name}` has dots, and {pods} from it: a hostname with dots reads as a domain name")
    } else {
        format!("the name `{name}` is {} characters long, and {pods} from it: a hostname is cut to 63 characters", name.len())
    };
    admitted_with_warning(
        ctx,
        obj,
        node.span,
        message,
        &format!(
            "metadata.name: this is used in {used_in}, which can result in surprising behavior; a DNS label is recommended: [{}]",
            problems.join(" ")
        ),
    );
}

/// `WarningsForJobSpec`: an Indexed Job with more than 10^5 completions and a parallelism
/// over 10^4 may lose track of which indexes failed.
fn indexed_job_limits(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    if spec.get("completionMode").and_then(Node::as_str) != Some("Indexed") {
        return;
    }
    let completions = spec.get("completions");
    let parallelism = spec.get("parallelism");
    let (Some(c), Some(p)) = (
        completions.and_then(Node::as_i64),
        parallelism.and_then(Node::as_i64),
    ) else {
        return;
    };
    if c <= COMPLETIONS_SOFT_LIMIT || p <= PARALLELISM_SOFT_LIMIT {
        return;
    }
    let Some(node) = parallelism else { return };
    let path = if obj.kind == "CronJob" { "spec.jobTemplate.spec" } else { "spec" };
    admitted_with_warning(
        ctx,
        obj,
        node.span,
        format!("an Indexed Job of {c} completions with a parallelism of {p} is over what Kubernetes can track when many indexes fail"),
        &format!("{path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail"),
    );
}
