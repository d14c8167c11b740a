//! Schema validation: the embedded Kubernetes schemas, lookup by (version, apiVersion, kind),
//! strict validation with spans, and custom resources validated against their CRDs.
//!
//! ```text
//! let mut set = SchemaSet::new(Some("1.31"))?;      // None: newest bundled
//! set.add_crd(file, &crd_doc);                        // CRDs first (input or --crd)
//! let diags = set.validate(file, &doc_root);          // then every document, in parallel
//! ```

mod apiversions;
mod bundle;
mod cel;
mod crd;
mod crd_cut;
mod defaults;
mod instance;
mod int_range;
mod listmaps;
mod memo;
mod messages;
mod nav;
mod prune;
mod quick;
pub(crate) mod stage;
mod tree;
mod validator;

// foldhash: these maps are looked up per document and per schema node; SipHash showed.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use serde_json::{json, Map, Value};

pub use bundle::{
    builtin_groups_serving, builtin_resources, bundle_source, bundled_versions, default_version,
    BundleSource,
};

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::FileId;
use crate::yaml::{Node, Span};
use bundle::{Bundle, VersionDefs};
use validator::Compiled;

pub const RULE_UNKNOWN_FIELD: &str = "unknown-field";
pub const RULE_INVALID_TYPE: &str = "invalid-type";
pub const RULE_MISSING_REQUIRED_FIELD: &str = "missing-required-field";
pub const RULE_INVALID_ENUM_VALUE: &str = "invalid-enum-value";
pub const RULE_INVALID_VALUE: &str = "invalid-value";
pub const RULE_UNKNOWN_KIND: &str = "unknown-kind";
pub const RULE_REMOVED_API_VERSION: &str = "removed-api-version";
pub const RULE_DEPRECATED_API_VERSION: &str = "deprecated-api-version";
pub const RULE_INVALID_CRD: &str = "invalid-crd";
pub const RULE_DUPLICATE_CRD: &str = "duplicate-crd";
pub use cel::{
    is_absent_field_failure as is_cel_absent_field_failure, is_blocked_note as is_cel_blocked_note,
    RULE_CEL_RULE_FAILED, RULE_CEL_RULE_NOT_EVALUATED,
};
pub use listmaps::RULE_DUPLICATE_LIST_ENTRY;
pub use messages::blocks_cel;

/// Metadata of the schema rules: id, default severity, one-line summary.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        RULE_DUPLICATE_LIST_ENTRY,
        Severity::Error,
        "two items of a custom resource's list-map with the same keys, or a list-set value twice",
    ),
    (
        RULE_CEL_RULE_FAILED,
        Severity::Error,
        "a custom resource fails a CEL rule (`x-kubernetes-validations`) of its CRD",
    ),
    (
        RULE_CEL_RULE_NOT_EVALUATED,
        Severity::Info,
        "a CEL rule of a CRD that kubevet cannot evaluate (a function it does not implement)",
    ),
    (
        RULE_UNKNOWN_FIELD,
        Severity::Error,
        "a field the object's schema does not define (Kubernetes rejects or drops it)",
    ),
    (
        RULE_INVALID_TYPE,
        Severity::Error,
        "a value of the wrong type, e.g. a string where a map is expected",
    ),
    (
        RULE_MISSING_REQUIRED_FIELD,
        Severity::Error,
        "a field the schema requires is absent",
    ),
    (
        RULE_INVALID_ENUM_VALUE,
        Severity::Error,
        "a value outside the set the schema allows",
    ),
    (
        RULE_INVALID_VALUE,
        Severity::Error,
        "a value that breaks another schema constraint (pattern, range, length)",
    ),
    (
        RULE_UNKNOWN_KIND,
        Severity::Info,
        "no schema and no CRD for the apiVersion/kind; the object is not validated",
    ),
    (
        RULE_REMOVED_API_VERSION,
        Severity::Error,
        "an apiVersion the target Kubernetes version no longer serves",
    ),
    (
        RULE_DEPRECATED_API_VERSION,
        Severity::Warning,
        "an apiVersion that a later Kubernetes release removes",
    ),
    (
        RULE_INVALID_CRD,
        Severity::Warning,
        "a CustomResourceDefinition whose schema kubevet cannot use",
    ),
    (
        RULE_DUPLICATE_CRD,
        Severity::Warning,
        "two different definitions of one CustomResourceDefinition in a run",
    ),
];

fn not_compiled(file: FileId, kind_node: &Node, kind: &str, e: &str) -> Diagnostic {
    Diagnostic::new(
        RULE_INVALID_CRD,
        Severity::Warning,
        file,
        kind_node.span,
        format!("cannot validate {kind}: its schema does not compile ({e})"),
    )
}

/// True for a `CustomResourceDefinition` document (any apiextensions version).
pub fn is_crd(doc: &Node) -> bool {
    doc.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition")
        && doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"))
}

/// The schema of one kind: the schema document (also read for navigation: allowed fields,
/// expected types) and its validators.
pub(crate) struct Target {
    /// The schema document. Shared with the CRD registration it came from (CRD schemas run
    /// to megabytes), or, for a built-in kind, with the other built-in kinds of the run.
    pub root: Arc<Value>,
    /// Where the kind's schema starts in a shared document (`{"$ref": ...}`); `None`: at
    /// `root`.
    entry: Option<Value>,
    /// Validity without compiling, where the schema allows it (`quick.rs`); shared with the
    /// document.
    quick: Option<Arc<quick::Quick>>,
    /// Compiled on first need: to explain a failing document, or to judge one the quick
    /// check cannot.
    compiled: OnceLock<Result<Compiled, String>>,
    /// Failing documents explained with a schema cut down to them (`prune.rs`).
    pruned: AtomicUsize,
    /// Source bytes of the documents the quick check has read.
    read: AtomicUsize,
    /// `Deployment`, or the CRD kind.
    pub kind: String,
    /// A built-in kind: the API server resets its `status` on create (each registry
    /// strategy's `PrepareForCreate`), so what the schema requires there is not enforced.
    builtin: bool,
}

/// Source bytes per schema keyword the quick check reads before the schema is compiled:
/// the compiled validator reads a document in about half the time, and compiling costs
/// about as much as reading this many bytes per keyword twice as slowly. (One Pod of a
/// million env entries is checked faster compiled; a repository's few Pods are not.)
const QUICK_BYTES_PER_KEYWORD: usize = 400;

/// Failing documents of one kind explained with a cut-down schema before the whole schema
/// is compiled instead: a few cuts cost less than one big compile, many do not.
const MAX_PRUNED: usize = 8;

/// A CRD's resources are checked against cuts of its schema (`crd_cut.rs`) while their bytes
/// times this stay within the schema's: a cut costs a few times its resource's size, the
/// whole conversion as much as the schema.
const CUT_BELOW: usize = 8;

