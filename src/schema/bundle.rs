//! The embedded schema bundle (`schemas/bundle.json.gz`, written by `schemas/generate.py`).
//!
//! Decompressed and parsed once per process, on first use (about 10 ms).

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

static BUNDLE_GZ: &[u8] = include_bytes!("../../schemas/bundle.json.gz");

#[derive(Deserialize)]
struct RawDef {
    n: String,
    s: Value,
}

/// Where the bundle came from (recorded by the generator).
#[derive(Debug, Deserialize)]
pub struct BundleSource {
    pub package: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Deserialize)]
struct RawBundle {
    format: u32,
    source: BundleSource,
    versions: Vec<String>,
    defs: Vec<RawDef>,
    index: HashMap<String, Vec<usize>>,
}

/// The definitions that make up one Kubernetes minor version.
#[derive(Debug, Default)]
pub(crate) struct VersionDefs {
    /// Definition name (`io.k8s.api.apps.v1.Deployment`) -> index into `Bundle::defs`.
    pub defs: HashMap<String, usize>,
    /// (apiVersion, kind) -> index into `Bundle::defs`, from `x-kubernetes-group-version-kind`.
    pub gvks: HashMap<(String, String), usize>,
}

#[derive(Debug)]
pub(crate) struct Bundle {
    pub source: BundleSource,
    /// Oldest first, as `1.37`.
    pub versions: Vec<String>,
    pub defs: Vec<(String, Value)>,
    pub by_version: HashMap<String, VersionDefs>,
}

static BUNDLE: OnceLock<Result<Bundle, String>> = OnceLock::new();
static VERSIONS: OnceLock<Vec<&'static str>> = OnceLock::new();

/// The parsed bundle, or why it could not be read (a build problem, never user input).
pub(crate) fn bundle() -> Result<&'static Bundle, &'static str> {
    BUNDLE.get_or_init(load).as_ref().map_err(|e| e.as_str())
}

/// The Kubernetes minor versions whose schemas are embedded, oldest first (`["1.25", ...]`).
pub fn bundled_versions() -> &'static [&'static str] {
    VERSIONS.get_or_init(|| match bundle() {
        Ok(b) => b.versions.iter().map(String::as_str).collect(),
        Err(_) => Vec::new(),
    })
}

/// The newest bundled version: the default for `--kubernetes-version`.
pub fn default_version() -> Option<&'static str> {
    bundled_versions().last().copied()
}

/// Package, version and hash of the schema source.
pub fn bundle_source() -> Option<&'static BundleSource> {
    bundle().ok().map(|b| &b.source)
}

fn load() -> Result<Bundle, String> {
    let corrupt = |e: &dyn std::fmt::Display| format!("embedded schema bundle is corrupt: {e}");
    let mut raw = Vec::with_capacity(BUNDLE_GZ.len() * 16);
    flate2::read::GzDecoder::new(BUNDLE_GZ)
        .read_to_end(&mut raw)
        .map_err(|e| corrupt(&e))?;
    let parsed: RawBundle = serde_json::from_slice(&raw).map_err(|e| corrupt(&e))?;
    if parsed.format != 1 {
        return Err(format!(
            "embedded schema bundle has format {}, expected 1",
            parsed.format
        ));
    }
    let defs: Vec<(String, Value)> = parsed.defs.into_iter().map(|d| (d.n, d.s)).collect();
    let mut by_version = HashMap::new();
    for version in &parsed.versions {
        let mut vd = VersionDefs::default();
        for &i in parsed.index.get(version).map(Vec::as_slice).unwrap_or(&[]) {
            let Some((name, schema)) = defs.get(i) else {
                return Err(corrupt(&format!("definition index {i} out of range")));
            };
            vd.defs.insert(name.clone(), i);
            for (api_version, kind) in gvks_of(schema) {
                vd.gvks.insert((api_version, kind), i);
            }
        }
        by_version.insert(version.clone(), vd);
    }
    Ok(Bundle {
        source: parsed.source,
        versions: parsed.versions,
        defs,
        by_version,
    })
}

/// The (apiVersion, kind) pairs a definition is the top-level schema of. Only definitions
/// whose `kind` property is pinned by an `enum` are objects a manifest can hold (others, such
/// as `DeleteOptions`, list a GVK for every group they may appear in).
fn gvks_of(schema: &Value) -> Vec<(String, String)> {
    let Some(list) = schema
        .get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    if list.len() != 1 {
        return Vec::new();
    }
    list.iter()
        .filter_map(|g| {
            let group = g.get("group")?.as_str()?;
            let version = g.get("version")?.as_str()?;
            let kind = g.get("kind")?.as_str()?;
            let api_version = if group.is_empty() {
                version.to_string()
            } else {
                format!("{group}/{version}")
            };
            Some((api_version, kind.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_loads_and_knows_core_kinds() {
        let b = bundle().expect("bundle");
        assert!(bundled_versions().len() >= 5);
        assert_eq!(default_version(), b.versions.last().map(String::as_str));
        let newest = &b.by_version[b.versions.last().unwrap()];
        for (av, k) in [
            ("v1", "Pod"),
            ("apps/v1", "Deployment"),
            ("networking.k8s.io/v1", "Ingress"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ] {
            assert!(
                newest.gvks.contains_key(&(av.to_string(), k.to_string())),
                "{av} {k}"
            );
        }
    }
}
