//! `container-invalid`: container fields the API server rejects (`validateContainers`,
//! `validateInitContainers`, `validateEphemeralContainers`, `validateLifecycle`,
//! `validateMountPropagation`, `validateVolumeDevices`): a container `restartPolicy` off an
//! init container, Bidirectional mount propagation without privilege, lifecycle handlers, block
//! devices, ephemeral containers at create.

use std::collections::HashMap;

use crate::diagnostics::Severity;
use crate::model::fields::{mountable_names, volume_sources};
use crate::model::{Container, ContainerKind, Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "container-invalid",
    severity: Severity::Error,
    category: Category::PodSpec,
    summary: "A container the API server rejects: restartPolicy on a regular container (1.34 and older), Bidirectional propagation without privileged, a lifecycle hook without exactly one handler, a bad volumeDevice, ephemeral containers at create",
    fix: false,
    doc: include_str!("../../../rules/container-invalid.md"),
    check: Check::Object(check),
};

const LIFECYCLE_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "sleep"];

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else { return };
    let Some(spec) = t.spec else { return };
    if let Some(e) = spec.entry("containers") {
        if e.value.is_seq() && e.value.items().is_empty() {
            let d = ctx
                .diag(obj, e.value.span, "the pod has no containers (`containers: []`)")
                .with_primary_label("empty")
                .with_help("the API server rejects a pod without containers (`containers: Required value`); add at least one container");
            ctx.push(d);
        }
    }
    if let Some(e) = spec.entry("ephemeralContainers") {
        if !e.value.items().is_empty() {
            let (msg, server) = if obj.kind == "Pod" {
                ("ephemeral containers cannot be set when the Pod is created", "cannot be set on create")
            } else {
                ("a pod template may not have ephemeral containers", "ephemeral containers not allowed in pod template")
            };
            let d = ctx
                .diag(obj, e.key.span, msg)
                .with_primary_label("not allowed here")
                .with_help(format!(
                    "the API server rejects it (`ephemeralContainers: Forbidden: {server}`); ephemeral containers are added to a running pod with `kubectl debug`; move the container to `containers`"
                ));
            ctx.push(d);
        }
    }
    let devices_ok = block_device_sources(obj, &t);
    // `terminationGracePeriodSeconds` defaults to 30; a negative one is `pod-spec-warning`'s.
    let grace = match spec.get("terminationGracePeriodSeconds") {
        None => Some(30),
        Some(n) if n.is_null() => Some(30),
        Some(n) => n.as_i64().filter(|g| *g >= 0),
    };
    for c in t.containers() {
        restart_policy(ctx, obj, &c);
        propagation(ctx, obj, &c);
        if c.may_have_probes() {
            lifecycle(ctx, obj, &c, grace);
        }
        devices(ctx, obj, &c, &devices_ok);
    }
}

/// Container restart rules (`ContainerRestartRules`, alpha in 1.34, beta from 1.35) let any
/// container set `restartPolicy`; before them only a sidecar's `Always` was accepted. Judged
/// only when the run targets an older version explicitly, never by default.
fn before_container_restart_rules(version: Option<&str>) -> bool {
    version
        .and_then(|v| v.strip_prefix("1."))
        .and_then(|m| m.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m <= 34)
}

fn restart_policy(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>) {
    if !before_container_restart_rules(ctx.config.kubernetes_version.as_deref()) {
        return;
    }
    let Some(e) = c.node.entry("restartPolicy") else { return };
    let Some(v) = e.value.as_str() else { return };
    match c.kind {
        ContainerKind::Init if v != "Always" => {
            let d = ctx
                .diag(obj, e.value.span, format!("`restartPolicy: {v}` is not supported on {}", c.describe()))
                .with_primary_label("only `Always` is supported")
                .with_help(format!(
                    "the API server rejects it (`restartPolicy: Unsupported value: \"{v}\": supported values: \"Always\"`); `Always` makes a sidecar that runs beside the app; remove the field for a plain init container"
                ));
            ctx.push(d);
        }
        ContainerKind::Init => {}
        // The ephemeral container itself is reported.
        ContainerKind::Ephemeral => {}
        ContainerKind::Regular => {
            let d = ctx
                .diag(obj, e.key.span, format!("{} sets `restartPolicy`, which only init containers may set", c.describe()))
                .with_primary_label("only for init containers")
                .with_help("the API server rejects it (`restartPolicy: Forbidden: may not be set for non-init containers`); use the pod's `spec.restartPolicy`, or move the container to `initContainers` to make it a sidecar");
            ctx.push(d);
        }
    }
}

