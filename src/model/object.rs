//! The header every Kubernetes object has, read with spans kept.

use super::PodTemplate;
use crate::diagnostics::ObjectRef;
use crate::source::FileId;
use crate::yaml::Node;

/// One Kubernetes object of the run: a document, or an item of a `kind: List`.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    pub file: FileId,
    /// 0-based YAML document index in the file.
    pub document: usize,
    /// The object's mapping.
    pub root: &'a Node,
    pub api_version: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    /// `metadata.namespace` as written.
    pub namespace: Option<&'a str>,
    /// Index within the `items` of a `List`, when the object came from one.
    pub list_item: Option<usize>,
    /// Whether a mapping key in it may be a YAML 1.1 boolean word (`on:`): known per
    /// document from the loader, else assumed.
    pub yaml11_boolean_keys: bool,
    /// Its pod template, found once: some fifty rules ask for it ([`PodTemplate::of`]).
    pub(crate) template: Option<PodTemplate<'a>>,
}

impl<'a> Object<'a> {
    /// Reads the header of `root`; `None` when it has no string `apiVersion` and `kind`.
    pub fn from_node(file: FileId, document: usize, root: &'a Node) -> Option<Self> {
        let api_version = root.get("apiVersion")?.as_str()?;
        let kind = root.get("kind")?.as_str()?;
        let metadata = root.get("metadata");
        Some(Object {
            file,
            document,
            root,
            api_version,
            kind,
            name: metadata.and_then(|m| m.get("name")).and_then(Node::as_str),
            namespace: metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str),
            list_item: None,
            yaml11_boolean_keys: true,
            template: PodTemplate::find(kind, root),
        })
    }

    pub fn metadata(&self) -> Option<&'a Node> {
        self.root.get("metadata")
    }

    pub fn spec(&self) -> Option<&'a Node> {
        self.root.get("spec")
    }

    pub fn labels(&self) -> Option<&'a Node> {
        self.metadata().and_then(|m| m.get("labels"))
    }

    /// The API group: `apps` for `apps/v1`, empty for the core group `v1`.
    pub fn group(&self) -> &'a str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// Whether `spec.replicas` is the workload's pod count, the field its scale subresource
    /// reads and an autoscaler writes: Deployment, StatefulSet, ReplicaSet (`apps`) and
    /// ReplicationController.
    pub fn is_replicated_workload(&self) -> bool {
        match self.kind {
            "Deployment" | "StatefulSet" | "ReplicaSet" => self.group() == "apps",
            "ReplicationController" => self.group().is_empty(),
            _ => false,
        }
    }

    /// `Kind/name` for messages.
    pub fn display_name(&self) -> String {
        match self.name {
            Some(n) => format!("{}/{}", self.kind, n),
            None => self.kind.to_string(),
        }
    }

    /// The span to point at when a finding concerns the whole object: its name if it has
    /// one, else its `kind` value.
    pub fn anchor_span(&self) -> crate::yaml::Span {
        self.metadata()
            .and_then(|m| m.get("name"))
            .or_else(|| self.root.get("kind"))
            .map_or(self.root.span, |n| n.span)
    }

    /// Whether the object is one the API server of a built-in group stores (and so runs
    /// `ValidateObjectMeta` on): not a client-side wrapper (`List`) or the configuration
    /// file of a component or tool (`kubelet.config.k8s.io`, kustomize, kubeadm, audit
    /// policies, kubeconfig).
    pub fn is_builtin_api_object(&self) -> bool {
        let group = self.group();
        if !crate::model::is_builtin_group(group)
            || group.ends_with("config.k8s.io")
            || group.starts_with("kustomize.")
        {
            return false;
        }
        let tool_group = matches!(
            group,
            "kubeadm.k8s.io"
                | "audit.k8s.io"
                | "client.authentication.k8s.io"
                | "apiserver.k8s.io"
                | "metrics.k8s.io"
                | "custom.metrics.k8s.io"
                | "external.metrics.k8s.io"
                | "imagepolicy.k8s.io"
        );
        let wrapper = (group.is_empty() && matches!(self.kind, "Config" | "Status"))
            || self.kind.ends_with("List")
            || self.kind.ends_with("Review")
            || self.kind.ends_with("Options");
        !tool_group && !wrapper
    }

    pub fn to_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: Some(self.api_version.to_string()),
            kind: Some(self.kind.to_string()),
            namespace: self.namespace.map(str::to_string),
            name: self.name.map(str::to_string),
        }
    }
}

/// Kinds that live outside namespaces. Custom resources' scope comes from their CRD.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "StorageClass"
            | "PriorityClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding"
            | "APIService"
            | "CSIDriver"
            | "CSINode"
            | "VolumeAttachment"
            | "IngressClass"
            | "RuntimeClass"
            | "PodSecurityPolicy"
            | "ComponentStatus"
            | "CertificateSigningRequest"
            | "ClusterTrustBundle"
            | "FlowSchema"
            | "PriorityLevelConfiguration"
            | "DeviceClass"
            | "ClusterIssuer"
            | "GatewayClass"
            | "ClusterPolicy"
    )
}
