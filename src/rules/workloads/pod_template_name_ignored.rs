//! `pod-template-name-ignored`: `metadata.name` in a workload's pod template has no effect.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "pod-template-name-ignored",
    severity: Severity::Info,
    category: Category::Workloads,
    summary: "metadata.name inside a pod template is ignored (pod names are generated)",
    fix: true,
    doc: include_str!("../../../rules/pod-template-name-ignored.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if matches!(obj.kind, "Pod" | "PodTemplate") {
        return;
    }
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    let Some(meta) = t.metadata else { return };
    let Some(entry) = meta.entry("name") else {
        return;
    };
    let name = entry.value.text().unwrap_or_default();
    let span = entry.key.span.cover(entry.value.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!("`metadata.name: {name}` in the pod template of {} is ignored", obj.display_name()),
        )
        .with_primary_label("ignored")
        .with_help(format!(
            "the controller names its pods after the {} with a generated suffix (e.g. `{}-7d9c5b6f4-x2k8q`); select pods by labels instead",
            obj.kind,
            obj.name.unwrap_or("web")
        ));
    let d = match whole_line(&ctx.ws.file(obj.file).text, span) {
        Some(line) => d.with_fix(
            "remove the ignored `name`",
            vec![crate::diagnostics::Edit {
                span: line,
                new_text: String::new(),
            }],
        ),
        None => d,
    };
    ctx.push(d);
}

/// The span of the whole line(s) holding `span`, newline included, when nothing else but
/// blanks shares them (so deleting it leaves valid YAML).
fn whole_line(text: &str, span: crate::yaml::Span) -> Option<crate::yaml::Span> {
    let (start, end) = (span.start as usize, span.end as usize);
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let rest = text.get(end..)?;
    let line_end = rest.find('\n').map_or(text.len(), |i| end + i + 1);
    let before = text.get(line_start..start)?;
    let after = text.get(end..line_end)?;
    (before.trim().is_empty() && after.trim().is_empty())
        .then(|| crate::yaml::Span::new(line_start, line_end))
}
