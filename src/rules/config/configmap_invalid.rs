//! `configmap-invalid`: `ValidateConfigMap` (pkg/apis/core/validation): key syntax in `data`
//! and `binaryData`, a key in both, the 1 MiB size limit.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::config_keys::{check_keys, check_size};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "configmap-invalid",
    severity: Severity::Error,
    category: Category::Config,
    summary: "A ConfigMap with an invalid key, a key in both data and binaryData, or more than 1 MiB of data",
    fix: false,
    doc: include_str!("../../../rules/configmap-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "ConfigMap" || obj.group() != "" {
        return;
    }
    let fields = ["data", "binaryData"];
    check_keys(ctx, obj, &fields);
    check_size(ctx, obj, &fields, |field, v| {
        if field == "binaryData" {
            v.len() / 4 * 3
        } else {
            v.len()
        }
    });
}
