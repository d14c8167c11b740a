//! `suspicious-memory-quantity`: a memory or storage amount in millibytes (`128m`) or a
//! bare number of bytes too small to be meant.

use crate::diagnostics::{Edit, Severity};
use crate::model::quantity::{fractional_bytes, from_node, quantity_fields, Unit};
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "suspicious-memory-quantity",
    severity: Severity::Warning,
    category: Category::Resources,
    summary: "A memory or storage quantity uses `m` (milli: thousandths of a byte), is a tiny bare number of bytes, or is not a whole number of bytes (the API server warns)",
    fix: true,
    doc: include_str!("../../../rules/suspicious-memory-quantity.md"),
    check: Check::Object(check),
};

/// Resources measured in bytes.
fn is_bytes(resource: &str) -> bool {
    let base = resource
        .strip_prefix("requests.")
        .or_else(|| resource.strip_prefix("limits."))
        .unwrap_or(resource);
    matches!(base, "memory" | "storage" | "ephemeral-storage" | "sizeLimit") || base.starts_with("hugepages-")
}

const MIB: f64 = 1024.0 * 1024.0;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    for f in quantity_fields(obj) {
        if !is_bytes(f.resource) || f.ratio {
            continue;
        }
        let Some(Ok(q)) = from_node(f.value) else { continue };
        let text = f.value.text().unwrap_or_default();
        if q.value <= 0.0 {
            continue;
        }
        if matches!(q.suffix.as_str(), "m" | "u" | "n") {
            let number = text.trim().trim_end_matches(['m', 'u', 'n']);
            let fixed = format!("{number}Mi");
            let d = ctx
                .diag(
                    obj,
                    f.value.span,
                    format!(
                        "`{}: {text}` in {} is {} bytes: `{}` means {}, not mega",
                        f.resource,
                        f.context,
                        format_bytes(q.value),
                        q.suffix,
                        match q.suffix.as_str() { "m" => "milli (1/1000)", "u" => "micro", _ => "nano" }
                    ),
                )
                .with_primary_label("a fraction of a byte")
                .with_help(format!("write `{fixed}` (mebibytes) or `{number}M` (megabytes)"))
                .with_fix(
                    format!("replace with `{fixed}`"),
                    vec![Edit { span: f.value.span, new_text: fixed }],
                );
            ctx.push(d);
        } else if q.unit == Unit::None && q.value < MIB {
            let d = ctx
                .diag(
                    obj,
                    f.value.span,
                    format!("`{}: {text}` in {} is only {text} bytes", f.resource, f.context),
                )
                .with_primary_label("no unit: bytes")
                .with_help(format!("a number without a unit counts bytes; did you mean `{}Mi`?", text.trim()));
            ctx.push(d);
        } else if let Some((printed, bytes)) = f.fraction_warned.then(|| fractional_bytes(f.value)).flatten() {
            let d = ctx
                .diag(
                    obj,
                    f.value.span,
                    format!(
                        "`{}: {text}` in {} is {bytes} bytes, not a whole number of bytes",
                        f.resource, f.context
                    ),
                )
                .with_primary_label("a fraction of a byte")
                .with_help(format!(
                    "the API server admits the {} with `Warning: {}: fractional byte value \"{printed}\" is invalid, must be an integer`; write a whole number, such as `{}`",
                    obj.kind,
                    server_path(obj, f.value, f.resource),
                    whole_suggestion(q.value),
                ));
            ctx.push(d);
        }
    }
}

/// Where the API server's warning places the field: the map key in brackets
/// (`resources.requests[memory]`), and a StatefulSet's claim template without its `spec`
/// (the server names `volumeClaimTemplates[0].resources`).
fn server_path(obj: &Object<'_>, value: &crate::yaml::Node, resource: &str) -> String {
    let path = obj.root.path_to(value.span).unwrap_or_default();
    let parent = path.rsplit_once('.').map_or(path.as_str(), |(p, _)| p);
    let mut out = format!("{parent}[{resource}]");
    if obj.kind == "StatefulSet" {
        if let Some(at) = out.find("].spec.resources") {
            out.replace_range(at + 1..at + 6, "");
        }
    }
    out
}

/// The next whole number of mebibytes (or of bytes, under one).
fn whole_suggestion(bytes: f64) -> String {
    if bytes >= MIB {
        format!("{}Mi", (bytes / MIB).ceil())
    } else {
        format!("{}", bytes.ceil())
    }
}

fn format_bytes(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