impl Target {
    /// A schema the quick check does not read is compiled at once: whether it compiles at
    /// all is then known before any document (and reported on the resources, as before).
    fn new(root: Arc<Value>, kind: String) -> Result<Target, String> {
        let quick = quick::Quick::new(&root).map(Arc::new);
        Target::in_document(root, None, quick, kind)
    }

    fn built_in(mut self) -> Target {
        self.builtin = true;
        self
    }

    /// Whether a required field missing at `path` goes unenforced: one under a built-in
    /// kind's `status`, which the API server throws away on create.
    pub(crate) fn ignores_required_at(&self, path: &[validator::Seg]) -> bool {
        self.builtin && matches!(path.first(), Some(validator::Seg::Key(k)) if k == "status")
    }

    /// The kind starting at `entry` in a shared document.
    fn in_document(
        root: Arc<Value>,
        entry: Option<Value>,
        quick: Option<Arc<quick::Quick>>,
        kind: String,
    ) -> Result<Target, String> {
        let t = Target {
            quick,
            root,
            entry,
            compiled: OnceLock::new(),
            pruned: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            kind,
            builtin: false,
        };
        if t.quick.is_none() {
            t.compiled()?;
        }
        Ok(t)
    }

    /// Where the kind's schema starts.
    fn start(&self) -> &Value {
        self.entry.as_ref().unwrap_or(&self.root)
    }

    /// Walks the kind's schema.
    pub fn nav(&self) -> nav::Nav<'_> {
        nav::Nav::starting_at(&self.root, self.start())
    }

    pub fn compiled(&self) -> Result<&Compiled, String> {
        self.compiled
            .get_or_init(|| match &self.entry {
                // Compiled alone, with only the definitions it reaches: what the document of
                // the kind would be on its own.
                Some(entry) => Compiled::compile(&closure_in(&self.root, entry)),
                None => Compiled::compile(&self.root),
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn is_valid(&self, inst: instance::Inst<'_>) -> Result<bool, String> {
        let quick = self.quick.as_ref().filter(|q| {
            let len = inst.source_len();
            self.compiled.get().is_none()
                && self.read.fetch_add(len, Ordering::Relaxed) + len
                    <= q.keywords.saturating_mul(QUICK_BYTES_PER_KEYWORD)
        });
        if let Some(valid) = quick.and_then(|q| q.is_valid(&self.root, self.start(), inst)) {
            // Every debug build (the test suite, the fuzzer) checks the quick answer against
            // the validator's.
            debug_assert_eq!(
                self.compiled().map(|c| c.is_valid(inst)),
                Ok(valid),
                "the quick check disagrees with jsonschema on a {}",
                self.kind
            );
            return Ok(valid);
        }
        Ok(self.compiled()?.is_valid(inst))
    }

    /// Why `inst` fails: from a schema cut down to it while that is cheaper, else from the
    /// whole compiled schema.
    pub fn errors(&self, inst: instance::Inst<'_>) -> Result<Vec<validator::RawError>, String> {
        // (Debug builds cut every time, to compare the cut with the whole schema.)
        let cut = (self.quick.is_some()
            && (cfg!(debug_assertions) || self.compiled.get().is_none())
            && (cfg!(debug_assertions)
                || self.pruned.fetch_add(1, Ordering::Relaxed) < MAX_PRUNED))
            .then(|| prune::prune(&self.root, self.start(), inst))
            .flatten()
            .and_then(|s| Compiled::compile(&s).ok());
        let Some(cut) = cut else {
            return Ok(self.compiled()?.errors(inst));
        };
        let errors = cut.errors(inst);
        #[cfg(debug_assertions)]
        {
            let sorted = |mut e: Vec<validator::RawError>| {
                e.sort_by_cached_key(|x| format!("{x:?}"));
                e
            };
            debug_assert_eq!(
                self.compiled().map(|c| sorted(c.errors(inst))),
                Ok(sorted(errors.clone())),
                "the cut-down schema explains a {} differently",
                self.kind
            );
        }
        Ok(errors)
    }
}

type Slot = Arc<OnceLock<Result<Arc<Target>, String>>>;

/// A served CRD version's schema, converted to JSON Schema the first time it is needed: a
/// repository holds many CRDs and few of their resources, and converting every CRD up front
/// was a tenth of a run's time.
struct CrdSchema<'a> {
    raw: Option<&'a Node>,
    converted: OnceLock<Result<Arc<Value>, String>>,
}

/// A registered custom resource version.
struct CrdVersion<'a> {
    kind: String,
    schema: Arc<CrdSchema<'a>>,
    slot: Slot,
    /// Its CEL rules, compiled on first use.
    cel: Arc<OnceLock<cel::CelRules>>,
    /// Its resources are few and small beside its schema: each is checked against the
    /// schema cut down to it (`crd_cut.rs`) instead of the whole schema converted once.
    per_resource: AtomicBool,
    /// The CRD's `metadata.name`, for pointing at the definition a finding comes from.
    origin: Option<(FileId, Span)>,
    /// `deprecated: true`, with the CRD's `deprecationWarning` if it has one.
    deprecated: Option<Option<String>>,
}

/// The versions the run's definitions of one custom kind declare, for explaining a resource
/// of a version none of them serves.
#[derive(Default)]
struct CrdKind {
    /// The CRD's `metadata.name` and where it is written (the first definition's).
    name: Option<(String, FileId, Span)>,
    served: Vec<String>,
    /// Versions defined with `served: false`, at their `name`.
    unserved: Vec<(String, FileId, Span)>,
}

impl CrdKind {
    /// "`g/v1beta1`, `g/v1`", for messages.
    fn served_list(&self) -> String {
        let served: Vec<String> = self.served.iter().map(|v| format!("`{v}`")).collect();
        served.join(", ")
    }

    /// "CustomResourceDefinition `widgets.example.com`", or what stands for it unnamed.
    fn title(&self) -> String {
        self.name.as_ref().map_or_else(
            || "CustomResourceDefinition".to_string(),
            |(n, _, _)| format!("CustomResourceDefinition `{n}`"),
        )
    }
}

/// A CRD read by [`SchemaSet::prepare_crd`], ready to register.
pub struct PreparedCrd<'a> {
    versions: Vec<crd::Registration<'a>>,
    unserved: Vec<crd::Unserved>,
    file: FileId,
    diags: Vec<Diagnostic>,
    /// `metadata.name` and where it is written, for telling definitions of one CRD apart.
    name: Option<(String, FileId, Span)>,
}

/// A CRD definition already registered under its `metadata.name`.
struct Seen<'a> {
    file: FileId,
    span: Span,
    versions: Vec<(String, String, Arc<CrdSchema<'a>>)>,
}

