//! kubevet: a Kubernetes manifest linter with exact-span diagnostics.
//!
//! The pipeline, stage by stage ([`check`] runs it): [`source`] finds and reads files,
//! [`project`] tells what each file is in its repository (manifest, Helm template,
//! kustomize patch...), [`yaml`] parses them into spanned trees, [`model`] reads objects out of the documents,
//! [`schema`] validates their shape, [`rules`] run over the [`model::Workspace`], and
//! [`diagnostics`] render the findings. Around the run: [`config`] and [`suppress`] decide
//! what is reported, [`fix`] rewrites files, and [`baseline`] hides the findings a
//! repository already had. [`server`] serves the checks to editors (LSP).

pub mod baseline;
mod check;
pub mod config;
pub mod diagnostics;
pub mod fix;
pub mod model;
pub mod project;
pub mod rules;
pub mod schema;
pub mod server;
pub mod source;
pub mod suppress;
pub mod yaml;

pub use check::{check, check_files, check_text, Options, Report, DEFAULT_MAX_FILE_SIZE};
