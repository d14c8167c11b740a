//! `referenced-key-missing`: a pod reads a key of a ConfigMap or Secret of the run that the
//! object does not have.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::Severity;
use crate::model::{all_items, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "referenced-key-missing",
    severity: Severity::Warning,
    category: Category::Volumes,
    summary: "A pod reads a key (env `configMapKeyRef`/`secretKeyRef`, volume `items`) that the run's ConfigMap or Secret of that name does not have",
    fix: false,
    doc: include_str!("../../../rules/referenced-key-missing.md"),
    check: Check::Workspace(check),
};

/// One key a pod reads: of which kind and object, through what.
struct KeyRef<'a> {
    kind: &'static str,
    object: &'a str,
    key: &'a Node,
    via: String,
    /// Read by a volume (the kubelet's error differs from an environment variable's).
    volume: bool,
}

fn optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

/// The keys a volume source (`configMap`, `secret`, or one of a projected volume's sources)
/// names in its `items`.
fn item_keys<'a>(
    out: &mut Vec<KeyRef<'a>>,
    source: Option<&'a Node>,
    kind: &'static str,
    name_field: &str,
    via: &str,
) {
    let Some(source) = source.filter(|s| !optional(s)) else {
        return;
    };
    let Some(object) = source.get(name_field).and_then(Node::as_str) else {
        return;
    };
    for item in all_items(Some(source), "items") {
        if let Some(key) = item.get("key") {
            out.push(KeyRef { kind, object, key, via: via.to_string(), volume: true });
        }
    }
}

/// Beyond this many keys an object's near misses are not looked for: each missing key would
/// be compared with every one of them.
const MAX_SUGGESTION_KEYS: usize = 1_000;

/// What the run says of one object's keys, worked out once per run however many pods read it.
struct Known<'w, 'a> {
    set: HashSet<&'a str>,
    /// A ConfigMap's `binaryData` keys: a volume reads them, an environment variable does
    /// not (the kubelet looks in `data` only).
    binary: HashSet<&'a str>,
    sorted: Vec<&'a str>,
    first: &'w Object<'a>,
}

/// The keys of every variant of an object the run holds (an example and its copy, overlays):
/// `None` when there is none, or when one cannot be judged ([`keys_of`]).
fn known<'w, 'a>(
    ws: &'w crate::model::Workspace<'a>,
    kind: &'w str,
    ns: &'w str,
    name: &'w str,
) -> Option<Known<'w, 'a>> {
    let mut first = None;
    let mut sorted: Vec<&'a str> = Vec::new();
    let mut binary: Vec<&'a str> = Vec::new();
    for o in ws.find_all(kind, Some(ns), name) {
        let (text, bytes) = keys_of(o)?;
        sorted.extend(text);
        binary.extend(bytes);
        first.get_or_insert(o);
    }
    let set: HashSet<&'a str> = sorted.iter().copied().collect();
    // A key some copy has in `data` reads as text there.
    let binary: HashSet<&'a str> = binary.into_iter().filter(|k| !set.contains(k)).collect();
    sorted.extend(binary.iter().copied());
    sorted.sort_unstable();
    sorted.dedup();
    Some(Known {
        set,
        binary,
        sorted,
        first: first?,
    })
}

fn pod_refs<'a>(template: &PodTemplate<'a>) -> Vec<KeyRef<'a>> {
    let mut refs: Vec<KeyRef<'a>> = Vec::new();
    for c in template.containers() {
        let who = c.describe();
        for e in c.env() {
            let ename = e.get("name").and_then(Node::as_str).unwrap_or("?");
            for (field, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                let Some(r) = e.get_path(&["valueFrom", field]).filter(|n| !optional(n)) else {
                    continue;
                };
                if let (Some(object), Some(key)) = (r.get("name").and_then(Node::as_str), r.get("key")) {
                    refs.push(KeyRef { kind, object, key, via: format!("env `{ename}` of {who}"), volume: false });
                }
            }
        }
    }
    for v in template.volumes() {
        let via = format!("volume `{}`", v.get("name").and_then(Node::as_str).unwrap_or("?"));
        item_keys(&mut refs, v.get("configMap"), "ConfigMap", "name", &via);
        item_keys(&mut refs, v.get("secret"), "Secret", "secretName", &via);
        for src in all_items(v.get("projected"), "sources") {
            item_keys(&mut refs, src.get("configMap"), "ConfigMap", "name", &via);
            item_keys(&mut refs, src.get("secret"), "Secret", "name", &via);
        }
    }
    refs
}

