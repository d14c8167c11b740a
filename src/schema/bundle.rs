//! The embedded schema bundle (`schemas/bundle.json.gz`, written by `schemas/generate.py`).
//!
//! `build.rs` splits it at build time into static tables and one JSON string per
//! definition, so start-up costs nothing: a definition is parsed the first time a kind
//! reaches it, and a version's lookup tables are built the first time it is used.

use foldhash::HashMap;
use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/bundle_gen.rs"));
}
use generated::{DEFS, INDEX, SOURCE, VERSIONS};

/// Where the bundle came from (recorded by the generator).
#[derive(Debug)]
pub struct BundleSource {
    pub package: String,
    pub version: String,
    pub sha256: String,
}

/// The definitions that make up one Kubernetes minor version.
#[derive(Debug, Default)]
pub(crate) struct VersionDefs {
    /// Definition name (`io.k8s.api.apps.v1.Deployment`) -> definition index.
    pub defs: HashMap<String, usize>,
    /// (apiVersion, kind) -> definition index, from `x-kubernetes-group-version-kind`.
    pub gvks: HashMap<(String, String), usize>,
}

#[derive(Debug)]
pub(crate) struct Bundle {
    pub source: BundleSource,
    /// Oldest first, as `1.37`.
    pub versions: Vec<String>,
    schemas: Vec<OnceLock<Value>>,
    by_version: Vec<OnceLock<VersionDefs>>,
}

impl Bundle {
    /// The name of definition `i` (`io.k8s.api.apps.v1.Deployment`).
    pub fn name(&self, i: usize) -> &'static str {
        DEFS.get(i).map_or("", |d| d.0)
    }

    /// The schema of definition `i`, parsed on first use.
    pub fn schema(&self, i: usize) -> &Value {
        static NULL: Value = Value::Null;
        let Some(slot) = self.schemas.get(i) else {
            return &NULL;
        };
        // build.rs wrote this text with serde_json: it parses.
        slot.get_or_init(|| serde_json::from_str(DEFS[i].1).unwrap_or(Value::Null))
    }

    /// The schema of definition `i`, parsed anew (for a copy to change).
    pub fn parse(&self, i: usize) -> Value {
        // build.rs wrote this text with serde_json: it parses.
        DEFS.get(i)
            .and_then(|d| serde_json::from_str(d.1).ok())
            .unwrap_or(Value::Null)
    }

    /// Whether bundled version `version` (`1.37`) serves `api_version` `kind`. Read from the
    /// static tables: an unknown kind asks this of every bundled version, and building each
    /// version's lookup tables to answer was a megabyte and ten thousand allocations.
    pub fn serves(&self, version: &str, api_version: &str, kind: &str) -> bool {
        // Definitions that are no kind (`ObjectMeta`) have an empty kind in the tables.
        let Some(v) = self.versions.iter().position(|x| x == version) else {
            return false;
        };
        if kind.is_empty() {
            return false;
        }
        INDEX.get(v).copied().unwrap_or(&[]).iter().any(|&i| {
            DEFS.get(i as usize)
                .is_some_and(|d| d.3 == kind && d.2 == api_version)
        })
    }

    /// The lookup tables of a bundled version (`1.37`).
    pub fn version_defs(&self, version: &str) -> Option<&VersionDefs> {
        let v = self.versions.iter().position(|x| x == version)?;
        Some(self.by_version[v].get_or_init(|| {
            let mut vd = VersionDefs::default();
            for &i in INDEX.get(v).copied().unwrap_or(&[]) {
                let i = i as usize;
                let (name, _, api_version, kind) = DEFS[i];
                vd.defs.insert(name.to_string(), i);
                if !kind.is_empty() {
                    vd.gvks
                        .insert((api_version.to_string(), kind.to_string()), i);
                }
            }
            vd
        }))
    }
}

static BUNDLE: OnceLock<Bundle> = OnceLock::new();

/// The bundle. (It cannot fail at run time any more: build.rs checked it. The `Result`
/// keeps the callers' signature.)
pub(crate) fn bundle() -> Result<&'static Bundle, &'static str> {
    Ok(BUNDLE.get_or_init(|| Bundle {
        source: BundleSource {
            package: SOURCE.0.to_string(),
            version: SOURCE.1.to_string(),
            sha256: SOURCE.2.to_string(),
        },
        versions: VERSIONS.iter().map(|v| v.to_string()).collect(),
        schemas: DEFS.iter().map(|_| OnceLock::new()).collect(),
        by_version: VERSIONS.iter().map(|_| OnceLock::new()).collect(),
    }))
}