/// `recursiveReadOnly: Enabled`/`IfPossible` needs a read-only mount without propagation.
fn recursive_read_only(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, m: &Node) {
    let Some(rro) = m
        .get("recursiveReadOnly")
        .filter(|n| matches!(n.as_str(), Some("Enabled" | "IfPossible")))
    else {
        return;
    };
    let name = m.get("name").and_then(Node::as_str).unwrap_or("?");
    let value = rro.as_str().unwrap_or_default();
    if m.get("readOnly").and_then(Node::as_bool) != Some(true) {
        let d = ctx
            .diag(obj, rro.span, format!("{} mounts `{name}` with `recursiveReadOnly: {value}` but not `readOnly: true`", c.describe()))
            .with_primary_label("needs readOnly: true")
            .with_help("the API server rejects it (`recursiveReadOnly: Forbidden: may only be specified when readOnly is true`); add `readOnly: true` to the mount");
        ctx.push(d);
    }
    if let Some(p) = m
        .get("mountPropagation")
        .filter(|p| p.as_str().is_some_and(|v| v != "None"))
    {
        let d = ctx
            .diag(obj, rro.span, format!("{} mounts `{name}` with `recursiveReadOnly: {value}` and `mountPropagation: {}`", c.describe(), p.as_str().unwrap_or_default()))
            .with_primary_label("recursiveReadOnly")
            .with_label(obj.file, p.span, "mountPropagation")
            .with_help("the API server rejects it (`recursiveReadOnly: Forbidden: may only be specified when mountPropagation is None or not specified`); drop one of them");
        ctx.push(d);
    }
}

fn propagation(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>) {
    for m in c.volume_mounts() {
        recursive_read_only(ctx, obj, c, m);
    }
    let privileged = c
        .node
        .get_path(&["securityContext", "privileged"])
        .and_then(Node::as_bool)
        == Some(true);
    if privileged {
        return;
    }
    for m in c.volume_mounts() {
        let Some(p) = m.get("mountPropagation").filter(|p| p.as_str() == Some("Bidirectional")) else {
            continue;
        };
        let name = m.get("name").and_then(Node::as_str).unwrap_or("?");
        let d = ctx
            .diag(obj, p.span, format!("{} mounts `{name}` with `mountPropagation: Bidirectional` but is not privileged", c.describe()))
            .with_primary_label("needs a privileged container")
            .with_help("the API server rejects it (`mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers`); set `securityContext.privileged: true`, or use `HostToContainer`");
        ctx.push(d);
    }
}

fn lifecycle(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, grace: Option<i64>) {
    let Some(lc) = c.node.get("lifecycle").filter(|n| n.is_map()) else {
        return;
    };
    for hook in ["postStart", "preStop"] {
        let Some(he) = lc.entry(hook).filter(|e| e.value.is_map()) else {
            continue;
        };
        let handlers: Vec<_> = he
            .value
            .entries()
            .iter()
            .filter(|e| e.key.key_text().is_some_and(|k| LIFECYCLE_HANDLERS.contains(&k)) && !e.value.is_null())
            .collect();
        match handlers.as_slice() {
            [] => {
                // A misspelt handler is the schema's unknown field.
                if !he.value.entries().is_empty() {
                    continue;
                }
                let d = ctx
                    .diag(obj, he.key.span, format!("the {hook} hook of {} has no handler", c.describe()))
                    .with_primary_label("no exec, httpGet, tcpSocket or sleep")
                    .with_help(format!("the API server rejects it (`lifecycle.{hook}: Required value: must specify a handler type`); add one of `exec`, `httpGet`, `sleep`, or remove the hook"));
                ctx.push(d);
            }
            [one] if one.key.key_text() == Some("sleep") => {
                if let Some(grace) = grace {
                    sleep_seconds(ctx, obj, c, hook, &one.value, grace);
                }
            }
            [_] => {}
            [first, second, ..] => {
                let d = ctx
                    .diag(obj, second.key.span, format!("the {hook} hook of {} sets more than one handler", c.describe()))
                    .with_primary_label("second handler")
                    .with_label(obj.file, first.key.span, "first handler")
                    .with_help(format!("the API server rejects it (`lifecycle.{hook}: Forbidden: may not specify more than 1 handler type`); keep one"));
                ctx.push(d);
            }
        }
    }
}

/// `validateSleepAction`: the sleep within the pod's grace period, and above zero before
/// `PodLifecycleSleepActionAllowZero` (beta, on by default, in 1.33).
fn sleep_seconds(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, hook: &str, sleep: &Node, grace: i64) {
    let Some(n) = sleep.get("seconds") else { return };
    let Some(seconds) = n.as_i64() else { return };
    let zero_ok = crate::rules::api::at_least(ctx, 33);
    let (message, server) = if seconds > grace {
        (
            format!("the {hook} sleep of {} lasts {seconds} seconds, longer than the pod's terminationGracePeriodSeconds ({grace})", c.describe()),
            "set `terminationGracePeriodSeconds` above the sleep (it also bounds the rest of the shutdown), or sleep less",
        )
    } else if seconds < 0 || (seconds == 0 && !zero_ok) {
        (
            format!("the {hook} sleep of {} lasts {seconds} seconds", c.describe()),
            if seconds == 0 {
                "a zero sleep is accepted from Kubernetes 1.33 (`PodLifecycleSleepActionAllowZero`); sleep at least a second, or remove the hook"
            } else {
                "sleep a number of seconds within the grace period, or remove the hook"
            },
        )
    } else {
        return;
    };
    let rule = if zero_ok {
        format!("must be non-negative and less than terminationGracePeriodSeconds ({grace})")
    } else {
        format!("must be greater than 0 and less than terminationGracePeriodSeconds ({grace})")
    };
    let label = if seconds > grace { "longer than the grace period" } else { "not a valid sleep" };
    let d = ctx
        .diag(obj, n.span, message)
        .with_primary_label(label)
        .with_help(format!("the API server rejects it (`lifecycle.{hook}.sleep.seconds: Invalid value: {seconds}: {rule}`); {server}"));
    ctx.push(d);
}