fn check(ctx: &mut Ctx<'_, '_>) {
    let ws = ctx.ws;
    let mut cache: HashMap<(&str, &str, &str), Option<Known<'_, '_>>> = HashMap::new();
    for (obj, template) in ws.pod_templates() {
        let Some(ns) = ws.namespace_of(obj) else {
            continue;
        };
        for r in pod_refs(&template) {
            let Some(key) = r.key.as_str() else { continue };
            if key.is_empty() || crate::model::fields::is_templated(key) || crate::model::fields::is_templated(r.object) {
                continue;
            }
            let Some(k) = cache
                .entry((r.kind, ns, r.object))
                .or_insert_with(|| known(ws, r.kind, ns, r.object))
            else {
                continue;
            };
            if k.set.contains(key) || (r.volume && k.binary.contains(key)) {
                continue;
            }
            let first = k.first;
            if k.binary.contains(key) {
                let d = ctx
                    .diag(
                        obj,
                        r.key.span,
                        format!("{} reads key `{key}` of ConfigMap `{}`, which is in its `binaryData`: environment variables read `data` only", r.via, r.object),
                    )
                    .with_primary_label(format!("`{key}` is binary data"))
                    .with_help(format!(
                        "the kubelet will not start the pod (`couldn't find key {key} in ConfigMap {ns}/{}`): mount the key as a file through a `configMap` volume, or move it to `data`",
                        r.object
                    ));
                ctx.push(d);
                continue;
            }
            let suggestion = (k.sorted.len() <= MAX_SUGGESTION_KEYS)
                .then(|| crate::model::names::typo_of(key, &k.sorted))
                .flatten();
            // Without a near miss, only where the run is the whole picture: a kustomize overlay
            // merges keys into a base's ConfigMap, a Helm chart's values fill them in.
            if suggestion.is_none() && !(ws.can_judge_absence(obj.file, ns) && ws.can_judge_absence(first.file, ns)) {
                continue;
            }
            // The `data:` key itself: the whole block of a big ConfigMap would fill the screen.
            let data = first.root.entries().iter().find(|e| matches!(e.key.as_str(), Some("data" | "stringData" | "binaryData")));
            let here = data.map_or_else(|| first.anchor_span(), |e| e.key.span);
            let d = ctx
                .diag(
                    obj,
                    r.key.span,
                    format!("{} reads key `{key}` of {} `{}`, which has no such key", r.via, r.kind, r.object),
                )
                .with_primary_label(format!("no key `{key}` in {} `{}`", r.kind, r.object))
                .with_label(first.file, here, format!("the keys of {} `{}`", r.kind, r.object));
            let d = match suggestion {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => {
                    let list: Vec<String> = k.sorted.iter().take(5).map(|k| format!("`{k}`")).collect();
                    let more = if k.sorted.len() > 5 { ", ..." } else { "" };
                    let error = match (r.volume, r.kind) {
                        (true, "Secret") => format!("secret references non-existent secret key: {key}"),
                        (true, _) => format!("configmap references non-existent config key: {key}"),
                        (false, kind) => format!("couldn't find key {key} in {kind} {ns}/{}", r.object),
                    };
                    d.with_help(format!(
                        "{} `{}` defines {}{more}; the kubelet will not start the pod (`{error}`). Add the key, or mark the reference `optional: true`",
                        r.kind,
                        r.object,
                        list.join(", "),
                    ))
                }
            };
            ctx.push(d);
        }
    }
}

/// The keys an object of the run defines, or `None` when its keys cannot be judged from the
/// manifest: no data at all (a placeholder another tool or a person fills in), or a
/// service-account token Secret, whose keys the token controller writes.
fn keys_of<'a>(o: &Object<'a>) -> Option<(Vec<&'a str>, Vec<&'a str>)> {
    if o.root.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token") {
        return None;
    }
    let keys = |fields: &[&str]| -> Vec<&'a str> {
        fields
            .iter()
            .filter_map(|f| o.root.get(f))
            .flat_map(|m| m.entries().iter().filter_map(|e| e.key.as_str()))
            .collect()
    };
    // Secrets: `data` and `stringData` (merged into `data` on write); ConfigMaps: `data`,
    // and `binaryData` apart.
    let (text, binary) = if o.kind == "Secret" {
        (keys(&["data", "stringData"]), Vec::new())
    } else {
        (keys(&["data"]), keys(&["binaryData"]))
    };
    (!text.is_empty() || !binary.is_empty()).then_some((text, binary))
}
