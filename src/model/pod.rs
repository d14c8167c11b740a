//! Typed, spanned views over pod templates, shared by every workload kind.

use super::Object;
use crate::yaml::Node;

/// Where a pod spec sits in an object of a given kind.
pub fn template_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &[],
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => &["spec", "template"],
        // OpenShift's DeploymentConfig (apps.openshift.io/v1) has the same shape.
        "DeploymentConfig" => &["spec", "template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => return None,
    })
}

/// A pod template: the metadata the pods get and their spec.
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    /// The mapping holding `metadata` and `spec` (the Pod itself for `kind: Pod`).
    pub node: &'a Node,
    pub metadata: Option<&'a Node>,
    pub spec: Option<&'a Node>,
}

impl<'a> PodTemplate<'a> {
    /// The pod template of `obj`, if its kind has one.
    pub fn of(obj: &Object<'a>) -> Option<Self> {
        obj.template
    }

    /// The pod template in the object `root` of kind `kind`.
    pub(crate) fn find(kind: &str, root: &'a Node) -> Option<Self> {
        let path = template_path(kind)?;
        let node = root.get_path(path)?;
        Some(PodTemplate {
            node,
            metadata: node.get("metadata"),
            spec: node.get("spec"),
        })
    }

    pub fn labels(&self) -> Option<&'a Node> {
        self.metadata.and_then(|m| m.get("labels"))
    }

    /// Where to point at the template's labels: the labels, else its metadata, else the
    /// template itself.
    pub fn labels_span(&self) -> crate::yaml::Span {
        self.labels()
            .or(self.metadata)
            .map_or(self.node.span, |n| n.span)
    }

    /// "the closest pod template is here (Deployment/web), its labels are `app: webapp`".
    pub fn closest_label(&self, owner: &Object<'_>) -> String {
        format!(
            "the closest pod template is here ({}), its labels are {}",
            owner.display_name(),
            super::describe_labels(&super::label_map(self.labels()))
        )
    }

    /// Every container, init and ephemeral ones included, in declaration order.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let spec = self.spec;
        [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Regular),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ]
        .into_iter()
        .flat_map(move |(key, kind)| {
            all_items(spec, key)
                .enumerate()
                .map(move |(index, node)| Container { node, kind, index })
        })
    }

    /// `spec.volumes` items (of every `volumes` key, should the key be duplicated).
    pub fn volumes(&self) -> impl Iterator<Item = &'a Node> + 'a {
        all_items(self.spec, "volumes")
    }
}

/// Items of every list under `key` in `map`, including shadowed duplicate keys: a rule
/// should see what the user wrote, not only what a lenient decoder keeps.
pub fn all_items<'a>(
    map: Option<&'a Node>,
    key: &'static str,
) -> impl Iterator<Item = &'a Node> + 'a {
    map.into_iter()
        .flat_map(|m| m.entries())
        .filter(move |e| e.key.key_text() == Some(key))
        .flat_map(|e| e.value.items())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    /// Index within its list.
    pub index: usize,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.node.get("name").and_then(Node::as_str)
    }

    pub fn image(&self) -> Option<&'a Node> {
        self.node.get("image")
    }

    pub fn ports(&self) -> impl Iterator<Item = &'a Node> + 'a {
        all_items(Some(self.node), "ports")
    }

    pub fn volume_mounts(&self) -> impl Iterator<Item = &'a Node> + 'a {
        all_items(Some(self.node), "volumeMounts")
    }

    pub fn env(&self) -> impl Iterator<Item = &'a Node> + 'a {
        all_items(Some(self.node), "env")
    }

    /// `(field, probe)` for each probe the container declares.
    pub fn probes(&self) -> impl Iterator<Item = (&'static str, &'a Node)> + 'a {
        let node = self.node;
        ["livenessProbe", "readinessProbe", "startupProbe"]
            .into_iter()
            .filter_map(move |k| node.get(k).filter(|n| n.is_map()).map(|n| (k, n)))
    }

    /// A restartable init container ("sidecar"): `restartPolicy: Always` on an init container.
    pub fn is_sidecar(&self) -> bool {
        self.kind == ContainerKind::Init
            && self.node.get("restartPolicy").and_then(Node::as_str) == Some("Always")
    }

    /// Whether Kubernetes lets this container have probes: regular containers and
    /// restartable init containers (sidecars); never plain init or ephemeral containers.
    pub fn may_have_probes(&self) -> bool {
        match self.kind {
            ContainerKind::Regular => true,
            ContainerKind::Init => self.is_sidecar(),
            ContainerKind::Ephemeral => false,
        }
    }

    /// "container `web`" or "init container `setup`" for messages.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        };
        match self.name() {
            Some(n) => format!("{what} `{n}`"),
            None => format!("{what} #{}", self.index + 1),
        }
    }

    /// Declared container port numbers and names: `(name, number, port node)`.
    pub fn declared_ports(
        &self,
    ) -> impl Iterator<Item = (Option<&'a str>, Option<i64>, &'a Node)> + 'a {
        self.ports().map(|p| {
            (
                p.get("name").and_then(Node::as_str),
                p.get("containerPort").and_then(Node::as_i64),
                p,
            )
        })
    }
}