/// Volume name -> whether it may back a block device (a PVC, a generic ephemeral volume,
/// a StatefulSet claim template).
fn block_device_sources<'a>(obj: &Object<'a>, t: &PodTemplate<'a>) -> HashMap<&'a str, bool> {
    let mut out: HashMap<&str, bool> = mountable_names(obj, t)
        .into_iter()
        .map(|(n, _)| (n, true))
        .collect();
    for v in t.volumes() {
        let Some(name) = v.get("name").and_then(Node::as_str) else { continue };
        let sources = volume_sources(v);
        // A volume with no source defaults to emptyDir.
        let block = sources.iter().any(|e| {
            matches!(e.key.key_text(), Some("persistentVolumeClaim" | "ephemeral"))
        });
        out.insert(name, block);
    }
    out
}

fn devices(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, c: &Container<'_>, sources: &HashMap<&str, bool>) {
    let mounts: Vec<(&str, &Node)> = c
        .volume_mounts()
        .filter_map(|m| Some((m.get("name")?.as_str()?, m)))
        .collect();
    let mut paths: HashMap<&str, &Node> = HashMap::new();
    for dev in crate::model::all_items(Some(c.node), "volumeDevices") {
        let name_node = dev.get("name");
        let name = name_node.and_then(Node::as_str);
        if let (Some(name), Some(name_node)) = (name, name_node) {
            match sources.get(name) {
                None => {
                    let d = ctx
                        .diag(obj, name_node.span, format!("{} uses `{name}` as a block device, but the pod has no volume `{name}`", c.describe()))
                        .with_primary_label("no such volume")
                        .with_help(format!("the API server rejects it (`volumeDevices[..].name: Not found: \"{name}\"`); declare a `persistentVolumeClaim` volume named `{name}` in `volumes`"));
                    ctx.push(d);
                }
                Some(false) => {
                    let d = ctx
                        .diag(obj, name_node.span, format!("{} uses volume `{name}` as a block device, but it is not a PersistentVolumeClaim", c.describe()))
                        .with_primary_label("not a PVC")
                        .with_help("the API server rejects it (`can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode`); use `volumeMounts` for this volume, or a `persistentVolumeClaim` with `volumeMode: Block`");
                    ctx.push(d);
                }
                Some(true) => {}
            }
            if let Some((_, m)) = mounts.iter().find(|(n, _)| *n == name) {
                let m = m.get("name").unwrap_or(m);
                let d = ctx
                    .diag(obj, name_node.span, format!("{} uses volume `{name}` both as a block device and as a mount", c.describe()))
                    .with_primary_label("also in volumeMounts")
                    .with_label(obj.file, m.span, "the mount")
                    .with_help("the API server rejects it (`volumeDevices[..].name: Invalid value: must not already exist in volumeMounts`); a volume is either a filesystem or a raw block device");
                ctx.push(d);
            }
        }
        let Some(path_node) = dev.get("devicePath") else { continue };
        let Some(path) = path_node.as_str() else { continue };
        if path.split('/').any(|s| s == "..") {
            let d = ctx
                .diag(obj, path_node.span, format!("`devicePath: {path}` of {} contains `..`", c.describe()))
                .with_primary_label("no `..`")
                .with_help("the API server rejects it (`devicePath: Invalid value: can not contain backsteps ('..')`); give the device's absolute path, e.g. `/dev/xvda`");
            ctx.push(d);
            continue;
        }
        if let Some(first) = paths.get(path) {
            let d = ctx
                .diag(obj, path_node.span, format!("{} declares the device path `{path}` twice", c.describe()))
                .with_primary_label("duplicate")
                .with_label(obj.file, first.span, "first here")
                .with_help("the API server rejects it (`devicePath: Invalid value: must be unique`)");
            ctx.push(d);
        } else {
            paths.insert(path, path_node);
        }
        if let Some(mp) = mounts
            .iter()
            .filter_map(|(_, m)| m.get("mountPath"))
            .find(|p| p.as_str() == Some(path))
        {
            let d = ctx
                .diag(obj, path_node.span, format!("{} uses `{path}` both as a device path and as a mount path", c.describe()))
                .with_primary_label("also a mountPath")
                .with_label(obj.file, mp.span, "the mount")
                .with_help("the API server rejects it (`devicePath: Invalid value: must not already exist as a path in volumeMounts`); choose another path");
            ctx.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::before_container_restart_rules;

    #[test]
    fn restart_rules_by_version() {
        assert!(before_container_restart_rules(Some("1.34")));
        assert!(before_container_restart_rules(Some("1.29")));
        assert!(!before_container_restart_rules(Some("1.35")));
        assert!(!before_container_restart_rules(None));
    }
}
