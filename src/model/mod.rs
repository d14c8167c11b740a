//! Typed, spanned views over the YAML tree: object headers, pod templates, containers,
//! and the workspace of all objects in a run.

mod extract;
pub mod fields;
mod labels;
pub mod names;
mod object;
mod pod;
pub mod quantity;
pub mod resource_names;
mod service;
mod workspace;

pub use extract::{extract_objects, RULE_NOT_AN_OBJECT};
pub use labels::{describe_labels, label_map, selector_closeness, selector_matches, LabelSelector};
pub use object::{is_cluster_scoped, Object};
pub use pod::{all_items, template_path, Container, ContainerKind, PodTemplate};
pub use service::{port_protocol, Service};
pub use workspace::{is_builtin_group, sliced_service, Workspace};
