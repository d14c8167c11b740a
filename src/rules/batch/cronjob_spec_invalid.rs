//! `cronjob-spec-invalid`: `ValidateCronJobSpec` (pkg/apis/batch/validation): the schedule
//! as `cron.ParseStandard` (robfig/cron v3) parses it, `TZ=` in the schedule, `timeZone`,
//! `concurrencyPolicy` and the history limits. The name length is `invalid-object-name`'s
//! and the job template's spec `job-spec-invalid`'s.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::api::{enum_value, judged_str, non_negative, reject};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "cronjob-spec-invalid",
    severity: Severity::Error,
    category: Category::Batch,
    summary: "A CronJob whose schedule does not parse, puts TZ= in the schedule, or has an invalid policy or limit",
    fix: false,
    doc: include_str!("../../../rules/cronjob-spec-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "CronJob" || obj.group() != "batch" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    enum_value(ctx, obj, spec, "concurrencyPolicy", &["Allow", "Forbid", "Replace"]);
    for key in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        non_negative(ctx, obj, spec, key);
    }
    if let Some(node) = spec.get("schedule") {
        if let Some(s) = judged_str(node) {
            if s.contains("TZ") {
                reject(
                    ctx,
                    obj,
                    node,
                    format!("the schedule `{s}` sets a time zone with TZ= or CRON_TZ="),
                    "Invalid value: cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                    "move the zone to `spec.timeZone` (e.g. `timeZone: Europe/Paris`) and keep only the five fields in `schedule`",
                );
            } else if let Err(e) = parse_schedule(s) {
                reject(
                    ctx,
                    obj,
                    node,
                    format!("the schedule `{s}` is not a valid cron expression: {e}"),
                    &format!("Invalid value: {e}"),
                    "use five fields `minute hour day-of-month month day-of-week` (e.g. `*/15 * * * *`) or a descriptor such as `@hourly`",
                );
            }
        }
    }
    if let Some(tz) = spec.get("timeZone") {
        if let Some(v) = tz.as_str() {
            if v.is_empty() || v.eq_ignore_ascii_case("local") || v.contains(' ') {
                reject(
                    ctx,
                    obj,
                    tz,
                    format!("`timeZone: \"{v}\"` is not an explicit IANA time zone"),
                    "Invalid value: unknown time zone",
                    "use a name from the IANA time zone database such as `Etc/UTC` or `America/New_York`, or remove the field for the controller's zone",
                );
            } else if v.parse::<chrono_tz::Tz>().is_err() {
                // The server's `time.LoadLocation` reads the IANA database embedded in it;
                // chrono-tz carries the same names, backward links (`US/Pacific`) included.
                let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
                let help = match crate::model::names::did_you_mean(v, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "use a name from the IANA time zone database such as `Etc/UTC` or `America/New_York`".to_string(),
                };
                reject(
                    ctx,
                    obj,
                    tz,
                    format!("`timeZone: {v}` is not a time zone of the IANA database"),
                    &format!("Invalid value: unknown time zone {v}"),
                    &help,
                );
            }
        }
    }
}

/// `cron.ParseStandard`: a descriptor, or five space-separated fields.
pub fn parse_schedule(s: &str) -> Result<(), String> {
    let s = s.trim();
    if let Some(d) = s.strip_prefix('@') {
        return match d {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ if d.starts_with("every ") => Ok(()),
            _ => Err(format!("unrecognized descriptor: {s}")),
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}", fields.len()));
    }
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(&str, u32, u32, &[&str], u32); 5] = [
        ("minute", 0, 59, &[], 0),
        ("hour", 0, 23, &[], 0),
        ("day of month", 1, 31, &[], 0),
        ("month", 1, 12, MONTHS, 1),
        ("day of week", 0, 6, DAYS, 0),
    ];
    for (f, (what, min, max, names, base)) in fields.iter().zip(bounds) {
        // robfig's `getField` splits with `FieldsFunc`, which skips empty parts (`0,30,`).
        for part in f.split(',').filter(|p| !p.is_empty()) {
            field_part(part, min, max, names, base).map_err(|e| format!("{e} in the {what} field `{f}`"))?;
        }
    }
    Ok(())
}

/// One comma-separated part of a field (robfig `getRange`): `*`, `?`, `a`, `a-b`, each with
/// an optional `/step`.
fn field_part(part: &str, min: u32, max: u32, names: &[&str], base: u32) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (part, None),
    };
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + base);
        }
        v.parse::<u32>()
            .map_err(|_| format!("failed to parse int from `{v}`"))
    };
    // `getRange` looks only at what comes before the first `-` when it is `*` or `?`, so
    // `*-5` is `*`.
    let first = range.split('-').next().unwrap_or(range);
    let (start, end) = if first == "*" || first == "?" {
        (min, max)
    } else {
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (range, None),
        };
        let start = value(a)?;
        let end = match b {
            Some(b) => value(b)?,
            None if step.is_some() => max,
            None => start,
        };
        (start, end)
    };
    if start < min {
        return Err(format!("beginning of range ({start}) below minimum ({min})"));
    }
    if end > max {
        return Err(format!("end of range ({end}) above maximum ({max})"));
    }
    if start > end {
        return Err(format!("beginning of range ({start}) beyond end of range ({end})"));
    }
    if let Some(st) = step {
        let n: u32 = st
            .parse()
            .map_err(|_| format!("failed to parse int from `{st}`"))?;
        if n == 0 {
            return Err("step of range should be a positive number".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_schedule;

    #[test]
    fn schedules() {
        for ok in [
            "*/5 * * * *",
            "0 0 * * 0",
            "0 12 * * MON-FRI",
            "@hourly",
            "@every 1h",
            "0 0 1 jan *",
            "30 2 * * ?",
            "0 */2 1-15 * *",
            "5/15 * * * *",
            // robfig v3's leniencies: empty parts are skipped, `*-…` is `*`.
            "0,30, * * * *",
            "*-5 * * * *",
        ] {
            assert!(parse_schedule(ok).is_ok(), "{ok}");
        }
        for bad in [
            "* * * *",
            "60 * * * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 * * 7",
            "*/0 * * * *",
            "@fortnightly",
            "0 0 * * * *",
            "a * * * *",
            "1-2-3 * * * *",
        ] {
            assert!(parse_schedule(bad).is_err(), "{bad}");
        }
    }
}