/// What the loader found out about a document, so that the schema stage can skip searches
/// that would find nothing.
#[derive(Clone, Copy)]
struct Facts {
    /// Some mapping may hold a key twice.
    duplicate_keys: bool,
    /// Some integer may not fit 32 bits.
    wide_integers: bool,
}

impl Facts {
    /// A tree the loader did not describe (an API caller's): search everything.
    const UNKNOWN: Facts = Facts {
        duplicate_keys: true,
        wide_integers: true,
    };

    /// `int32` fields holding larger numbers: only a document with such a number can have
    /// one, and walking a document beside its schema is costly (a CRD is megabytes).
    fn int_range(self, t: &Target, file: FileId, doc: &Node) -> Vec<Diagnostic> {
        if self.wide_integers {
            return int_range::check(&t.nav(), file, doc);
        }
        // Debug builds (the tests, the fuzzer) check the loader's word.
        debug_assert!(
            int_range::check(&t.nav(), file, doc).is_empty(),
            "the loader missed an integer wider than 32 bits"
        );
        Vec::new()
    }
}

/// All schemas for one run: the bundled Kubernetes version plus the CRDs seen.
/// CRDs are borrowed from the parsed input (`'a`) and converted only when used.
pub struct SchemaSet<'a> {
    version: &'static str,
    minor: u32,
    bundle: &'static Bundle,
    defs: &'static VersionDefs,
    builtin: Mutex<HashMap<usize, Slot>>,
    /// Every distinct schema registered for an apiVersion/kind, in registration order: a
    /// resource valid under any of them is valid.
    crds: HashMap<(String, String), Vec<CrdVersion<'a>>>,
    crd_names: HashMap<String, Vec<Seen<'a>>>,
    /// Keyed by group and kind.
    crd_kinds: HashMap<(String, String), CrdKind>,
    /// Did-you-mean answers per unknown kind: a repository names the same few custom kinds
    /// in many files, and each answer compares against every known kind.
    kind_hints: Mutex<HashMap<String, Option<String>>>,
    /// Every known kind once, with its normalized form, for those answers (built on the
    /// first unknown kind, after the run's CRDs are registered).
    kind_table: OnceLock<Vec<(String, String)>>,
    /// `--strict-kinds`: an unknown kind is an error, not an info.
    pub strict_kinds: bool,
}

/// What kind of schema a document would be checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    BuiltIn,
    Custom,
    None,
}

