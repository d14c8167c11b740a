//! `.kubevet.yaml`: reading one configuration file through kubevet's own YAML loader, so a
//! mistake in it is a diagnostic with a span (and "did you mean" for an unknown key).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Severity};
use crate::rules;
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// The names a configuration file may have, in lookup order.
pub const FILE_NAMES: &[&str] = &[".kubevet.yaml", ".kubevet.yml"];
/// The rule id configuration errors are reported under (exit 2, never in a report).
pub const RULE_INVALID_CONFIG: &str = "invalid-config";

/// Every key of the file, for "did you mean" and the schema test.
pub const KEYS: &[&str] = &[
    "kubernetes-version",
    "node-port-range",
    "default-namespace",
    "fail-on",
    "strict-kinds",
    "skip-kinds",
    "crds",
    "exclude",
    "select",
    "ignore",
    "severity",
    "per-path-ignores",
    "per-object-ignores",
    "pod-security",
];

/// What one file says; `None` / empty = not set (the default or an outer layer applies).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub kubernetes_version: Option<String>,
    pub node_port_range: Option<(i64, i64)>,
    pub default_namespace: Option<String>,
    pub fail_on: Option<Severity>,
    pub strict_kinds: Option<bool>,
    /// `Kind` or `apiVersion/Kind` entries whose objects are not reported on.
    pub skip_kinds: Option<Vec<String>>,
    /// CRD files or directories, resolved against the file's directory.
    pub crds: Vec<PathBuf>,
    /// Globs relative to the file's directory.
    pub exclude: Option<Vec<String>>,
    /// Rule ids (categories expanded).
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Rule id -> severity; `None` switches the rule off.
    pub severity: BTreeMap<String, Option<Severity>>,
    /// (glob relative to the file's directory, rule ids).
    pub per_path_ignores: Vec<(String, Vec<String>)>,
    /// `per-object-ignores`: rules that do not report on the objects an entry selects.
    pub per_object_ignores: Vec<ObjectIgnore>,
    /// Pod Security Standards level (`privileged`, `baseline`, `restricted`); read here,
    /// used by the pod-security checks.
    pub pod_security: Option<String>,
}

/// One entry of `per-object-ignores`: the rules, and the objects they are off for. A
/// selector left out matches every object; at least one is given.
#[derive(Clone, Debug, Default)]
pub struct ObjectIgnore {
    pub rules: Vec<String>,
    /// Namespaces the objects are in (after defaulting); a cluster-scoped object is in none.
    pub namespaces: Vec<String>,
    /// Kinds, as written in `kind`.
    pub kinds: Vec<String>,
    /// Object names, as globs (`prometheus-*`).
    pub names: Vec<globset::GlobMatcher>,
}

impl PartialEq for ObjectIgnore {
    fn eq(&self, other: &Self) -> bool {
        self.rules == other.rules
            && self.namespaces == other.namespaces
            && self.kinds == other.kinds
            && self
                .names
                .iter()
                .map(|m| m.glob())
                .eq(other.names.iter().map(|m| m.glob()))
    }
}

impl ObjectIgnore {
    /// Whether the entry switches `rule` off for an object of this kind, namespace (after
    /// defaulting; `None` when cluster-scoped) and name.
    pub fn covers(
        &self,
        rule: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> bool {
        self.rules.iter().any(|r| r == rule)
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind))
            && (self.namespaces.is_empty()
                || namespace.is_some_and(|ns| self.namespaces.iter().any(|n| n == ns)))
            && (self.names.is_empty()
                || name.is_some_and(|n| self.names.iter().any(|g| g.is_match(n))))
    }
}

#[derive(Clone, Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The directory relative paths and globs in the file are resolved against.
    pub dir: PathBuf,
    pub settings: Settings,
}

