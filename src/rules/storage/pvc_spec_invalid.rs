//! `pvc-spec-invalid`: `ValidatePersistentVolumeClaimSpec` (pkg/apis/core/validation) on
//! PersistentVolumeClaims, StatefulSet `volumeClaimTemplates` and ephemeral volume
//! templates: access modes, the storage request, `volumeMode`.

use crate::diagnostics::Severity;
use crate::model::{quantity, template_path, Object};
use crate::rules::api::{enum_value, judged_str, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "pvc-spec-invalid",
    severity: Severity::Error,
    category: Category::Storage,
    summary: "A PersistentVolumeClaim spec without access modes or a storage request, or with an unknown access mode",
    fix: false,
    doc: include_str!("../../../rules/pvc-spec-invalid.md"),
    check: Check::Object(check),
};

const ACCESS_MODES: &[&str] = &["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    match (obj.group(), obj.kind) {
        ("", "PersistentVolumeClaim") => {
            if let Some(spec) = obj.spec() {
                claim_spec(ctx, obj, spec, "PersistentVolumeClaim");
            }
        }
        ("apps", "StatefulSet") => {
            let templates = obj.root.get_path(&["spec", "volumeClaimTemplates"]);
            for t in templates.map(Node::items).unwrap_or_default() {
                if let Some(spec) = t.get("spec").filter(|n| n.is_map()) {
                    claim_spec(ctx, obj, spec, "volume claim template");
                }
            }
        }
        _ => {}
    }
    if let Some(path) = template_path(obj.kind) {
        let mut p: Vec<&str> = path.to_vec();
        p.extend(["spec", "volumes"]);
        for v in obj.root.get_path(&p).map(Node::items).unwrap_or_default() {
            if let Some(spec) = v
                .get_path(&["ephemeral", "volumeClaimTemplate", "spec"])
                .filter(|n| n.is_map())
            {
                claim_spec(ctx, obj, spec, "ephemeral volume claim template");
            }
        }
    }
}

fn claim_spec(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, what: &str) {
    let modes = spec.get("accessModes");
    match modes {
        Some(m) if !m.items().is_empty() => {
            for mode in m.items() {
                if let Some(v) = judged_str(mode) {
                    if !ACCESS_MODES.contains(&v) {
                        let hint = crate::model::names::did_you_mean(v, ACCESS_MODES)
                            .map_or_else(|| "use `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` or `ReadWriteOncePod`".to_string(), |s| format!("did you mean `{s}`? (values are case-sensitive)"));
                        reject(ctx, obj, mode, format!("`{v}` is not an access mode"), &format!("Unsupported value: \"{v}\""), &hint);
                    }
                }
            }
            let once_pod = m.items().iter().find(|n| n.as_str() == Some("ReadWriteOncePod"));
            if let (Some(op), true) = (once_pod, m.items().len() > 1) {
                reject(
                    ctx,
                    obj,
                    op,
                    "`ReadWriteOncePod` is listed with other access modes".into(),
                    "Forbidden: may not use ReadWriteOncePod with other access modes",
                    "`ReadWriteOncePod` must be the only access mode",
                );
            }
        }
        // Templated lists (`{{ ... }}` as a scalar) are not judged.
        Some(m) if !m.is_seq() && !m.is_null() => {}
        _ => reject(
            ctx,
            obj,
            modes.unwrap_or(spec),
            format!("the {what} has no `accessModes`"),
            "Required value: at least 1 access mode is required",
            "add e.g. `accessModes: [ReadWriteOnce]`",
        ),
    }
    enum_value(ctx, obj, spec, "volumeMode", &["Filesystem", "Block"]);
    data_sources(ctx, obj, spec);
    if let Some(class) = spec.get("storageClassName") {
        if let Some(v) = judged_str(class) {
            let errs = crate::model::names::dns1123_subdomain(v);
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    class,
                    format!("`storageClassName: {v}` {}", errs.join("; ")),
                    "Invalid value: a lowercase RFC 1123 subdomain",
                    "use the name of a StorageClass (`kubectl get storageclass`), or `\"\"` for no class",
                );
            }
        }
    }
    let requests = spec.get_path(&["resources", "requests"]);
    match requests.and_then(|r| r.get("storage")) {
        None => {
            if requests.is_some_and(|r| !r.is_map() && !r.is_null()) {
                return;
            }
            reject(
                ctx,
                obj,
                requests.or(spec.get("resources")).unwrap_or(spec),
                format!("the {what} requests no storage (`resources.requests.storage`)"),
                "Required value",
                "add `resources: {requests: {storage: 1Gi}}` with the size you need",
            );
        }
        Some(s) => {
            if let Some(Ok(q)) = quantity::from_node(s) {
                if q.value <= 0.0 {
                    reject(
                        ctx,
                        obj,
                        s,
                        format!("the storage request `{}` is not positive", s.text().unwrap_or("")),
                        "Invalid value: must be greater than zero",
                        "request the size you need, e.g. `1Gi`",
                    );
                }
            }
        }
    }
}

