//! `hostpath-type-invalid`: `hostPath.type` is not one of the supported values.

use crate::diagnostics::Severity;
use crate::model::names::{did_you_mean, one_of};
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "hostpath-type-invalid",
    severity: Severity::Error,
    category: Category::Volumes,
    summary: "A hostPath volume's type is not a supported value",
    fix: true,
    doc: include_str!("../../../rules/hostpath-type-invalid.md"),
    check: Check::Object(check),
};

const TYPES: &[&str] = &[
    "DirectoryOrCreate",
    "Directory",
    "FileOrCreate",
    "File",
    "Socket",
    "CharDevice",
    "BlockDevice",
];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let mut hostpaths: Vec<&crate::yaml::Node> = Vec::new();
    if let Some(template) = PodTemplate::of(obj) {
        hostpaths.extend(template.volumes().filter_map(|v| v.get("hostPath")));
    }
    if obj.kind == "PersistentVolume" {
        hostpaths.extend(obj.spec().and_then(|s| s.get("hostPath")));
    }
    for hp in hostpaths {
        let Some(node) = hp.get("type") else { continue };
        let Some(value) = node.as_str() else { continue };
        if value.is_empty() || TYPES.contains(&value) {
            continue;
        }
        let mut d = ctx
            .diag(obj, node.span, format!("`hostPath.type: {value}` is not a supported type"))
            .with_primary_label("unsupported value");
        match did_you_mean(value, TYPES) {
            Some(s) => {
                d = d
                    .with_help(format!("did you mean `{s}`? Supported: {} (or empty for no check)", one_of(TYPES)))
                    .with_fix(
                        format!("replace with `{s}`"),
                        vec![crate::diagnostics::Edit { span: node.span, new_text: s.to_string() }],
                    );
            }
            None => {
                d = d.with_help(format!(
                    "the API server rejects it (`Unsupported value`); use {} or leave it empty for no check",
                    one_of(TYPES)
                ));
            }
        }
        ctx.push(d);
    }
}