/// A file that could not be used: the file (for rendering) and what is wrong with it.
#[derive(Debug)]
pub struct ConfigError {
    /// Boxed: a `SourceFile` with its line index is large, and errors travel by value.
    pub file: Box<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ConfigError {
    /// The problems rendered as kubevet renders findings (no colour).
    pub fn render(&self) -> String {
        let report = crate::Report {
            files: vec![(*self.file).clone()],
            diagnostics: self.diagnostics.clone(),
            documents: 0,
            objects: 0,
            kubernetes_version: None,
            inputs: 1,
            skipped: Default::default(),
            layout: Default::default(),
        };
        let mut out = Vec::new();
        let _ = crate::diagnostics::render::render_styled(
            &report,
            crate::diagnostics::render::Format::Human,
            false,
            false,
            &mut out,
        );
        String::from_utf8_lossy(&out).trim_end().to_string()
    }
}

pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path);
    let name = path.display().to_string();
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            let file = SourceFile::new(0, name.clone(), String::new());
            let d = diag(0, yaml::Span::empty(0), format!("cannot read {name}: {e}"));
            return Err(ConfigError {
                file: Box::new(file),
                diagnostics: vec![d],
            });
        }
    };
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    parse(SourceFile::new(0, name, text), &dir).map(|settings| ConfigFile {
        path: path.to_path_buf(),
        dir,
        settings,
    })
}

fn diag(file: usize, span: yaml::Span, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RULE_INVALID_CONFIG, Severity::Error, file, span, msg)
}

/// Parses a configuration text; `dir` resolves relative CRD paths.
pub fn parse(file: SourceFile, dir: &Path) -> Result<Settings, ConfigError> {
    let parsed = yaml::parse_file(&file, &yaml::Limits::default());
    let mut p = Parser {
        errors: parsed.diagnostics.clone(),
        settings: Settings::default(),
    };
    match parsed.documents.as_slice() {
        [] => {}
        [doc] => p.root(&doc.root, dir),
        [_, second, ..] => p.errors.push(diag(
            0,
            second.root.span,
            "a configuration file holds one YAML document",
        )),
    }
    if p.errors.is_empty() {
        Ok(p.settings)
    } else {
        Err(ConfigError {
            file: Box::new(file),
            diagnostics: p.errors,
        })
    }
}

struct Parser {
    errors: Vec<Diagnostic>,
    settings: Settings,
}

impl Parser {
    fn err(&mut self, node: &Node, msg: impl Into<String>) {
        self.errors.push(diag(0, node.span, msg));
    }

    fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                // `1.30` is a number to YAML; a version is text.
                if key == "kubernetes-version" {
                    if let Some(t) = node.text().filter(|_| node.scalar().is_some()) {
                        return Some(t.to_string());
                    }
                }
                self.err(
                    node,
                    format!("`{key}` must be a string, not a {}", node.type_name()),
                );
                None
            }
        }
    }

    fn strings(&mut self, key: &str, node: &Node) -> Option<Vec<(String, Node)>> {
        if !node.is_seq() {
            self.err(
                node,
                format!("`{key}` must be a list, not a {}", node.type_name()),
            );
            return None;
        }
        let mut out = Vec::new();
        for item in node.items() {
            if let Some(s) = self.string(key, item) {
                out.push((s, item.clone()));
            }
        }
        Some(out)
    }

    /// Rule ids or category names; categories expand to their rules.
    fn rule_list(&mut self, key: &str, node: &Node) -> Option<Vec<String>> {
        let items = self.strings(key, node)?;
        let mut out = Vec::new();
        for (s, item) in items {
            match expand_rule_or_category(&s) {
                Ok(ids) => out.extend(ids),
                Err(msg) => self.err(&item, msg),
            }
        }
        Some(out)
    }

    /// One `per-object-ignores` entry.
    fn object_ignore(&mut self, item: &Node) -> Option<ObjectIgnore> {
        if !item.is_map() {
            self.err(item, "an entry of `per-object-ignores` is a mapping: `rules` and `namespaces`, `kinds` or `names`");
            return None;
        }
        let mut entry = ObjectIgnore::default();
        let mut rules = false;
        for e in item.entries() {
            let key = e.key.key_text().unwrap_or("");
            match key {
                "rules" => {
                    rules = true;
                    entry.rules = self.rule_list(key, &e.value).unwrap_or_default();
                }
                "namespaces" | "kinds" => {
                    let list = self.strings(key, &e.value).unwrap_or_default();
                    let list = list.into_iter().map(|(s, _)| s).collect();
                    if key == "kinds" {
                        entry.kinds = list;
                    } else {
                        entry.namespaces = list;
                    }
                }
                "names" => {
                    for (s, node) in self.strings(key, &e.value).unwrap_or_default() {
                        match globset::Glob::new(&s) {
                            Ok(g) => entry.names.push(g.compile_matcher()),
                            Err(err) => self.err(&node, format!("invalid glob: {}", err.kind())),
                        }
                    }
                }
                other => {
                    const ENTRY_KEYS: &[&str] = &["rules", "namespaces", "kinds", "names"];
                    let help = match ENTRY_KEYS
                        .iter()
                        .map(|k| (strsim::jaro_winkler(other, k), *k))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .filter(|(s, _)| *s > 0.7)
                    {
                        Some((_, k)) => format!("did you mean `{k}`?"),
                        None => "an entry has `rules` and any of `namespaces`, `kinds`, `names`"
                            .to_string(),
                    };
                    let d = diag(
                        0,
                        e.key.span,
                        format!("unknown key `{other}` in a `per-object-ignores` entry"),
                    )
                    .with_help(help);
                    self.errors.push(d);
                }
            }
        }
        if !rules {
            self.err(item, "this `per-object-ignores` entry names no `rules`");
            return None;
        }
        if entry.namespaces.is_empty() && entry.kinds.is_empty() && entry.names.is_empty() {
            self.err(item, "this `per-object-ignores` entry selects no objects: give `namespaces`, `kinds` or `names` (`ignore` switches rules off everywhere)");
            return None;
        }
        Some(entry)
    }

    fn severity(&mut self, node: &Node, allow_off: bool) -> Option<Option<Severity>> {
        match node.text().map(str::to_ascii_lowercase).as_deref() {
            Some("error") => Some(Some(Severity::Error)),
            Some("warning") => Some(Some(Severity::Warning)),
            Some("info") => Some(Some(Severity::Info)),
            // `off` unquoted is a YAML 1.1 boolean false: accept both spellings.
            Some("off" | "false") if allow_off => Some(None),
            _ => {
                let allowed = if allow_off {
                    "error, warning, info or off"
                } else {
                    "error, warning or info"
                };
                self.err(node, format!("expected {allowed}"));
                None
            }
        }
    }

    fn root(&mut self, root: &Node, dir: &Path) {
        if root.is_null() {
            return;
        }
        if !root.is_map() {
            self.err(root, "a configuration file is a mapping of settings");
            return;
        }
        for e in root.entries() {
            let Some(key) = e.key.key_text() else {
                self.err(&e.key, "setting names are strings");
                continue;
            };
            let v = &e.value;
            match key {
                "kubernetes-version" => {
                    if let Some(s) = self.string(key, v) {
                        self.settings.kubernetes_version = Some(s);
                    }
                }
                "node-port-range" => {
                    let text = v.text().map(str::to_string);
                    match text.as_deref().map(parse_range) {
                        Some(Ok(r)) => self.settings.node_port_range = Some(r),
                        Some(Err(m)) => self.err(v, m),
                        None => self.err(v, "`node-port-range` is `MIN-MAX`, such as 30000-32767"),
                    }
                }
                "default-namespace" => self.settings.default_namespace = self.string(key, v),
                "fail-on" => {
                    if let Some(s) = self.severity(v, false) {
                        self.settings.fail_on = s;
                    }
                }
                "strict-kinds" => match v.as_bool() {
                    Some(b) => self.settings.strict_kinds = Some(b),
                    None => self.err(v, "`strict-kinds` is true or false"),
                },
                "skip-kinds" => {
                    if let Some(list) = self.strings(key, v) {
                        let mut kinds = Vec::new();
                        for (k, node) in list {
                            if k.is_empty() || k.contains(char::is_whitespace) || k.ends_with('/') {
                                self.err(
                                    &node,
                                    "a kind (`Secret`) or an apiVersion and kind (`v1/Secret`)",
                                );
                            } else {
                                kinds.push(k);
                            }
                        }
                        self.settings.skip_kinds = Some(kinds);
                    }
                }
                "crds" => {
                    if let Some(list) = self.strings(key, v) {
                        self.settings.crds = list.into_iter().map(|(s, _)| dir.join(s)).collect();
                    }
                }
                "exclude" => {
                    if let Some(list) = self.strings(key, v) {
                        let mut globs = Vec::new();
                        for (g, node) in list {
                            match globset::Glob::new(&g) {
                                Ok(_) => globs.push(g),
                                Err(err) => {
                                    self.err(&node, format!("invalid glob: {}", err.kind()))
                                }
                            }
                        }
                        self.settings.exclude = Some(globs);
                    }
                }
                "select" => self.settings.select = self.rule_list(key, v),
                "ignore" => self.settings.ignore = self.rule_list(key, v),
                "severity" => {
                    if !v.is_map() {
                        self.err(v, "`severity` maps rule ids to error, warning, info or off");
                        continue;
                    }
                    for se in v.entries() {
                        let id = se.key.key_text().unwrap_or("");
                        if rules::find(id).is_none() {
                            let m = unknown_rule_message(id);
                            self.err(&se.key, m);
                            continue;
                        }
                        if let Some(s) = self.severity(&se.value, true) {
                            self.settings.severity.insert(id.to_string(), s);
                        }
                    }
                }
                "per-path-ignores" => {
                    if !v.is_map() {
                        self.err(v, "`per-path-ignores` maps globs to lists of rule ids");
                        continue;
                    }
                    for pe in v.entries() {
                        let glob = pe.key.key_text().unwrap_or("").to_string();
                        if let Err(err) = globset::Glob::new(&glob) {
                            self.err(&pe.key, format!("invalid glob: {}", err.kind()));
                            continue;
                        }
                        if let Some(ids) = self.rule_list(key, &pe.value) {
                            self.settings.per_path_ignores.push((glob, ids));
                        }
                    }
                }
                "per-object-ignores" => {
                    if !v.is_seq() {
                        self.err(v, "`per-object-ignores` is a list of entries with `rules` and `namespaces`, `kinds` or `names`");
                        continue;
                    }
                    for item in v.items() {
                        if let Some(entry) = self.object_ignore(item) {
                            self.settings.per_object_ignores.push(entry);
                        }
                    }
                }
                "pod-security" => {
                    if let Some(s) = self.string(key, v) {
                        if !matches!(s.as_str(), "privileged" | "baseline" | "restricted") {
                            self.err(v, "`pod-security` is privileged, baseline or restricted");
                        }
                        self.settings.pod_security = Some(s);
                    }
                }
                other => {
                    let best = KEYS
                        .iter()
                        .map(|k| (strsim::jaro_winkler(other, k), *k))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .filter(|(s, _)| *s > 0.7);
                    let mut d = diag(0, e.key.span, format!("unknown setting `{other}`"))
                        .with_primary_label("not a kubevet setting");
                    d = match best {
                        Some((_, k)) => d.with_help(format!("did you mean `{k}`?")),
                        None => d.with_help(format!("settings are: {}", KEYS.join(", "))),
                    };
                    self.errors.push(d);
                }
            }
        }
    }
}

