//! The Pod Security Standards machinery every `pod-security-*` rule shares: levels and policy
//! versions as Kubernetes' Pod Security Admission parses them, the level that applies to a
//! pod (namespace labels, `--pod-security`, `--select`), and the reporting of a control's
//! violations with the severity that level gives them. Not a rule itself.
//!
//! Kubernetes' `k8s.io/pod-security-admission` is the specification: `api/helpers.go` for
//! labels and versions, `policy/registry.go` for which check runs at which level and version,
//! `policy/check_*.go` for the checks (one rule file per check here).

use crate::diagnostics::{Edit, Severity};
use crate::model::{Container, Object, PodTemplate};
use crate::rules::Ctx;
use crate::yaml::{Node, Span};

/// The newest policy version any check knows (`latest` resolves to it, as the admission
/// library resolves `latest` to the newest `MinimumVersion` it registered): v1.37 adds
/// sysctls.
pub const NEWEST_POLICY: u32 = 37;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A policy version: `v1.N`, or `latest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    Minor(u32),
    Latest,
}

impl Version {
    /// `latest` or `v1.N` (no leading zeros), as `api.ParseVersion` accepts.
    pub fn parse(s: &str) -> Option<Version> {
        if s == "latest" {
            return Some(Version::Latest);
        }
        let n = s.strip_prefix("v1.")?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || (n.len() > 1 && n.starts_with('0')) {
            return None;
        }
        n.parse().ok().map(Version::Minor)
    }

    /// The minor version the checks run at: versions past the newest known clamp to it.
    pub fn resolve(self) -> u32 {
        match self {
            Version::Latest => NEWEST_POLICY,
            Version::Minor(n) => n.min(NEWEST_POLICY),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(n) => write!(f, "v1.{n}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl std::fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.level.as_str(), self.version)
    }
}

impl std::str::FromStr for LevelVersion {
    type Err = String;

    /// `LEVEL[:VERSION]`, such as `restricted` or `baseline:v1.30`; the version defaults to
    /// `latest`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (l, v) = s.split_once(':').unwrap_or((s, "latest"));
        let level = Level::parse(l).ok_or_else(|| {
            format!("`{l}` is not a Pod Security level (privileged, baseline, restricted)")
        })?;
        let version = Version::parse(v)
            .ok_or_else(|| format!("`{v}` is not a policy version (`latest` or `v1.N`)"))?;
        Ok(LevelVersion { level, version })
    }
}

/// The namespace labels Pod Security Admission reads.
const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// How a level came to apply to a pod, which decides the severity of its violations.
#[derive(Clone, Debug)]
pub struct Mode {
    pub lv: LevelVersion,
    pub severity: Severity,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub enum Source {
    /// A `pod-security.kubernetes.io/<mode>` label of a Namespace in the run: the mode
    /// (`enforce`, `warn`, `audit`), the namespace, and where the label is.
    Label {
        mode: &'static str,
        namespace: String,
        file: usize,
        span: Span,
    },
    /// `--pod-security`.
    Flag,
    /// The rule was named in `--select` and no level covers it.
    Selected,
}

/// The modes that apply to pods in `obj`'s namespace, as `api.PolicyToEvaluate` resolves
/// the labels with `--pod-security` as the default for `warn` and `audit` (what an
/// AdmissionConfiguration's `defaults` are to the API server). `enforce` has no default:
/// kubevet cannot know the cluster's.
pub fn modes(ctx: &Ctx<'_, '_>, obj: &Object<'_>) -> Vec<Mode> {
    let at = std::ptr::from_ref(obj) as usize;
    if let Some((of, modes)) = &*ctx.memo.pod_security.borrow() {
        if *of == at {
            return modes.clone();
        }
    }
    let modes = modes_uncached(ctx, obj);
    *ctx.memo.pod_security.borrow_mut() = Some((at, modes.clone()));
    modes
}

fn modes_uncached(ctx: &Ctx<'_, '_>, obj: &Object<'_>) -> Vec<Mode> {
    let default = ctx.config.pod_security;
    let default_version = default.map_or(Version::Latest, |d| d.version);
    let ns_name = ctx.namespace_of(obj);
    let ns = ns_name.and_then(|n| ctx.ws.find("Namespace", None, n));
    let labels: Vec<(&str, &Node)> = ns
        .and_then(|o| o.labels())
        .map(|l| {
            l.entries()
                .iter()
                .filter_map(|e| Some((e.key.key_text()?.strip_prefix(LABEL_PREFIX)?, &e.value)))
                .collect()
        })
        .unwrap_or_default();
    let label = |k: &str| labels.iter().rev().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let mut out = Vec::new();
    for (mode, severity) in [
        ("enforce", Severity::Error),
        ("warn", Severity::Warning),
        ("audit", Severity::Warning),
    ] {
        let level_node = label(mode);
        let version_node = label(&format!("{mode}-version"));
        // `--pod-security` is a default for warn and audit only; enforce defaults to latest.
        let fallback = if mode == "enforce" {
            Version::Latest
        } else {
            default_version
        };
        let version = version_node.map_or(fallback, |v| {
            // An unparsable version falls back to `latest`, as in the admission library.
            v.text().and_then(Version::parse).unwrap_or(Version::Latest)
        });
        match level_node {
            Some(l) => {
                // An unparsable level fails closed for enforce, open for warn and audit.
                let level = l.text().and_then(Level::parse).unwrap_or(if mode == "enforce" {
                    Level::Restricted
                } else {
                    Level::Privileged
                });
                if level == Level::Privileged {
                    continue;
                }
                let (Some(ns), Some(ns_name)) = (ns, ns_name) else {
                    continue;
                };
                out.push(Mode {
                    lv: LevelVersion { level, version },
                    severity,
                    source: Source::Label {
                        mode,
                        namespace: ns_name.to_string(),
                        file: ns.file,
                        span: l.span,
                    },
                });
            }
            None if mode != "enforce" => {
                if let Some(d) = default.filter(|d| d.level != Level::Privileged) {
                    // Only one of warn/audit needs to carry the flag's level.
                    if mode == "warn" || label("warn").is_some() {
                        out.push(Mode {
                            lv: LevelVersion {
                                level: d.level,
                                version,
                            },
                            severity,
                            source: Source::Flag,
                        });
                    }
                }
            }
            None => {}
        }
    }
    out
}

/// A pod spec under check, with what the controls need to point at it.
pub struct Pod<'a> {
    pub obj: &'a Object<'a>,
    pub template: PodTemplate<'a>,
    pub spec: &'a Node,
    pub text: &'a str,
}

impl<'a> Pod<'a> {
    /// `spec.securityContext`, when it is a mapping.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext").filter(|n| n.is_map())
    }

    /// `spec.os.name: windows`: the restricted controls that are Linux-only exempt such
    /// pods from policy v1.25.
    pub fn is_windows(&self) -> bool {
        self.spec.get_path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// `spec.hostUsers: false`: a user-namespaced pod, which some controls relax for from
    /// policy v1.35.
    pub fn in_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
    }

    /// Where to point when the pod spec lacks something: the `securityContext` key if the
    /// pod has one, else the `spec` key.
    pub fn anchor(&self) -> Span {
        if let Some(e) = self.spec.entry("securityContext") {
            return e.key.span;
        }
        self.template
            .node
            .entry("spec")
            .map_or(self.spec.span, |e| e.key.span)
    }

    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        self.template.containers().filter(|c| c.node.is_map())
    }
}

/// `securityContext` of a container, when it is a mapping.
pub fn container_sc<'a>(c: &Container<'a>) -> Option<&'a Node> {
    c.node.get("securityContext").filter(|n| n.is_map())
}

/// Where to point when a container lacks something: its `securityContext` key, else its
/// name, else the container.
pub fn container_anchor(c: &Container<'_>) -> Span {
    if let Some(e) = c.node.entry("securityContext") {
        return e.key.span;
    }
    c.node.get("name").map_or(c.node.span, |n| n.span)
}

/// The span of a mapping entry, key and value.
pub fn entry_span(map: &Node, key: &str) -> Option<Span> {
    map.entry(key).map(|e| e.key.span.cover(e.value.span))
}

/// One thing a control forbids in a pod.
pub struct Violation {
    pub span: Span,
    /// What is wrong, in the user's terms: "container `web` sets `privileged: true`".
    pub message: String,
    pub fix: Option<(String, Vec<Edit>)>,
}

impl Violation {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Violation {
            span,
            message: message.into(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Option<(String, Edit)>) -> Self {
        self.fix = fix.map(|(d, e)| (d, vec![e]));
        self
    }
}

/// One Pod Security control: a check of the admission library, as one rule.
pub struct Control {
    /// The admission library's check ID, such as `capabilities_baseline`.
    pub check_id: &'static str,
    /// What the standard forbids, for messages: "privileged containers".
    pub title: &'static str,
    /// The level whose policies include it (restricted includes baseline).
    pub level: Level,
    /// The first policy version that has the check.
    pub since: u32,
    /// For a baseline check a restricted one replaces at the restricted level: from which
    /// policy version (the admission library's `OverrideCheckIDs`).
    pub overridden_in_restricted_from: Option<u32>,
    /// Finds the violations at `level` and resolved policy minor version.
    pub check: fn(&Pod<'_>, Level, u32) -> Vec<Violation>,
    pub help: &'static str,
}

impl Control {
    /// Whether the admission library runs this check for `lv`.
    pub fn applies(&self, lv: LevelVersion) -> bool {
        let v = lv.version.resolve();
        lv.level >= self.level
            && v >= self.since
            && !(lv.level == Level::Restricted
                && self.overridden_in_restricted_from.is_some_and(|from| v >= from))
    }
}

/// Runs `control` on `obj` at every level that applies to its pods and reports each
/// violation once, with the highest severity a level gives it.
pub fn run(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, control: &Control) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    let Some(spec) = template.spec.filter(|s| s.is_map()) else {
        return;
    };
    let mut modes = modes(ctx, obj);
    if !modes.iter().any(|m| control.applies(m.lv)) && ctx.config.only.contains(ctx.rule.id) {
        modes.push(Mode {
            lv: LevelVersion {
                level: Level::Restricted,
                version: Version::Latest,
            },
            severity: Severity::Warning,
            source: Source::Selected,
        });
    }
    modes.sort_by_key(|m| std::cmp::Reverse(m.severity));
    let pod = Pod {
        obj,
        template,
        spec,
        text: &ctx.ws.file(obj.file).text,
    };
    let mut seen: Vec<(Span, String)> = Vec::new();
    for mode in modes.iter().filter(|m| control.applies(m.lv)) {
        for v in (control.check)(&pod, mode.lv.level, mode.lv.version.resolve()) {
            if seen.iter().any(|(s, m)| *s == v.span && *m == v.message) {
                continue;
            }
            seen.push((v.span, v.message.clone()));
            report(ctx, obj, control, mode, v);
        }
    }
}

fn report(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, control: &Control, mode: &Mode, v: Violation) {
    let lv = mode.lv;
    let consequence = match &mode.source {
        Source::Label {
            mode: "enforce",
            namespace,
            ..
        } => {
            if obj.kind == "Pod" {
                format!("namespace `{namespace}` enforces Pod Security `{lv}`, so the API server rejects this Pod")
            } else if obj.kind == "PodTemplate" {
                format!("namespace `{namespace}` enforces Pod Security `{lv}`, so the API server rejects pods made from this template")
            } else {
                format!(
                    "namespace `{namespace}` enforces Pod Security `{lv}`, so the API server accepts the {} but rejects every pod its controller creates",
                    obj.kind
                )
            }
        }
        Source::Label {
            mode, namespace, ..
        } => format!("namespace `{namespace}` {mode}s at Pod Security `{lv}`"),
        Source::Flag => format!("Pod Security `{lv}` (`--pod-security`) forbids {}", control.title),
        Source::Selected => format!("Pod Security `{lv}` forbids {}", control.title),
    };
    let mut d = ctx.diag(obj, v.span, format!("{}; {consequence}", v.message));
    d.severity = mode.severity;
    d.path = path_for(obj.root, v.span);
    d = d
        .with_primary_label(format!("forbidden by Pod Security `{}`", lv.level.as_str()))
        .with_help(control.help);
    if let Source::Label {
        mode,
        namespace,
        file,
        span,
    } = &mode.source
    {
        d = d.with_label(
            *file,
            *span,
            format!("namespace `{namespace}` sets `{LABEL_PREFIX}{mode}` here"),
        );
    }
    if let Some((desc, edits)) = v.fix {
        d = d.with_fix(desc, edits);
    }
    ctx.push(d);
}

/// The field path of `target`: a node's span, or a whole `key: value` entry's.
fn path_for(root: &Node, target: Span) -> Option<String> {
    fn entry_key(n: &Node, target: Span) -> Option<Span> {
        if !n.span.contains(target) && n.span != target {
            return None;
        }
        for e in n.entries() {
            if e.key.span.cover(e.value.span) == target {
                return Some(e.key.span);
            }
            if let Some(k) = entry_key(&e.value, target) {
                return Some(k);
            }
        }
        n.items().iter().find_map(|i| entry_key(i, target))
    }
    root.path_to(target)
        .or_else(|| root.path_to(entry_key(root, target)?))
        .filter(|p| !p.is_empty())
}

/// An edit inserting `lines` (relative indentation kept) as the last entries of the block
/// mapping `map`; `None` when `map` is not a block mapping with entries (flow style, JSON)
/// or when its layout is not the plain one an insertion can follow safely.
pub fn insert_into_map(text: &str, map: &Node, lines: &[&str]) -> Option<Edit> {
    let entries = map.entries();
    let first = entries.first()?;
    let last = entries.last()?;
    let start = map.span.start as usize;
    if text.as_bytes().get(start).is_some_and(|b| *b == b'{' || *b == b'[') {
        return None;
    }
    let key_start = first.key.span.start as usize;
    let line_start = text.get(..key_start)?.rfind('\n').map_or(0, |i| i + 1);
    let prefix = text.get(line_start..key_start)?;
    // The first key may follow a `- ` of its sequence item: its column still is the indent.
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let indent = prefix.chars().count();
    // Every entry must start a line at that column (no flow, no oddly placed keys).
    for e in entries.iter().skip(1) {
        let ks = e.key.span.start as usize;
        let ls = text.get(..ks)?.rfind('\n').map_or(0, |i| i + 1);
        if ks - ls != indent || !text.get(ls..ks)?.chars().all(|c| c == ' ') {
            return None;
        }
    }
    let end = last.value.span.end.max(last.key.span.end) as usize;
    let at = if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\n') {
        end
    } else {
        text.get(end..)?.find('\n').map(|i| end + i + 1)?
    };
    let pad = " ".repeat(indent);
    let new_text: String = lines.iter().map(|l| format!("{pad}{l}\n")).collect();
    Some(Edit {
        span: Span::empty(at),
        new_text,
    })
}

/// The `securityContext` both restricted container fixes insert into a container that has
/// none: the same text from both rules, so applying both fixes gives one block (an applier
/// drops identical edits), not a duplicate key.
const RESTRICTED_CONTAINER_SC: &[&str] = &[
    "securityContext:",
    "  allowPrivilegeEscalation: false",
    "  capabilities:",
    "    drop:",
    "    - ALL",
];

/// An edit inserting `lines` before the first entry of the block mapping `map`, whose
/// first key must start its line.
pub fn insert_at_map_start(text: &str, map: &Node, lines: &[&str]) -> Option<Edit> {
    let first = map.entries().first()?;
    let key_start = first.key.span.start as usize;
    let line_start = text.get(..key_start)?.rfind('\n').map_or(0, |i| i + 1);
    let prefix = text.get(line_start..key_start)?;
    if !prefix.chars().all(|c| c == ' ') {
        return None;
    }
    // Same checks as an insertion at the end: a plain block mapping.
    insert_into_map(text, map, lines)?;
    let pad = " ".repeat(prefix.len());
    Some(Edit {
        span: Span::empty(line_start),
        new_text: lines.iter().map(|l| format!("{pad}{l}\n")).collect(),
    })
}

/// A fix setting `securityContext.<lines>` in a container: inside its `securityContext`
/// when it has one, else as a new restricted `securityContext` (see
/// [`RESTRICTED_CONTAINER_SC`]).
pub fn container_fix(
    text: &str,
    c: &Container<'_>,
    description: &str,
    lines: &[&str],
) -> Option<(String, Edit)> {
    match c.node.get("securityContext") {
        Some(sc) if sc.is_map() => {
            Some((description.to_string(), insert_into_map(text, sc, lines)?))
        }
        Some(_) => None,
        None => Some((
            "add a restricted `securityContext` (`allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`)".to_string(),
            insert_into_map(text, c.node, RESTRICTED_CONTAINER_SC)?,
        )),
    }
}

/// The same at the pod level (`spec.securityContext`).
pub fn pod_fix(pod: &Pod<'_>, description: &str, lines: &[&str]) -> Option<(String, Edit)> {
    let edit = match pod.spec.get("securityContext") {
        Some(sc) if sc.is_map() => insert_into_map(pod.text, sc, lines)?,
        Some(_) => return None,
        None => {
            let mut all = vec!["securityContext:".to_string()];
            all.extend(lines.iter().map(|l| format!("  {l}")));
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            // At the top of the spec: the end of the spec is often the end of its last
            // container, where a container fix inserts.
            insert_at_map_start(pod.text, pod.spec, &refs)?
        }
    };
    Some((description.to_string(), edit))
}

/// `"a", "b"` for messages.
pub fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_the_admission_library_does() {
        assert_eq!(Version::parse("latest"), Some(Version::Latest));
        assert_eq!(Version::parse("v1.0"), Some(Version::Minor(0)));
        assert_eq!(Version::parse("v1.30"), Some(Version::Minor(30)));
        for bad in ["1.30", "v1.030", "v2.1", "v1.", "v1.x", "Latest", ""] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert_eq!(Version::Minor(99).resolve(), NEWEST_POLICY);
        assert_eq!(Version::Latest.resolve(), NEWEST_POLICY);
    }

    #[test]
    fn level_version_from_str() {
        let lv: LevelVersion = "restricted:v1.30".parse().expect("valid");
        assert_eq!(lv.level, Level::Restricted);
        assert_eq!(lv.version, Version::Minor(30));
        let lv: LevelVersion = "baseline".parse().expect("valid");
        assert_eq!(lv.version, Version::Latest);
        assert!("strict".parse::<LevelVersion>().is_err());
        assert!("baseline:1.30".parse::<LevelVersion>().is_err());
    }

    #[test]
    fn insertion_follows_the_mapping_indent() {
        let text = "a:\n  - name: x\n    image: y\nb: 1\n";
        let parsed = crate::yaml::parse_text(text);
        let root = &parsed.documents[0].root;
        let item = &root.get("a").expect("a").items()[0];
        let edit = insert_into_map(text, item, &["k: v"]).expect("block map");
        let mut out = text.to_string();
        out.insert_str(edit.span.start as usize, &edit.new_text);
        assert_eq!(out, "a:\n  - name: x\n    image: y\n    k: v\nb: 1\n");
    }
}