impl<'a> SchemaSet<'a> {
    /// The schemas of Kubernetes `version` (`1.31`, `v1.31`, `1.31.4`), or the newest
    /// bundled version for `None`.
    pub fn new(version: Option<&str>) -> Result<SchemaSet<'a>, String> {
        let bundle = bundle::bundle().map_err(str::to_string)?;
        let wanted = match version {
            Some(v) => normalize_version(v).ok_or_else(|| {
                format!("`{v}` is not a Kubernetes version; write it as MAJOR.MINOR, e.g. 1.31")
            })?,
            None => default_version()
                .ok_or("the schema bundle is empty")?
                .to_string(),
        };
        let Some(version) = bundle.versions.iter().find(|v| **v == wanted) else {
            let list = bundle.versions.join(", ");
            return Err(format!(
                "no schemas for Kubernetes {wanted}; bundled versions: {list}"
            ));
        };
        let defs = bundle
            .version_defs(version)
            .ok_or("the schema bundle has no index for a listed version")?;
        let minor = minor_of(version).unwrap_or(0);
        Ok(SchemaSet {
            version: version.as_str(),
            minor,
            bundle,
            defs,
            builtin: Mutex::new(HashMap::new()),
            crds: HashMap::new(),
            crd_names: HashMap::new(),
            crd_kinds: HashMap::new(),
            kind_hints: Mutex::new(HashMap::new()),
            kind_table: OnceLock::new(),
            strict_kinds: false,
        })
    }

    /// The Kubernetes version (`1.37`) this set validates against.
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// Whether a document with this apiVersion/kind would be validated, and how.
    pub fn coverage(&self, api_version: &str, kind: &str) -> Coverage {
        let key = (api_version.to_string(), kind.to_string());
        if self.defs.gvks.contains_key(&key) {
            Coverage::BuiltIn
        } else if self.crds.contains_key(&key) {
            Coverage::Custom
        } else {
            Coverage::None
        }
    }

    /// Registers the served versions of a `CustomResourceDefinition` document. Returns
    /// diagnostics about the CRD itself (e.g. a schema kubevet cannot compile).
    pub fn add_crd(&mut self, file: FileId, doc: &'a Node) -> Vec<Diagnostic> {
        let prepared = self.prepare_crd(file, doc);
        self.insert_crd(prepared)
    }

    /// The read-only half of [`SchemaSet::add_crd`]: finds the served versions and checks
    /// their `type`s. Independent CRDs can be prepared in parallel, then inserted in order
    /// with [`SchemaSet::insert_crd`].
    pub fn prepare_crd(&self, file: FileId, doc: &'a Node) -> PreparedCrd<'a> {
        let mut diags = Vec::new();
        let mut unserved = Vec::new();
        let versions = crd::versions_of(doc, file, &mut diags, &mut unserved);
        let name = doc
            .get_path(&["metadata", "name"])
            .and_then(|n| Some((n.as_str()?.to_string(), file, n.span)));
        PreparedCrd {
            versions,
            unserved,
            file,
            diags,
            name,
        }
    }

    /// Registers a prepared CRD. A second definition of a CRD name that validates
    /// differently is reported (`duplicate-crd`) and kept beside the first: custom resources
    /// valid under either are valid.
    pub fn insert_crd(&mut self, prepared: PreparedCrd<'a>) -> Vec<Diagnostic> {
        self.kind_table = OnceLock::new();
        let mut diags = prepared.diags;
        // A document that defines no served version (a kustomize patch of a CRD, say) is
        // not a definition.
        if prepared.versions.is_empty() {
            return diags;
        }
        self.record_versions(
            &prepared.versions,
            &prepared.unserved,
            prepared.file,
            prepared.name.as_ref(),
        );
        let deprecated: HashMap<String, Option<String>> = prepared
            .versions
            .iter()
            .filter_map(|r| Some((r.api_version.clone(), r.deprecated.clone()?)))
            .collect();
        // Shared, not copied: the fingerprint compares the schemas the registrations keep.
        let regs: Vec<(String, String, Arc<CrdSchema<'a>>)> = prepared
            .versions
            .into_iter()
            .map(|r| {
                let schema = CrdSchema {
                    raw: r.raw,
                    converted: OnceLock::new(),
                };
                (r.api_version, r.kind, Arc::new(schema))
            })
            .collect();
        let fingerprint = regs.clone();
        let origin = prepared.name.as_ref().map(|(_, f, s)| (*f, *s));
        if let Some((name, file, span)) = prepared.name {
            let again = self.crd_names.get(&name).is_some_and(|seen| {
                seen.iter()
                    .any(|s| self.same_versions(&s.versions, &fingerprint))
            });
            let seen = self.crd_names.entry(name.clone()).or_default();
            if again {
                return diags;
            }
            if let Some(first) = seen.first() {
                diags.push(duplicate_crd(&name, file, span, first));
            }
            seen.push(Seen {
                file,
                span,
                versions: fingerprint,
            });
        }
        for (api_version, kind, schema) in regs {
            let deprecated = deprecated.get(&api_version).cloned();
            let key = (api_version, kind.clone());
            let known = self
                .crds
                .get(&key)
                .is_some_and(|defs| defs.iter().any(|d| self.same_schema(&d.schema, &schema)));
            if known {
                continue;
            }
            self.crds.entry(key).or_default().push(CrdVersion {
                kind,
                schema,
                slot: Arc::new(OnceLock::new()),
                cel: Arc::new(OnceLock::new()),
                per_resource: AtomicBool::new(false),
                origin,
                deprecated,
            });
        }
        diags
    }

    /// Notes which versions a definition serves and which it defines unserved.
    fn record_versions(
        &mut self,
        versions: &[crd::Registration<'a>],
        unserved: &[crd::Unserved],
        file: FileId,
        name: Option<&(String, FileId, Span)>,
    ) {
        let Some(first) = versions.first() else {
            return;
        };
        let (group, _) = apiversions::split_api_version(&first.api_version);
        let entry = self
            .crd_kinds
            .entry((group.to_string(), first.kind.clone()))
            .or_default();
        if entry.name.is_none() {
            entry.name = name.cloned();
        }
        for r in versions {
            if !entry.served.contains(&r.api_version) {
                entry.served.push(r.api_version.clone());
            }
        }
        for u in unserved {
            entry.unserved.push((u.api_version.clone(), file, u.span));
        }
    }

    /// A resource of a version the run's definition of its kind declares `served: false`
    /// (and no other definition serves): the API server has no endpoint for it (`no matches
    /// for kind`). A version the definition does not mention at all is left to the
    /// `unknown-kind` note: the cluster's CRD may be a later release that adds it.
    fn unserved_version(
        &self,
        file: FileId,
        av_node: &Node,
        api_version: &str,
        kind: &str,
    ) -> Option<Diagnostic> {
        let k = self.crd_kind(api_version, kind)?;
        if k.served.is_empty() {
            return None;
        }
        let crd = k.title();
        let (_, f, span) = k.unserved.iter().find(|(v, _, _)| v == api_version)?;
        let mut d = Diagnostic::new(
            RULE_UNKNOWN_KIND,
            Severity::Error,
            file,
            av_node.span,
            format!(
                "{api_version} {kind} is not served: the {crd} in this run sets `served: false` for it; the API server rejects it (no matches for kind \"{kind}\" in version \"{api_version}\")"
            ),
        )
        .with_primary_label(format!("{api_version} is not served"))
        .with_label(*f, *span, "`served: false`");
        let newest = k
            .served
            .iter()
            .max_by_key(|v| apiversions::version_rank(apiversions::split_api_version(v).1));
        if let Some(v) = newest {
            d = d.with_help(format!(
                "the definition serves {}: use `apiVersion: {v}`",
                k.served_list()
            ));
        }
        Some(d)
    }

    /// What the run's definitions declare of the kind of `api_version`'s group.
    fn crd_kind(&self, api_version: &str, kind: &str) -> Option<&CrdKind> {
        let (group, _) = apiversions::split_api_version(api_version);
        self.crd_kinds.get(&(group.to_string(), kind.to_string()))
    }

    /// A CRD version's schema as JSON Schema, converted on first use.
    fn converted(&self, s: &CrdSchema<'_>) -> Result<Arc<Value>, String> {
        s.converted
            .get_or_init(|| crd::schema_document(s.raw, self).map(Arc::new))
            .clone()
    }

    /// Whether two CRD schemas validate alike: the same data (a CRD copied into several
    /// files), or the same once converted (descriptions and examples aside). Converts only
    /// when the data differ.
    fn same_schema(&self, a: &CrdSchema<'_>, b: &CrdSchema<'_>) -> bool {
        let same_data = match (a.raw, b.raw) {
            (Some(x), Some(y)) => x.same_data(y),
            (x, y) => x.is_none() && y.is_none(),
        };
        if same_data {
            return true;
        }
        match (self.converted(a), self.converted(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }

    fn same_versions(
        &self,
        a: &[(String, String, Arc<CrdSchema<'a>>)],
        b: &[(String, String, Arc<CrdSchema<'a>>)],
    ) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0 == y.0 && x.1 == y.1 && self.same_schema(&x.2, &y.2))
    }

    /// Prepares, ahead of validation, the schemas of every kind in `keys` (apiVersion, kind),
    /// in parallel and largest first: builds or converts each schema document and its quick
    /// check, and compiles only what the quick check does not read. Preparing on first use
    /// made the other core wait whenever two documents of one new kind met (a `OnceLock`
    /// blocks), and left the largest CRD for last.
    ///
    /// `keys` holds each document's kind with its size: a CRD whose resources are small
    /// beside its schema is not converted whole; each resource gets its cut instead.
    pub(crate) fn warm(&self, keys: &[(&str, &str, usize)]) {
        let mut jobs: Vec<(usize, &CrdVersion<'a>)> = Vec::new();
        let mut builtins = Vec::new();
        let mut bytes: HashMap<(&str, &str), usize> = HashMap::new();
        for &(api_version, kind, len) in keys {
            *bytes.entry((api_version, kind)).or_default() += len;
        }
        for ((api_version, kind), resources) in bytes {
            let key = (api_version.to_string(), kind.to_string());
            if let Some(&def) = self.defs.gvks.get(&key) {
                builtins.push(def);
            } else if let Some(defs) = self.crds.get(&key) {
                for c in defs {
                    let size = c.schema.raw.map_or(0, |n| n.span.len());
                    if resources.saturating_mul(CUT_BELOW) <= size {
                        c.per_resource.store(true, Ordering::Relaxed);
                    } else {
                        jobs.push((size, c));
                    }
                }
            }
        }
        jobs.sort_by_key(|(size, _)| std::cmp::Reverse(*size));
        let custom = || {
            jobs.par_iter().with_max_len(1).for_each(|(_, c)| {
                if let Ok(t) = self.crd_target(c) {
                    c.cel.get_or_init(|| cel::CelRules::new(&t.root));
                }
            });
        };
        rayon::join(|| self.share_builtins(&builtins), custom);
    }

    /// Prepares the schemas of the built-in kinds `defs` in one shared document: the
    /// workload kinds reach the same PodSpec definitions, and a document per kind copied and
    /// scanned them once per kind.
    fn share_builtins(&self, defs: &[usize]) {
        if defs.is_empty() {
            return;
        }
        let names: Vec<String> = defs
            .iter()
            .map(|&d| self.bundle.name(d).to_string())
            .collect();
        let mut doc = Map::new();
        doc.insert("$schema".into(), json!(quick::DRAFT));
        doc.insert("$defs".into(), Value::Object(self.closure_defs(names)));
        let doc = Arc::new(Value::Object(doc));
        let Some(quick) = quick::Quick::new(&doc).map(Arc::new) else {
            // A schema the quick check does not read: each kind on its own, as before.
            defs.par_iter().for_each(|&d| {
                let _ = self.builtin_target(d);
            });
            return;
        };
        for &def in defs {
            let name = self.bundle.name(def);
            let entry = json!({"$ref": format!("#/$defs/{name}"), "$schema": quick::DRAFT});
            // Debug builds check that the kind reads alike from the shared document.
            debug_assert_eq!(
                closure_in(&doc, &entry),
                self.closure_document(name, None),
                "the shared document holds {name} otherwise"
            );
            let _ = self.builtin_slot(def).get_or_init(|| {
                Target::in_document(doc.clone(), Some(entry), Some(quick.clone()), kind_of(name))
                    .map(Target::built_in)
                    .map(Arc::new)
            });
        }
    }

    /// Validates one document (its root node). Documents that are not Kubernetes objects
    /// (no string `apiVersion`/`kind`) give nothing here.
    pub fn validate(&self, file: FileId, doc: &Node) -> Vec<Diagnostic> {
        self.validate_node(file, doc, Facts::UNKNOWN)
    }

    /// [`SchemaSet::validate`] for a parsed document: the loader knows whether it holds a
    /// duplicate key or an integer wider than 32 bits, and the searches for them are skipped
    /// when not.
    pub(crate) fn validate_document(
        &self,
        file: FileId,
        doc: &crate::yaml::Document,
    ) -> Vec<Diagnostic> {
        let facts = Facts {
            duplicate_keys: doc.duplicate_keys,
            wide_integers: doc.wide_integers,
        };
        self.validate_node(file, &doc.root, facts)
    }

    fn validate_node(&self, file: FileId, doc: &Node, facts: Facts) -> Vec<Diagnostic> {
        let (Some(av_node), Some(kind_node)) = (doc.get("apiVersion"), doc.get("kind")) else {
            return Vec::new();
        };
        let (Some(api_version), Some(kind)) = (av_node.as_str(), kind_node.as_str()) else {
            return Vec::new();
        };
        // `kind: List` is a client-side wrapper (kubectl accepts it): check its items.
        if api_version == "v1" && kind == "List" {
            let items = doc.get("items").map(Node::items).unwrap_or_default();
            return items
                .iter()
                .flat_map(|i| self.validate_node(file, i, facts))
                .collect();
        }
        let key = (api_version.to_string(), kind.to_string());
        let mut out = Vec::new();
        let target = if let Some(&def) = self.defs.gvks.get(&key) {
            if let Some(d) = self.deprecation(file, av_node, api_version, kind) {
                out.push(d);
            }
            self.builtin_target(def)
        } else if let Some(defs) = self.crds.get(&key) {
            // Deprecated only if every definition of the run says so.
            if let Some(Some(warning)) = defs
                .iter()
                .map(|d| d.deprecated.as_ref())
                .reduce(|a, b| a.and(b))
            {
                out.push(self.custom_deprecation(
                    file,
                    av_node,
                    api_version,
                    kind,
                    warning.as_deref(),
                ));
            }
            out.extend(self.validate_custom(file, doc, facts, kind_node, kind, defs));
            return out;
        } else {
            out.push(self.unknown_kind(file, av_node, kind_node, api_version, kind));
            return out;
        };
        match target {
            Ok(t) => match messages::check(&t, file, doc, facts.duplicate_keys) {
                Ok(found) => {
                    out.extend(found);
                    out.extend(facts.int_range(&t, file, doc));
                }
                Err(e) => out.push(not_compiled(file, kind_node, kind, &e)),
            },
            Err(e) => out.push(not_compiled(file, kind_node, kind, &e)),
        }
        out
    }

    /// Validates a custom resource against every definition of its kind: valid under one
    /// is valid. Otherwise the findings under the definition that explains the fewest
    /// problems are reported (the latest registered on a tie: the input's over `--crd`).
    fn validate_custom(
        &self,
        file: FileId,
        doc: &Node,
        facts: Facts,
        kind_node: &Node,
        kind: &str,
        defs: &[CrdVersion<'a>],
    ) -> Vec<Diagnostic> {
        let mut best: Option<(Vec<Diagnostic>, &CrdVersion<'a>)> = None;
        let mut broken = None;
        for c in defs.iter().rev() {
            let found = match self.check_custom(c, file, doc, facts, kind_node) {
                Ok(found) => found,
                Err(e) => {
                    // Another definition may still judge the resource.
                    broken.get_or_insert(e);
                    continue;
                }
            };
            if !found.iter().any(|d| d.severity == Severity::Error) {
                return found;
            }
            if best.as_ref().is_none_or(|(b, _)| found.len() < b.len()) {
                best = Some((found, c));
            }
        }
        match (best, broken) {
            // With several definitions, say which one the findings come from.
            (Some((found, c)), _) if defs.len() > 1 => match c.origin {
                Some((f, span)) => found
                    .into_iter()
                    .map(|d| {
                        d.with_label(
                            f,
                            span,
                            if defs.len() == 2 {
                                "checked against this definition; the other one rejects it too"
                            } else {
                                "checked against this definition; the others reject it too"
                            },
                        )
                    })
                    .collect(),
                None => found,
            },
            (Some((found, _)), _) => found,
            (None, Some(e)) => vec![not_compiled(file, kind_node, kind, &e)],
            (None, None) => Vec::new(),
        }
    }

    /// The findings of definition `c` on custom resource `doc`. When `warm` chose so, the
    /// resource is checked against the schema cut down to it (`crd_cut.rs`) instead of the
    /// whole schema: first a cut that only judges it, and only if that finds something, one
    /// that also keeps what the messages read for their hints.
    fn check_custom(
        &self,
        c: &CrdVersion<'a>,
        file: FileId,
        doc: &Node,
        facts: Facts,
        kind_node: &Node,
    ) -> Result<Vec<Diagnostic>, String> {
        let check = |t: &Target, rules: &cel::CelRules| {
            let mut found = messages::check(t, file, doc, facts.duplicate_keys)?;
            found.extend(listmaps::check(&t.nav(), file, doc));
            found.extend(facts.int_range(t, file, doc));
            if found.iter().any(messages::blocks_cel) {
                found.extend(rules.not_evaluated_for_errors(file, doc, kind_node));
            } else {
                found.extend(rules.check(file, doc, kind_node));
            }
            Ok::<_, String>(found)
        };
        let whole = || {
            let t = self.crd_target(c)?;
            let rules = c.cel.get_or_init(|| cel::CelRules::new(&t.root));
            check(&t, rules)
        };
        if !c.per_resource.load(Ordering::Relaxed) {
            return whole();
        }
        let cut = |keep| {
            let root = crd::resource_document(c.schema.raw, doc, keep, self)?;
            let t = Target::new(Arc::new(root), c.kind.clone())?;
            check(&t, &cel::CelRules::new(&t.root))
        };
        let mut found = cut(crd_cut::Keep::Judge);
        if found.as_ref().is_ok_and(Vec::is_empty) {
            // Every debug build (the test suite, the fuzzer) checks the cuts against the
            // whole schema. A whole schema that does not compile (a broken keyword under a
            // field this resource does not set, which `crd-schema-invalid` reports on the
            // CRD) gives no verdict to compare with.
            #[cfg(debug_assertions)]
            if let Ok(w) = whole() {
                assert_eq!(
                    w,
                    Vec::new(),
                    "the cut-down CRD schema passes a {} the whole one rejects",
                    c.kind
                );
            }
            return Ok(Vec::new());
        }
        found = cut(crd_cut::Keep::Explain);
        #[cfg(debug_assertions)]
        {
            let sorted = |r: &Result<Vec<Diagnostic>, String>| {
                r.clone().map(|mut d| {
                    d.sort_by_cached_key(|x| format!("{x:?}"));
                    d
                })
            };
            debug_assert_eq!(
                sorted(&found),
                sorted(&whole()),
                "the cut-down CRD schema explains a {} otherwise",
                c.kind
            );
        }
        found
    }

    /// Validates a fragment (a mapping with no `apiVersion`/`kind`, such as a pod-spec snippet
    /// copied from a tutorial) field by field: each top-level key that names a field of a
    /// pod spec, a container or object metadata is checked against that field's schema. The
    /// document itself is reported as not a Kubernetes object elsewhere; this reaches the
    /// typos inside it.
    pub fn validate_fragment(&self, file: FileId, doc: &Node) -> Vec<Diagnostic> {
        const HOSTS: &[&str] = &[
            "io.k8s.api.core.v1.PodSpec",
            "io.k8s.api.core.v1.Container",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        ];
        if !doc.is_map() || doc.get("apiVersion").is_some() || doc.get("kind").is_some() {
            return Vec::new();
        }
        let hosts: Vec<&Map<String, Value>> = HOSTS
            .iter()
            .filter_map(|h| self.defs.defs.get(*h))
            .filter_map(|&i| self.bundle.schema(i).get("properties")?.as_object())
            .collect();
        let mut props = Map::new();
        for e in doc.entries() {
            let Some(k) = e.key.key_text() else { continue };
            if let Some(schema) = hosts.iter().find_map(|h| h.get(k)) {
                props.insert(k.to_string(), schema.clone());
            }
        }
        if props.is_empty() {
            return Vec::new();
        }
        let root = json!({"type": "object", "properties": props});
        let root = self.closure_document("", Some(root));
        Target::new(Arc::new(root), "fragment".into())
            .and_then(|t| messages::check(&t, file, doc, true))
            .unwrap_or_default()
    }

    fn builtin_slot(&self, def: usize) -> Slot {
        let mut map = self.builtin.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(def).or_default().clone()
    }

    fn builtin_target(&self, def: usize) -> Result<Arc<Target>, String> {
        self.builtin_slot(def)
            .get_or_init(|| {
                let name = self.bundle.name(def);
                let root = Arc::new(self.closure_document(name, None));
                Target::new(root, kind_of(name))
                    .map(Target::built_in)
                    .map(Arc::new)
            })
            .clone()
    }

    fn crd_target(&self, c: &CrdVersion<'a>) -> Result<Arc<Target>, String> {
        c.slot
            .get_or_init(|| {
                let root = self.converted(&c.schema)?;
                Target::new(root, c.kind.clone()).map(Arc::new)
            })
            .clone()
    }

    /// A self-contained schema document: `root` (or a `$ref` to definition `name`) with
    /// every definition it reaches, transitively, under `$defs`.
    pub(crate) fn closure_document(&self, name: &str, root: Option<Value>) -> Value {
        let mut todo = vec![name.to_string()];
        if let Some(r) = &root {
            todo.clear();
            collect_refs(r, &mut todo);
        }
        let defs = self.closure_defs(todo);
        let mut doc = match root {
            Some(Value::Object(m)) => m,
            _ => {
                let mut m = Map::new();
                m.insert("$ref".into(), json!(format!("#/$defs/{name}")));
                m
            }
        };
        doc.insert("$schema".into(), json!(quick::DRAFT));
        doc.insert("$defs".into(), Value::Object(defs));
        Value::Object(doc)
    }

    /// The definitions `todo` names, and every definition they reach, transitively: parsed
    /// (from the bundle) and copied on all cores, a level of references at a time (the
    /// shared document of a run's built-in kinds holds hundreds).
    fn closure_defs(&self, todo: Vec<String>) -> Map<String, Value> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut level: Vec<(String, usize)> = todo
            .into_iter()
            .filter(|n| seen.insert(n.clone()))
            .filter_map(|n| self.defs.defs.get(&n).map(|&i| (n, i)))
            .collect();
        let mut defs = Map::new();
        while !level.is_empty() {
            let done: Vec<((String, Value), Vec<String>)> = level
                .into_par_iter()
                .map(|(n, i)| {
                    let def = self.def_copy(n, i);
                    let mut refs = Vec::new();
                    collect_refs(&def.1, &mut refs);
                    (def, refs)
                })
                .collect();
            level = Vec::new();
            for ((n, schema), refs) in done {
                defs.insert(n, schema);
                for r in refs {
                    if seen.insert(r.clone()) {
                        if let Some(&i) = self.defs.defs.get(&r) {
                            level.push((r, i));
                        }
                    }
                }
            }
        }
        defs
    }

    /// Definition `i`, named `n`, as validation reads it.
    fn def_copy(&self, n: String, i: usize) -> (String, Value) {
        // Parsed afresh rather than cloned from the bundle's parse, which then holds no
        // second copy of every definition a run reaches.
        let mut schema = self.bundle.parse(i);
        defaults::relax_required(&n, &mut schema);
        (n, schema)
    }

    /// A custom resource of a version its CRD marks `deprecated: true`: the API server
    /// answers each request with a warning, and some later release of the CRD drops it. A
    /// note, not a warning: unlike a built-in API's, no release is named that stops serving
    /// it, and operators' own tests use deprecated versions on purpose (conversion).
    fn custom_deprecation(
        &self,
        file: FileId,
        av_node: &Node,
        api_version: &str,
        kind: &str,
        warning: Option<&str>,
    ) -> Diagnostic {
        let message = match warning {
            Some(w) => format!("{api_version} {kind} is deprecated: \"{w}\""),
            None => format!("{api_version} {kind} is deprecated by its CustomResourceDefinition"),
        };
        let mut d = Diagnostic::new(
            RULE_DEPRECATED_API_VERSION,
            Severity::Info,
            file,
            av_node.span,
            message,
        )
        .with_primary_label("`deprecated: true` in its CustomResourceDefinition");
        let newer = self
            .crd_kind(api_version, kind)
            .into_iter()
            .flat_map(|k| &k.served)
            .filter(|v| {
                self.crds
                    .get(&((*v).clone(), kind.to_string()))
                    .is_some_and(|defs| defs.iter().any(|d| d.deprecated.is_none()))
            })
            .max_by_key(|v| apiversions::version_rank(apiversions::split_api_version(v).1));
        if let Some(v) = newer {
            d = d.with_help(format!("use `apiVersion: {v}`, which is not deprecated"));
        }
        d
    }

    fn deprecation(
        &self,
        file: FileId,
        av_node: &Node,
        api_version: &str,
        kind: &str,
    ) -> Option<Diagnostic> {
        let Some(r) = apiversions::removal(api_version, kind) else {
            let dep =
                apiversions::deprecation(api_version, kind).filter(|d| d.since <= self.minor)?;
            let (new_av, new_kind) = dep.replacement;
            let d = Diagnostic::new(
                RULE_DEPRECATED_API_VERSION,
                Severity::Warning,
                file,
                av_node.span,
                format!(
                    "{api_version} {kind} is deprecated since Kubernetes 1.{}",
                    dep.since
                ),
            )
            .with_primary_label("deprecated")
            .with_help(format!(
                "the API server answers with `Warning: {api_version} {kind} is deprecated in v1.{}+; use {new_av} {new_kind}`; write a `{new_kind}` (`apiVersion: {new_av}`) instead",
                dep.since
            ));
            return Some(d);
        };
        if r.removed_in <= self.minor {
            return None;
        }
        let mut d = Diagnostic::new(
            RULE_DEPRECATED_API_VERSION,
            Severity::Warning,
            file,
            av_node.span,
            format!(
                "{api_version} {kind} is deprecated and removed in Kubernetes 1.{}",
                r.removed_in
            ),
        )
        .with_primary_label(format!("not served from 1.{} on", r.removed_in));
        if let Some(help) = self.replacement_help(r.new_group, kind, r.note) {
            d = d.with_help(help);
        }
        Some(d)
    }

    /// "use `apps/v1`": the most stable version of `kind` in `group` that the target serves.
    fn replacement(&self, group: &str, kind: &str) -> Option<String> {
        self.defs
            .gvks
            .keys()
            .filter(|(av, k)| k == kind && apiversions::split_api_version(av).0 == group)
            .max_by_key(|(av, _)| apiversions::version_rank(apiversions::split_api_version(av).1))
            .map(|(av, _)| av.clone())
    }

    /// The newest apiVersion serving `kind`, in any group.
    fn replacement_in_any_group(&self, kind: &str) -> Option<String> {
        self.defs
            .gvks
            .keys()
            .filter(|(_, k)| k == kind)
            .max_by_key(|(av, _)| apiversions::version_rank(apiversions::split_api_version(av).1))
            .map(|(av, _)| av.clone())
    }

    fn replacement_help(&self, group: &str, kind: &str, note: Option<&str>) -> Option<String> {
        match (note, self.replacement(group, kind)) {
            (Some(n), _) => Some(n.to_string()),
            (None, Some(av)) => Some(format!("use `apiVersion: {av}`")),
            (None, None) => None,
        }
    }

    fn unknown_kind(
        &self,
        file: FileId,
        av_node: &Node,
        kind_node: &Node,
        api_version: &str,
        kind: &str,
    ) -> Diagnostic {
        // Removed by a release at or before the target.
        if let Some(r) = apiversions::removal(api_version, kind) {
            let mut d = Diagnostic::new(
                RULE_REMOVED_API_VERSION,
                Severity::Error,
                file,
                av_node.span,
                format!(
                    "{api_version} {kind} was removed in Kubernetes 1.{}; the target is {}",
                    r.removed_in, self.version
                ),
            )
            .with_primary_label(format!("not served since 1.{}", r.removed_in));
            if let Some(help) = self.replacement_help(r.new_group, kind, r.note) {
                d = d.with_help(help);
            }
            return d;
        }
        // Served by another bundled version?
        let served_in: Vec<&str> = self
            .bundle
            .versions
            .iter()
            .filter(|v| self.bundle.serves(v, api_version, kind))
            .map(String::as_str)
            .collect();
        let (group, _) = apiversions::split_api_version(api_version);
        let replacement = self.replacement(group, kind);
        if let (Some(first), Some(last)) = (served_in.first(), served_in.last()) {
            let last_minor = minor_of(last).unwrap_or(0);
            let first_minor = minor_of(first).unwrap_or(0);
            if last_minor < self.minor {
                let mut d = Diagnostic::new(
                    RULE_REMOVED_API_VERSION,
                    Severity::Error,
                    file,
                    av_node.span,
                    format!(
                        "{api_version} {kind} was removed in Kubernetes 1.{}; the target is {}",
                        last_minor + 1,
                        self.version
                    ),
                )
                .with_primary_label(format!("last served in {last}"));
                if let Some(av) = replacement {
                    d = d.with_help(format!("use `apiVersion: {av}`"));
                }
                return d;
            }
            if first_minor > self.minor {
                let mut d = Diagnostic::new(
                    RULE_UNKNOWN_KIND,
                    Severity::Error,
                    file,
                    av_node.span,
                    format!(
                        "{api_version} {kind} is not served by Kubernetes {}; it is first served in {first}",
                        self.version
                    ),
                );
                if let Some(av) = replacement {
                    d = d.with_help(format!(
                        "Kubernetes {} serves `apiVersion: {av}`",
                        self.version
                    ));
                }
                return d;
            }
        }
        // A kind missing from a group-version Kubernetes itself serves: the API server
        // answers `no matches for kind` (a CRD cannot add kinds to a built-in group).
        let builtin_kinds: Vec<&str> = self
            .defs
            .gvks
            .keys()
            .filter(|(av, _)| av == api_version)
            .map(|(_, k)| k.as_str())
            .collect();
        // OpenShift 3 served its own kinds under the legacy `v1` (`oc` still maps them).
        let openshift_legacy = api_version == "v1"
            && matches!(
                kind,
                "Template"
                    | "DeploymentConfig"
                    | "Route"
                    | "ImageStream"
                    | "ImageStreamTag"
                    | "BuildConfig"
                    | "Build"
                    | "Project"
                    | "ProjectRequest"
                    | "SecurityContextConstraints"
                    | "OAuthClient"
            );
        if !builtin_kinds.is_empty() && !openshift_legacy {
            let mut d = Diagnostic::new(
                RULE_UNKNOWN_KIND,
                Severity::Error,
                file,
                kind_node.span,
                format!(
                    "{api_version} has no kind `{kind}`: the API server rejects it (no matches for kind \"{kind}\" in version \"{api_version}\")"
                ),
            )
            .with_primary_label(format!("not a kind of {api_version}"));
            if let Some(av) = self.replacement_in_any_group(kind) {
                return d
                    .with_help(format!("{kind} is served as `apiVersion: {av}`"))
                    .with_label(file, av_node.span, "this apiVersion does not serve it");
            }
            let suggestion = builtin_kinds
                .iter()
                .find(|k| k.eq_ignore_ascii_case(kind))
                .map(|k| k.to_string())
                .or_else(|| {
                    crate::model::names::did_you_mean(kind, &builtin_kinds).map(str::to_string)
                })
                .or_else(|| self.kind_suggestion(kind));
            if let Some(k) = suggestion {
                d = d.with_help(format!("did you mean `{k}`? (kinds are case-sensitive)"));
            }
            return d;
        }
        if let Some(d) = self.unserved_version(file, av_node, api_version, kind) {
            return d;
        }
        let severity = if self.strict_kinds {
            Severity::Error
        } else {
            Severity::Info
        };
        let mut d = Diagnostic::new(
            RULE_UNKNOWN_KIND,
            severity,
            file,
            kind_node.span,
            format!("no schema for {api_version} {kind}; not validated"),
        );
        let defined = self.crd_kind(api_version, kind);
        if let Some(av) = replacement {
            d = d
                .with_help(format!("{kind} is served as `apiVersion: {av}`"))
                .with_label(file, av_node.span, "this apiVersion does not serve it");
        } else if let Some(k) = defined.filter(|k| !k.served.is_empty()) {
            d = d.with_help(format!(
                "the run's {} serves {} only; if the cluster's CRD is another release that serves {api_version}, pass it with `--crd`",
                k.title(),
                k.served_list()
            ));
            if let Some((_, f, span)) = &k.name {
                d = d.with_label(*f, *span, format!("defines {kind} without {api_version}"));
            }
        } else if let Some(k) = self.unknown_kind_suggestion(api_version, kind) {
            d = d.with_help(format!("did you mean `kind: {k}`?"));
        } else if !self.crds.is_empty() || api_version.contains('.') {
            d = d.with_help(
                "if this is a custom resource, pass its CustomResourceDefinition with `--crd`",
            );
        }
        d
    }

    /// A kind to suggest for `kind` under `api_version`, which serves no schema. A custom
    /// group (one with a dot that Kubernetes does not serve) has only its CRDs' kinds: a
    /// `cert-manager.io/v1` `Certificate` whose CRD is not in the run is no misspelt
    /// `CertificateSigningRequest`, a kind of another group.
    fn unknown_kind_suggestion(&self, api_version: &str, kind: &str) -> Option<String> {
        let group = group_of(api_version);
        let builtin = |g: &str| self.defs.gvks.keys().any(|(av, _)| group_of(av) == g);
        if !group.contains('.') || builtin(group) {
            return self.kind_suggestion(kind);
        }
        let mut kinds: Vec<&str> = self
            .crds
            .keys()
            .filter(|(av, _)| group_of(av) == group)
            .map(|(_, k)| k.as_str())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        crate::model::names::did_you_mean(kind, &kinds).map(str::to_string)
    }

    fn kind_suggestion(&self, kind: &str) -> Option<String> {
        if let Some(hit) = self
            .kind_hints
            .lock()
            .ok()
            .and_then(|h| h.get(kind).cloned())
        {
            return hit;
        }
        let hint = self.compute_kind_suggestion(kind);
        if let Ok(mut h) = self.kind_hints.lock() {
            h.insert(kind.to_string(), hint.clone());
        }
        hint
    }

    fn compute_kind_suggestion(&self, kind: &str) -> Option<String> {
        // Each kind once: the table holds a kind per group version, and the corpus's unknown
        // kinds made this comparison 5% of a run.
        let table = self.kind_table.get_or_init(|| {
            let kinds: std::collections::BTreeSet<&str> = self
                .defs
                .gvks
                .keys()
                .map(|(_, k)| k.as_str())
                .chain(self.crds.keys().map(|(_, k)| k.as_str()))
                .collect();
            kinds
                .into_iter()
                .map(|k| (k.to_string(), messages::normalize(k)))
                .collect()
        });
        messages::suggest_normalized(kind, table.iter().map(|(k, n)| (k.as_str(), n)))
    }
}

fn duplicate_crd(name: &str, file: FileId, span: Span, first: &Seen) -> Diagnostic {
    Diagnostic::new(
        RULE_DUPLICATE_CRD,
        Severity::Warning,
        file,
        span,
        format!(
            "CustomResourceDefinition `{name}` is defined twice in this run, with different schemas"
        ),
    )
    .with_primary_label("this definition")
    .with_label(first.file, first.span, "differs from this one")
    .with_help(
        "the cluster holds one definition per name, the one applied last; kubevet accepts \
         a custom resource valid under either. Check only the copy the cluster installs, or \
         keep the two in step",
    )
}

/// The API group of an `apiVersion`: `apps` for `apps/v1`, empty for the core `v1`.
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// `Deployment` for `io.k8s.api.apps.v1.Deployment`.
fn kind_of(def_name: &str) -> String {
    def_name.rsplit('.').next().unwrap_or(def_name).to_string()
}

/// `entry` (an object schema) with the definitions of `root` it reaches, transitively: the
/// self-contained document of one kind of a shared document.
fn closure_in(root: &Value, entry: &Value) -> Value {
    let all = root.get("$defs").and_then(Value::as_object);
    let mut defs = Map::new();
    let mut todo = Vec::new();
    collect_refs(entry, &mut todo);
    while let Some(n) = todo.pop() {
        if defs.contains_key(&n) {
            continue;
        }
        if let Some(s) = all.and_then(|a| a.get(&n)) {
            collect_refs(s, &mut todo);
            defs.insert(n, s.clone());
        }
    }
    let mut doc = entry.as_object().cloned().unwrap_or_default();
    doc.insert("$defs".into(), Value::Object(defs));
    Value::Object(doc)
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
                        out.push(name.to_string());
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `v1.31.2` / `1.31` -> `1.31`.
fn normalize_version(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(format!("{major}.{minor}"))
}

fn minor_of(v: &str) -> Option<u32> {
    v.split('.').nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests;

/// Whether the schema stage's own search finds a repeated key in `root` (the loader's
/// `Document::duplicate_keys` must agree).
#[cfg(test)]
pub(crate) fn repeats_a_key(root: &Node) -> bool {
    instance::Instance::new(root, None).has_duplicates()
}
