//! `overlapping-selectors`: two workload controllers in one namespace whose selectors select
//! the same pods.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::{label_map, LabelSelector, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "overlapping-selectors",
    severity: Severity::Warning,
    category: Category::Selectors,
    summary: "A pod template is selected by the selectors of two workloads",
    fix: false,
    doc: include_str!("../../../rules/overlapping-selectors.md"),
    check: Check::Workspace(check),
};

struct Controller<'s, 'a> {
    obj: &'s Object<'a>,
    ns: &'s str,
    selector_node: &'a Node,
    selector: LabelSelector<'a>,
    template: PodTemplate<'a>,
}

fn controllers<'s, 'a>(ctx: &Ctx<'s, 'a>) -> Vec<Controller<'s, 'a>> {
    let ws = ctx.ws;
    let mut out = Vec::new();
    for kind in [
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "ReplicationController",
    ] {
        for obj in ws.of_kind(kind) {
            let Some(ns) = ws.namespace_of(obj) else {
                continue;
            };
            let Some(template) = PodTemplate::of(obj) else {
                continue;
            };
            let Some(selector_node) = obj
                .spec()
                .and_then(|s| s.get("selector"))
                .filter(|s| s.is_map())
            else {
                continue;
            };
            let selector = if kind == "ReplicationController" {
                LabelSelector::from_map(selector_node)
            } else {
                LabelSelector::from_selector(selector_node)
            };
            // An empty selector, or one that misses its own template, is rejected by the API
            // server (`selector-template-mismatch`); it controls nothing.
            if selector.is_empty() || !selector.matches(&label_map(template.labels())) {
                continue;
            }
            out.push(Controller {
                obj,
                ns,
                selector_node,
                selector,
                template,
            });
        }
    }
    out
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let cs = controllers(ctx);
    let ws = ctx.ws;
    // Controllers by their object, to go from a selected template back to its controller.
    let by_object: HashMap<(usize, usize, Option<usize>), usize> = cs
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.obj.file, c.obj.document, c.obj.list_item), i))
        .collect();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, a) in cs.iter().enumerate() {
        // The label index yields the templates a's selector matches: no pass over all pairs.
        for (o, _) in ws.templates_selected_by(a.ns, &a.selector) {
            if let Some(&j) = by_object.get(&(o.file, o.document, o.list_item)) {
                if j != i {
                    pairs.push((i.min(j), i.max(j)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for (i, j) in pairs {
        let (a, b) = (&cs[i], &cs[j]);
        // The same name twice is one workload written in two variants (or a duplicate,
        // which is another finding), not two controllers.
        if a.ns != b.ns || a.obj.name == b.obj.name {
            continue;
        }
        // Files of one directory are deployed together; across directories, the same
        // app often comes in alternative variants (examples, overlays).
        if !same_dir(ctx, a.obj.file, b.obj.file) {
            continue;
        }
        let b_sel_a = b.selector.matches(&label_map(a.template.labels()));
        // Report at the later one's selector when it overlaps, pointing at the other.
        let (sel, other) = if b_sel_a { (b, a) } else { (a, b) };
        let d = ctx
            .diag(
                sel.obj,
                sel.selector_node.span,
                format!(
                    "{} and {} select the same pods: the selector of {} (`{}`) matches the pod template of {}",
                    a.obj.display_name(),
                    b.obj.display_name(),
                    sel.obj.display_name(),
                    sel.selector.describe(),
                    other.obj.display_name()
                ),
            )
            .with_primary_label("this selector")
            .with_label(
                other.obj.file,
                other.template.labels_span(),
                format!("the pod template of {} is here", other.obj.display_name()),
            )
            .with_help(
                "controllers whose selectors overlap fight over the same pods (each counts the other's pods as its own); give each workload a distinguishing label in both its selector and its template",
            );
        ctx.push(d);
    }
}

fn same_dir(ctx: &Ctx<'_, '_>, a: usize, b: usize) -> bool {
    let dir = |f: usize| {
        ctx.ws.files.get(f).and_then(|f| {
            std::path::Path::new(&f.path)
                .parent()
                .map(|p| p.to_path_buf())
        })
    };
    a == b || dir(a) == dir(b)
}