/// `validateDataSource`/`validateDataSourceRef` and their agreement: `kind` and `name` set,
/// the core group only for `PersistentVolumeClaim`, `apiGroup` a DNS subdomain,
/// `dataSourceRef.namespace` a namespace name and then no `dataSource`; both set without a
/// namespace must name the same object (the server copies one into the other when only one
/// is given).
fn data_sources(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let mut ds = spec.get("dataSource").filter(|n| n.is_map());
    let dsr = spec.get("dataSourceRef").filter(|n| n.is_map());
    if obj.kind == "PersistentVolumeClaim" && dsr.is_none() {
        if let Some(d) = ds.filter(|d| !kept_without_ref(d)) {
            dropped_data_source(ctx, obj, spec, d);
            ds = None;
        }
    }
    for (field, r) in [("dataSource", ds), ("dataSourceRef", dsr)] {
        if let Some(r) = r {
            reference(ctx, obj, field, r);
        }
    }
    let (Some(ds), Some(dsr)) = (ds, dsr) else { return };
    let ns = dsr.get("namespace").filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    if let Some(ns) = ns {
        reject_pair(
            ctx,
            obj,
            ds,
            ns.span,
            "`dataSourceRef.namespace` is set here".into(),
            "`dataSource` is set together with a cross-namespace `dataSourceRef`".into(),
            "Invalid value: may not be specified when dataSourceRef.namespace is specified",
            "remove `dataSource`: `dataSourceRef` alone names the source in the other namespace",
        );
        return;
    }
    let text = |r: &Node, k: &str| r.get(k).and_then(Node::as_str).unwrap_or("").to_string();
    let shown = |v: String| if v.is_empty() { "(none)".to_string() } else { format!("`{v}`") };
    let templated = [ds, dsr].iter().any(|r| {
        ["apiGroup", "kind", "name"]
            .iter()
            .filter_map(|k| r.get(k))
            .any(|n| n.as_str().is_some_and(|v| !v.is_empty()) && judged_str(n).is_none())
    });
    if templated {
        return;
    }
    let differs = ["apiGroup", "kind", "name"]
        .iter()
        .find(|k| text(ds, k) != text(dsr, k));
    if let Some(k) = differs {
        reject_pair(
            ctx,
            obj,
            ds,
            dsr.span,
            "`dataSourceRef` is here".into(),
            format!(
                "`dataSource` and `dataSourceRef` name different objects (`{k}`: {} and {})",
                shown(text(ds, k)),
                shown(text(dsr, k))
            ),
            "Invalid value: must match dataSourceRef",
            "set only `dataSourceRef` (the server fills `dataSource` from it), or make both name the same object",
        );
    }
}

/// `EnforceDataSourceBackwardsCompatibility` (the claim strategy's `PrepareForCreate`):
/// without `dataSourceRef`, a claim's `dataSource` is kept only when it names a
/// PersistentVolumeClaim or a `snapshot.storage.k8s.io` VolumeSnapshot; anything else is
/// dropped before validation.
fn kept_without_ref(ds: &Node) -> bool {
    let kind = ds.get("kind").and_then(Node::as_str);
    let group = ds.get("apiGroup").and_then(Node::as_str).unwrap_or("");
    // A value left for a later tool is not judged.
    let templated = [kind, Some(group)].into_iter().flatten().any(|v| judged_str_or_empty(v).is_none());
    templated
        || matches!(
            (kind, group),
            (Some("PersistentVolumeClaim"), "") | (Some("VolumeSnapshot"), "snapshot.storage.k8s.io")
        )
}

