//! `duplicate-object`: one file defines the same object twice.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "duplicate-object",
    severity: Severity::Warning,
    category: Category::Metadata,
    summary: "One file defines the same object (group, kind, namespace, name) twice: applied together, the second replaces the first",
    fix: false,
    doc: include_str!("../../../rules/duplicate-object.md"),
    check: Check::Workspace(check),
};

/// Whether the API server stores the object under its name: built-in API objects and custom
/// resources, not the configuration files of tools and components (kubelet, kubeadm).
fn stored(obj: &Object<'_>) -> bool {
    obj.is_builtin_api_object() || !crate::model::is_builtin_group(obj.group())
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    // Only within a file: `kubectl apply -f file` sends all its objects, whereas files of a
    // directory are often alternatives (a GPU variant beside the plain Deployment).
    type Key<'k> = (usize, &'k str, &'k str, Option<&'k str>, &'k str);
    let mut first: HashMap<Key<'_>, &Object<'_>> = HashMap::new();
    for obj in &ws.objects {
        let Some(name) = obj.name.filter(|n| !n.is_empty() && !crate::model::fields::is_templated(n)) else {
            continue;
        };
        // Two definitions of one CRD are `duplicate-crd`'s (which compares their schemas).
        if !stored(obj) || obj.kind == "CustomResourceDefinition" {
            continue;
        }
        let ns = ws.namespace_of(obj);
        match first.entry((obj.file, obj.group(), obj.kind, ns, name)) {
            Entry::Vacant(v) => {
                v.insert(obj);
            }
            Entry::Occupied(o) => {
                let earlier = *o.get();
                let whose = match ns {
                    Some(ns) => format!("{} `{name}` in namespace `{ns}`", obj.kind),
                    None => format!("{} `{name}`", obj.kind),
                };
                let d = ctx
                    .diag(obj, obj.anchor_span(), format!("{whose} is defined again in this file"))
                    .with_primary_label("defined again here")
                    .with_label(earlier.file, earlier.anchor_span(), "first defined here")
                    .with_help("applied together, the second definition replaces the first (and `kubectl create` fails on it): remove one, or give it another name");
                ctx.push(d);
            }
        }
    }
}