fn unknown_rule_message(id: &str) -> String {
    let best = rules::ALL
        .iter()
        .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(s, _)| *s > 0.8);
    match best {
        Some((_, r)) => format!("unknown rule `{id}`; did you mean `{r}`?"),
        None => format!("unknown rule `{id}` (see `kubevet rules`)"),
    }
}

/// A rule id, or a category name standing for all its rules.
pub fn expand_rule_or_category(name: &str) -> Result<Vec<String>, String> {
    if rules::find(name).is_some() {
        return Ok(vec![name.to_string()]);
    }
    let in_category: Vec<String> = rules::ALL
        .iter()
        .filter(|r| r.category.as_str() == name)
        .map(|r| r.id.to_string())
        .collect();
    if in_category.is_empty() {
        Err(unknown_rule_message(name))
    } else {
        Ok(in_category)
    }
}

/// `MIN-MAX` within 1-65535.
pub fn parse_range(s: &str) -> Result<(i64, i64), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("expected MIN-MAX, got `{s}`"))?;
    let a: i64 = a
        .trim()
        .parse()
        .map_err(|_| format!("`{a}` is not a number"))?;
    let b: i64 = b
        .trim()
        .parse()
        .map_err(|_| format!("`{b}` is not a number"))?;
    if !(1..=65535).contains(&a) || !(1..=65535).contains(&b) || a > b {
        return Err(format!("`{s}` is not a port range within 1-65535"));
    }
    Ok((a, b))
}
