//! Run configuration: what the command line and `.kubevet.yaml` files decide. [`Config`]
//! holds the run-wide settings; [`Resolver`] finds each file's configuration and applies its
//! per-file settings (rule selection, severities, excludes) to the findings.

pub mod file;
mod resolve;

use std::collections::HashSet;

pub use file::{ConfigError, ConfigFile, Settings};
pub use resolve::{CliFilters, Resolver};

/// The JSON Schema of `.kubevet.yaml` (`kubevet config schema`).
pub const SCHEMA: &str = include_str!("../../schemas/kubevet-config.schema.json");

use crate::diagnostics::Severity;

#[derive(Clone, Debug)]
pub struct Config {
    /// Namespace of objects that name none.
    pub default_namespace: String,
    /// Lowest severity that makes the run fail (exit 1).
    pub fail_on: Severity,
    /// Inclusive range valid for `nodePort`.
    pub node_port_range: (i64, i64),
    /// Kubernetes minor version to validate against, such as `1.35`; `None` = newest bundled.
    pub kubernetes_version: Option<String>,
    /// Objects of kinds with no schema are errors rather than notes.
    pub strict_kinds: bool,
    /// Kinds not reported on (`--skip-kinds`): `Kind` or `apiVersion/Kind` entries.
    pub skip_kinds: Vec<String>,
    /// Rule ids switched off.
    pub disabled: HashSet<String>,
    /// When non-empty, only these rule ids run (plus the input rules, which always do).
    pub only: HashSet<String>,
    /// `--pod-security LEVEL[:VERSION]`: the Pod Security level checked (as warnings) where
    /// no namespace label says otherwise; `None` = none.
    pub pod_security: Option<crate::rules::security::policy::LevelVersion>,
    /// `--hardening`: run the opt-in hardening rules (category `security`, info).
    pub hardening: bool,

    /// Suppression comments and annotations are ignored (`--no-ignore`).
    pub no_ignore: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_namespace: "default".into(),
            fail_on: Severity::Error,
            node_port_range: (30000, 32767),
            kubernetes_version: None,
            strict_kinds: false,
            skip_kinds: Vec::new(),
            disabled: HashSet::new(),
            only: HashSet::new(),
            pod_security: None,
            hardening: false,

            no_ignore: false,
        }
    }
}

impl Config {
    /// The run-wide settings of a configuration file over the defaults (flags go on top).
    /// Rule selection, severities and per-path ignores apply per file, through the
    /// [`Resolver`], not here.
    pub fn from_settings(file: &Settings) -> Result<Config, String> {
        let d = Config::default();
        Ok(Config {
            default_namespace: file
                .default_namespace
                .clone()
                .unwrap_or(d.default_namespace),
            fail_on: file.fail_on.unwrap_or(d.fail_on),
            node_port_range: file.node_port_range.unwrap_or(d.node_port_range),
            kubernetes_version: file.kubernetes_version.clone(),
            strict_kinds: file.strict_kinds.unwrap_or(false),
            skip_kinds: file.skip_kinds.clone().unwrap_or_default(),
            pod_security: file.pod_security.as_deref().map(str::parse).transpose()?,
            ..d
        })
    }

    /// Whether objects of this kind are not reported on: an entry names the kind (`Secret`),
    /// or its apiVersion and kind (`v1/Secret`, `apps/v1/Deployment`), as kubeconform's
    /// `-skip` does.
    pub fn skips_kind(&self, api_version: Option<&str>, kind: Option<&str>) -> bool {
        let Some(kind) = kind else { return false };
        self.skip_kinds
            .iter()
            .any(|entry| match entry.rsplit_once('/') {
                Some((av, k)) => k == kind && api_version == Some(av),
                None => entry == kind,
            })
    }

    pub fn is_enabled(&self, rule: &str) -> bool {
        !self.disabled.contains(rule) && (self.only.is_empty() || self.only.contains(rule))
    }
}
