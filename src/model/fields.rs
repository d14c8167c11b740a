//! Field knowledge shared by the probe, volume, scheduling and resource rules: where a pod
//! spec sits, which keys are volume sources and probe handlers.

use super::{all_items, template_path, Object, PodTemplate};
use crate::yaml::Node;

/// `spec.template.spec` for a Deployment, `spec` for a Pod: the path of the pod spec in
/// messages.
pub fn pod_spec_path(kind: &str) -> String {
    match template_path(kind) {
        Some(p) if !p.is_empty() => format!("{}.spec", p.join(".")),
        _ => "spec".into(),
    }
}

/// Keys of `VolumeSource` (core/v1), each a volume type; a volume must set exactly one.
pub const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The source keys a volume sets. A key whose value is `null` does not count: the decoder
/// leaves the pointer nil, exactly as if the key were absent.
pub fn volume_sources(volume: &Node) -> Vec<&crate::yaml::Entry> {
    volume
        .entries()
        .iter()
        .filter(|e| {
            e.key
                .key_text()
                .is_some_and(|k| VOLUME_SOURCES.contains(&k))
                && !e.value.is_null()
        })
        .collect()
}

/// Names a container may mount: `spec.volumes[].name` (of every `volumes` key) plus, for a
/// StatefulSet, `spec.volumeClaimTemplates[].metadata.name`.
pub fn mountable_names<'a>(
    obj: &Object<'a>,
    template: &PodTemplate<'a>,
) -> Vec<(&'a str, &'a Node)> {
    let mut names: Vec<(&'a str, &'a Node)> = template
        .volumes()
        .filter_map(|v| {
            let n = v.get("name")?;
            Some((n.as_str()?, n))
        })
        .collect();
    if obj.kind == "StatefulSet" {
        names.extend(
            all_items(obj.spec(), "volumeClaimTemplates").filter_map(|t| {
                let n = t.get_path(&["metadata", "name"])?;
                Some((n.as_str()?, n))
            }),
        );
    }
    names
}

/// Probe handler keys.
pub const PROBE_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "grpc"];

/// The handler entries a probe sets (non-null).
pub fn probe_handlers(probe: &Node) -> Vec<&crate::yaml::Entry> {
    probe
        .entries()
        .iter()
        .filter(|e| {
            e.key
                .key_text()
                .is_some_and(|k| PROBE_HANDLERS.contains(&k))
                && !e.value.is_null()
        })
        .collect()
}

/// True when a string is templating left unrendered (`{{ .Values.x }}`, `${VAR}`, `$(VAR)`):
/// rules stay silent on such values.
pub fn is_templated(s: &str) -> bool {
    s.contains("{{") || s.contains("${") || s.contains("$(")
}

/// `(handler, port node)` of a probe's httpGet, tcpSocket and grpc handlers.
pub fn probe_ports(probe: &Node) -> impl Iterator<Item = (&'static str, &Node)> {
    ["httpGet", "tcpSocket", "grpc"]
        .into_iter()
        .filter_map(move |h| probe.get(h).and_then(|n| n.get("port")).map(|p| (h, p)))
}
