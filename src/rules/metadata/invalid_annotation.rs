//! `invalid-annotation`: annotation keys must be qualified names and all annotations
//! together at most 256 KiB (`ValidateAnnotations`, apimachinery
//! `pkg/api/validation/objectmeta.go`).

use crate::diagnostics::Severity;
use crate::model::names::qualified_name;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "invalid-annotation",
    severity: Severity::Error,
    category: Category::Metadata,
    summary: "An annotation key is not a qualified name, or the annotations exceed 256 KiB",
    fix: false,
    doc: include_str!("../../../rules/invalid-annotation.md"),
    check: Check::Object(check),
};

/// `TotalAnnotationSizeLimitB`.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !obj.is_builtin_api_object() {
        return;
    }
    if let Some(a) = obj.metadata().and_then(|m| m.get("annotations")) {
        annotations(ctx, obj, a, "metadata.annotations");
    }
    if obj.kind != "Pod" {
        if let Some(a) = PodTemplate::of(obj)
            .and_then(|t| t.metadata)
            .and_then(|m| m.get("annotations"))
        {
            annotations(ctx, obj, a, "pod template annotations");
        }
    }
}

fn annotations(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, what: &str) {
    let mut total = 0;
    for e in map.entries() {
        let Some(key) = e.key.key_text() else { continue };
        total += key.len() + e.value.text().map_or(0, str::len);
        // The server lowercases the key before checking it: `Example.com/Key` is valid.
        // `ValidateAnnotations` lowercases with Go's Unicode-aware `strings.ToLower`.
        let errs = qualified_name(&key.to_lowercase());
        if errs.is_empty() {
            continue;
        }
        let d = ctx
            .diag(
                obj,
                e.key.span,
                format!(
                    "annotation key `{key}` is not valid: the API server rejects it ({what}: Invalid value: {})",
                    errs.join("; ")
                ),
            )
            .with_primary_label("not a qualified name")
            .with_help("an annotation key is an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, '-', '_' or '.' (e.g. `example.com/owner`)");
        ctx.push(d);
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        let d = ctx
            .diag(
                obj,
                map.span,
                format!(
                    "the annotations total {total} bytes: the API server rejects them ({what}: Too long: must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes)"
                ),
            )
            .with_primary_label("more than 256 KiB of annotations")
            .with_help("keep large data in a ConfigMap; `kubectl apply` stores the whole object in `kubectl.kubernetes.io/last-applied-configuration`, so use `kubectl apply --server-side` or `kubectl create` for large objects");
        ctx.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_text, Options};

    fn findings(annotation_bytes: usize) -> Vec<String> {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  annotations:\n    example.com/blob: {}\n",
            "x".repeat(annotation_bytes)
        );
        let mut opts = Options::default();
        opts.config.only.insert(super::RULE.id.to_string());
        check_text("big.yaml", &text, &opts)
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn total_size_limit_counts_keys_and_values() {
        let key = "example.com/blob".len();
        assert!(findings(256 * 1024 - key).is_empty());
        let over = findings(256 * 1024 - key + 1);
        assert_eq!(over.len(), 1, "{over:?}");
        assert!(over[0].contains("262145 bytes"), "{over:?}");
    }
}