/// The Kubernetes minor versions whose schemas are embedded, oldest first (`["1.25", ...]`).
pub fn bundled_versions() -> &'static [&'static str] {
    VERSIONS
}

/// The newest bundled version: the default for `--kubernetes-version`.
pub fn default_version() -> Option<&'static str> {
    bundled_versions().last().copied()
}

/// Package, version and hash of the schema source.
pub fn bundle_source() -> Option<&'static BundleSource> {
    bundle().ok().map(|b| &b.source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_loads_and_knows_core_kinds() {
        let b = bundle().expect("bundle");
        assert!(bundled_versions().len() >= 5);
        assert_eq!(default_version(), b.versions.last().map(String::as_str));
        let newest = b.version_defs(b.versions.last().unwrap()).unwrap();
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

    /// `serves` answers from the static tables what each version's lookup tables say.
    #[test]
    fn serves_agrees_with_the_lookup_tables() {
        let b = bundle().expect("bundle");
        let mut kinds: Vec<(&str, &str)> = DEFS
            .iter()
            .filter(|d| !d.3.is_empty())
            .map(|d| (d.2, d.3))
            .collect();
        kinds.extend([
            ("extensions/v1beta1", "Ingress"),
            ("v1", "NoSuchKind"),
            ("", ""),
        ]);
        for v in &b.versions {
            let vd = b.version_defs(v).expect("tables");
            for &(av, k) in &kinds {
                assert_eq!(
                    b.serves(v, av, k),
                    vd.gvks.contains_key(&(av.to_string(), k.to_string())),
                    "{v}: {av} {k}"
                );
            }
        }
        assert!(!b.serves("0.1", "v1", "Pod"));
    }
}

/// Resources that no kind names: what RBAC grants on without an object behind it
/// (impersonation, CSR signers) and resources of kinds older than the bundle.
const VIRTUAL_RESOURCES: &[(&str, &[&str])] = &[
    ("", &["users", "groups"]),
    ("authentication.k8s.io", &["userextras", "uids"]),
    ("certificates.k8s.io", &["signers"]),
    ("policy", &["podsecuritypolicies"]),
];

/// The resources (lower-case plurals) of the built-in API group `group` in any bundled
/// Kubernetes version, or `None` for a group the bundle does not hold (custom resources,
/// aggregated APIs, removed groups such as `extensions`). Plurals are guessed from kinds as
/// the API machinery does (`UnsafeGuessKindToResource`).
pub fn builtin_resources(group: &str) -> Option<&'static BTreeSet<String>> {
    resource_groups().get(group)
}

/// The built-in API groups that have `resource`, sorted (`""` is the core group).
pub fn builtin_groups_serving(resource: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = resource_groups()
        .iter()
        .filter(|(_, set)| set.contains(resource))
        .map(|(g, _)| *g)
        .collect();
    out.sort_unstable();
    out
}

fn resource_groups() -> &'static HashMap<&'static str, BTreeSet<String>> {
    static GROUPS: OnceLock<HashMap<&'static str, BTreeSet<String>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: HashMap<&'static str, BTreeSet<String>> = HashMap::default();
        for &(_, _, api_version, kind) in DEFS.iter() {
            if kind.is_empty() || kind.ends_with("List") || kind == "Status" {
                continue;
            }
            let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
            groups
                .entry(group)
                .or_default()
                .insert(guess_resource(kind));
        }
        for &(group, resources) in VIRTUAL_RESOURCES {
            if let Some(set) = groups.get_mut(group) {
                set.extend(resources.iter().map(|r| r.to_string()));
            }
        }
        groups
    })
}

/// `UnsafeGuessKindToResource`: the lower-cased kind, pluralised by its last letter.
fn guess_resource(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if singular.ends_with("endpoints") {
        singular
    } else if singular.ends_with('s') {
        singular + "es"
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        singular + "s"
    }
}

#[cfg(test)]
mod resource_tests {
    use super::*;

    #[test]
    fn built_in_resources_come_from_the_bundled_kinds() {
        let core = builtin_resources("").expect("the core group");
        for r in [
            "pods",
            "endpoints",
            "componentstatuses",
            "services",
            "users",
        ] {
            assert!(core.contains(r), "{r}");
        }
        assert!(!core.contains("deployments"));
        let apps = builtin_resources("apps").expect("apps");
        assert!(apps.contains("deployments") && apps.contains("statefulsets"));
        let net = builtin_resources("networking.k8s.io").expect("networking");
        assert!(net.contains("networkpolicies") && net.contains("ingresses"));
        assert!(builtin_resources("metrics.k8s.io").is_none());
        assert!(builtin_resources("example.com").is_none());
    }
}
