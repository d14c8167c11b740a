//! kubevet: a Kubernetes manifest linter with exact-span diagnostics.

pub mod diagnostics;
pub mod source;
pub mod yaml;
