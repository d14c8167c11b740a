//! `yaml11-boolean-key`: an unquoted mapping key that YAML 1.1 reads as a boolean.

use crate::diagnostics::{Edit, Severity};
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::{Node, NodeKind, ScalarStyle, Value};

pub static RULE: Rule = Rule {
    id: "yaml11-boolean-key",
    severity: Severity::Warning,
    category: Category::Syntax,
    summary: "An unquoted key such as `on`, `yes` or `y` becomes the key \"true\" or \"false\" in Kubernetes",
    fix: true,
    doc: include_str!("../../../rules/yaml11-boolean-key.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    // The loader noted whether the document has such a key: most have none, and walking
    // every node of every object (megabytes of CRD schemas) was 2% of a run.
    if obj.yaml11_boolean_keys {
        walk(ctx, obj, obj.root);
    } else if cfg!(debug_assertions) {
        // Debug builds (the tests, the fuzzer) check the loader's word.
        let before = ctx.out.len();
        walk(ctx, obj, obj.root);
        assert_eq!(ctx.out.len(), before, "the loader missed a YAML 1.1 boolean key");
    }
}

fn walk(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: &Node) {
    match &node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|n| walk(ctx, obj, n)),
        NodeKind::Map(entries) => {
            for e in entries {
                if let NodeKind::Scalar(s) = &e.key.kind {
                    if let Value::Bool(b) = s.value() {
                        // `true:`/`false:` say what they mean; `on:`, `yes:`, `y:` do not.
                        if s.style == ScalarStyle::Plain && s.is_yaml11_surprise() {
                            let d = ctx
                                .diag(
                                    obj,
                                    e.key.span,
                                    format!(
                                        "YAML 1.1 reads the key `{}` as the boolean {b}, so Kubernetes sees the key \"{b}\"",
                                        s.text
                                    ),
                                )
                                .with_primary_label(format!("becomes \"{b}\""))
                                .with_help(format!("quote the key to keep it: `\"{}\":`", s.text))
                                .with_fix(
                                    format!("quote `{}`", s.text),
                                    vec![Edit {
                                        span: e.key.span,
                                        new_text: format!("\"{}\"", s.text),
                                    }],
                                );
                            ctx.push(d);
                        }
                    }
                }
                walk(ctx, obj, &e.value);
            }
        }
    }
}