fn judged_str_or_empty(v: &str) -> Option<&str> {
    (v.is_empty() || (!crate::model::fields::is_templated(v) && !crate::rules::api::is_placeholder(v))).then_some(v)
}

fn dropped_data_source(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, ds: &Node) {
    let kind = ds.get("kind").and_then(Node::as_str).unwrap_or("?");
    let group = ds.get("apiGroup").and_then(Node::as_str).unwrap_or("");
    let span = spec.entry("dataSource").map_or(ds.span, |e| e.key.span);
    let help = if kind == "VolumeSnapshot" {
        "the API server keeps a `dataSource` only for a PersistentVolumeClaim or a VolumeSnapshot of `apiGroup: snapshot.storage.k8s.io`, and drops any other silently: the claim is created empty; write `apiGroup: snapshot.storage.k8s.io`".to_string()
    } else {
        format!("the API server keeps a `dataSource` only for a PersistentVolumeClaim or a `snapshot.storage.k8s.io` VolumeSnapshot, and drops any other silently: the claim is created empty; name a `{kind}` (a volume populator's object) in `dataSourceRef` instead")
    };
    let group_text = if group.is_empty() { "the core group".to_string() } else { format!("`apiGroup: {group}`") };
    let mut d = ctx
        .diag(obj, span, format!("the API server drops this `dataSource` (`kind: {kind}` in {group_text}), so the claim starts empty"))
        .with_primary_label("dropped")
        .with_help(help);
    d.severity = crate::diagnostics::Severity::Warning;
    ctx.push(d);
}

fn reference(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, field: &str, r: &Node) {
    for key in ["kind", "name"] {
        if let Some(n) = r.get(key).filter(|n| n.as_str() == Some("")) {
            reject(ctx, obj, n, format!("`{field}.{key}` is empty"), "Required value", &format!("set the `{key}` of the object to copy the data from"));
        }
    }
    let group = r.get("apiGroup").and_then(Node::as_str).unwrap_or("");
    let kind_node = r.get("kind");
    let kind = kind_node.and_then(judged_str);
    if group.is_empty() {
        if let (Some(k), Some(n)) = (kind, kind_node) {
            if k != "PersistentVolumeClaim" {
                let help = if k == "VolumeSnapshot" {
                    "set `apiGroup: snapshot.storage.k8s.io` for a VolumeSnapshot".to_string()
                } else {
                    format!("set the `apiGroup` of `{k}`; only a PersistentVolumeClaim is in the core group")
                };
                reject(
                    ctx,
                    obj,
                    n,
                    format!("`{field}` names `kind: {k}` without an `apiGroup`"),
                    "Invalid value: must be 'PersistentVolumeClaim' when referencing the default apiGroup",
                    &help,
                );
            }
        }
    } else if let Some(g) = r.get("apiGroup").and_then(judged_str) {
        let errs = crate::model::names::dns1123_subdomain(g);
        if let (false, Some(n)) = (errs.is_empty(), r.get("apiGroup")) {
            reject(ctx, obj, n, format!("`{field}.apiGroup: {g}` {}", errs.join("; ")), "Invalid value: a lowercase RFC 1123 subdomain", "write the group alone, without the version (`snapshot.storage.k8s.io`, not `snapshot.storage.k8s.io/v1`)");
        }
    }
    if field == "dataSourceRef" {
        if let Some(ns) = r.get("namespace").and_then(judged_str) {
            let errs = crate::model::names::dns1123_label(ns);
            if let (false, Some(n)) = (errs.is_empty(), r.get("namespace")) {
                reject(ctx, obj, n, format!("`dataSourceRef.namespace: {ns}` {}", errs.join("; ")), "Invalid value: a lowercase RFC 1123 label", "use the name of the namespace that holds the source");
            }
        }
    }
}
