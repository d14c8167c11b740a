//! `referenced-object-missing`: a pod references a ConfigMap, Secret,
//! PersistentVolumeClaim or ServiceAccount that the run does not contain, although the run
//! has objects of that kind in the namespace.

use crate::diagnostics::Severity;
use crate::model::{all_items, Object, PodTemplate, Workspace};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "referenced-object-missing",
    severity: Severity::Warning,
    category: Category::Volumes,
    summary: "A pod references a ConfigMap, Secret, PVC or ServiceAccount absent from the run although the run has others of that kind in the namespace (warning for a near miss, else info)",
    fix: false,
    doc: include_str!("../../../rules/referenced-object-missing.md"),
    check: Check::Object(check),
};

/// ConfigMaps Kubernetes (and OpenShift) publish in every namespace.
const AUTO_CONFIGMAPS: &[&str] = &["kube-root-ca.crt", "openshift-service-ca.crt"];

struct Ref<'a> {
    kind: &'static str,
    name: &'a Node,
    via: String,
}

fn optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let Some(ns) = ctx.namespace_of(obj) else {
        return;
    };
    let mut refs: Vec<Ref<'_>> = Vec::new();
    for v in template.volumes() {
        let vname = v.get("name").and_then(Node::as_str).unwrap_or("?");
        if let Some(cm) = v.get("configMap").filter(|n| !optional(n)) {
            refs.extend(cm.get("name").map(|name| Ref { kind: "ConfigMap", name, via: format!("volume `{vname}`") }));
        }
        if let Some(s) = v.get("secret").filter(|n| !optional(n)) {
            refs.extend(s.get("secretName").map(|name| Ref { kind: "Secret", name, via: format!("volume `{vname}`") }));
        }
        if let Some(p) = v.get("persistentVolumeClaim") {
            refs.extend(p.get("claimName").map(|name| Ref {
                kind: "PersistentVolumeClaim",
                name,
                via: format!("volume `{vname}`"),
            }));
        }
        for src in all_items(v.get("projected"), "sources") {
            for (key, kind) in [("configMap", "ConfigMap"), ("secret", "Secret")] {
                if let Some(n) = src.get(key).filter(|n| !optional(n)) {
                    refs.extend(n.get("name").map(|name| Ref { kind, name, via: format!("projected volume `{vname}`") }));
                }
            }
        }
    }
    // The API server defaults `serviceAccountName` from the deprecated `serviceAccount`, and
    // its ServiceAccount admission refuses a pod whose account does not exist. `default` is
    // created in every namespace.
    let spec = template.spec;
    let account = ["serviceAccountName", "serviceAccount"].into_iter().find_map(|field| {
        let node = spec?.get(field)?;
        node.as_str().is_some_and(|s| !s.is_empty()).then_some((field, node))
    });
    if let Some((field, name)) = account.filter(|(_, n)| n.as_str() != Some("default")) {
        refs.push(Ref {
            kind: "ServiceAccount",
            name,
            via: format!("`{field}`"),
        });
    }
    for c in template.containers() {
        let who = c.describe();
        for e in c.env() {
            let ename = e.get("name").and_then(Node::as_str).unwrap_or("?");
            for (key, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                if let Some(r) = e.get_path(&["valueFrom", key]).filter(|n| !optional(n)) {
                    refs.extend(r.get("name").map(|name| Ref { kind, name, via: format!("env `{ename}` of {who}") }));
                }
            }
        }
        for e in all_items(Some(c.node), "envFrom") {
            for (key, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                if let Some(r) = e.get(key).filter(|n| !optional(n)) {
                    refs.extend(r.get("name").map(|name| Ref { kind, name, via: format!("`envFrom` of {who}") }));
                }
            }
        }
    }
    for r in refs {
        let Some(name) = r.name.as_str() else { continue };
        if name.is_empty() || crate::model::fields::is_templated(name) || (r.kind == "ConfigMap" && AUTO_CONFIGMAPS.contains(&name)) {
            continue;
        }
        // The common case, an object of the run by that name, is one lookup; the list of
        // producers is only built for the references that miss.
        if ctx.ws.find(r.kind, Some(ns), name).is_some() {
            continue;
        }
        let producers = producers(ctx.ws, r.kind, ns, obj.file);
        if producers.is_empty() || producers.contains(&name) {
            continue;
        }
        let mut known: Vec<&str> = producers.clone();
        known.sort_unstable();
        known.dedup();
        let mut d = ctx
            .diag(
                obj,
                r.name.span,
                format!(
                    "{} references {} `{name}`, which is not among the {}s of namespace `{ns}` in this run",
                    r.via, r.kind, r.kind
                ),
            )
            .with_primary_label(format!("no {} `{name}` here", r.kind));
        let suggestion = crate::model::names::typo_of(name, &known);
        // Without a near miss, a reference is only worth a note where the run is the whole
        // picture: kustomize generates ConfigMaps and Secrets, operators create them.
        if suggestion.is_none() && !ctx.ws.can_judge_absence(obj.file, ns) {
            continue;
        }
        if let Some(s) = suggestion {
            if let Some(o) = find_producer(ctx.ws, r.kind, ns, s) {
                d = d.with_label(o.file, o.anchor_span(), format!("{} `{s}` is defined here", o.kind));
            }
            d = d.with_help(format!("did you mean `{s}`?"));
        } else {
            // Present in neither the run nor as a near miss: probably created elsewhere
            // (by a controller, a Job, another repository). Worth a note, not a warning.
            d.severity = Severity::Info;
            let list: Vec<String> = known.iter().take(5).map(|k| format!("`{k}`")).collect();
            let outcome = if r.kind == "ServiceAccount" {
                format!("the API server refuses the pods (`error looking up service account {ns}/{name}`)")
            } else {
                format!(
                    "the pod will not start (`{} \"{name}\" not found`). Mark optional references with `optional: true`",
                    r.kind.to_ascii_lowercase()
                )
            };
            d = d.with_help(format!(
                "the run defines {} {}; if `{name}` is created elsewhere this is fine, otherwise {outcome}",
                r.kind,
                list.join(", "),
            ));
        }
        ctx.push(d);
    }
}

/// Names of the objects in `ns` that provide a `kind`: the objects themselves, plus for
/// Secrets the ones that controllers in the run create (cert-manager Certificates,
/// Bitnami SealedSecrets, External Secrets). Only those in the directory of `file`: other
/// directories hold other apps.
fn producers<'w>(ws: &'w Workspace<'_>, kind: &'w str, ns: &'w str, file: usize) -> Vec<&'w str> {
    let mut out = Vec::new();
    for o in ws.of_kind_near(kind, ns, file) {
        out.extend(o.name);
    }
    if kind == "Secret" {
        for o in ws.of_kind_near("SealedSecret", ns, file) {
            out.extend(o.name);
        }
        for o in ws.of_kind_near("ExternalSecret", ns, file) {
            let target = o.spec().and_then(|s| s.get_path(&["target", "name"])).and_then(Node::as_str);
            out.extend(target.or(o.name));
        }
        for o in ws.of_kind_near("Certificate", ns, file) {
            out.extend(o.spec().and_then(|s| s.get("secretName")).and_then(Node::as_str));
        }
    }
    out
}

fn find_producer<'w, 'a>(ws: &'w Workspace<'a>, kind: &str, ns: &str, name: &str) -> Option<&'w Object<'a>> {
    ws.find(kind, Some(ns), name)
}
