//! Acceptance test for the Pod Security Standards: kubevet's `pod-security-*` rules must agree
//! with every expected result of the Kyverno Pod Security policies' own tests
//! (`../shared/corpus/peer-fixtures/kyverno-policies-pod-security`, `.kyverno-test/`), per
//! object and per control. Where Kyverno and Kubernetes' Pod Security Admission library
//! differ, kubevet follows Kubernetes and the difference is listed in `DIFFERENCES` with its
//! reason; the test fails on an unlisted difference and on a listed one that no longer
//! occurs. Skipped when `../shared` is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use kubevet::diagnostics::Diagnostic;
use kubevet::rules::security::policy::LevelVersion;
use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits};
use kubevet::{check_text, Options};
use serde_json::Value;

const ROOT: &str = "../shared/corpus/peer-fixtures/kyverno-policies-pod-security/pod-security";

const BASELINE: &[&str] = &[
    "pod-security-privileged",
    "pod-security-host-namespaces",
    "pod-security-capabilities-baseline",
    "pod-security-host-path-volumes",
    "pod-security-host-ports",
    "pod-security-apparmor-profile",
    "pod-security-selinux-options",
    "pod-security-proc-mount",
    "pod-security-seccomp-profile-baseline",
    "pod-security-sysctls",
    "pod-security-windows-host-process",
    "pod-security-host-probes-and-lifecycle",
];

const RESTRICTED_ONLY: &[&str] = &[
    "pod-security-restricted-volumes",
    "pod-security-allow-privilege-escalation",
    "pod-security-run-as-non-root",
    "pod-security-run-as-user",
    "pod-security-seccomp-profile-restricted",
    "pod-security-capabilities-restricted",
];

/// Which kubevet findings stand for a failure of one Kyverno rule.
struct Mapping {
    policy: &'static str,
    rule: &'static str,
    /// The level kubevet checks at (`--pod-security`).
    level: &'static str,
    /// kubevet rules whose findings count; empty = every rule of the level.
    rules: &'static [&'static str],
    /// Further narrows the findings that count (a Kyverno rule covering part of a control).
    filter: fn(&Diagnostic, &Value) -> bool,
}

fn any(_: &Diagnostic, _: &Value) -> bool {
    true
}

const MAPPINGS: &[Mapping] = &[
    Mapping {
        policy: "disallow-capabilities",
        rule: "adding-capabilities",
        level: "baseline",
        rules: &["pod-security-capabilities-baseline"],
        filter: any,
    },
    Mapping {
        policy: "restrict-sysctls",
        rule: "check-sysctls",
        level: "baseline",
        rules: &["pod-security-sysctls"],
        filter: any,
    },
    Mapping {
        policy: "restrict-seccomp",
        rule: "check-seccomp",
        level: "baseline",
        rules: &["pod-security-seccomp-profile-baseline"],
        filter: any,
    },
    Mapping {
        policy: "disallow-host-ports-range",
        rule: "host-port-range",
        level: "baseline",
        rules: &["pod-security-host-ports"],
        filter: any,
    },
    Mapping {
        policy: "disallow-host-ports",
        rule: "host-ports-none",
        level: "baseline",
        rules: &["pod-security-host-ports"],
        filter: any,
    },
    Mapping {
        policy: "disallow-host-namespaces",
        rule: "host-namespaces",
        level: "baseline",
        rules: &["pod-security-host-namespaces"],
        filter: any,
    },
    Mapping {
        policy: "disallow-selinux",
        rule: "selinux-type",
        level: "baseline",
        rules: &["pod-security-selinux-options"],
        filter: |d, _| d.message.contains("SELinux type"),
    },
    Mapping {
        policy: "disallow-selinux",
        rule: "selinux-user-role",
        level: "baseline",
        rules: &["pod-security-selinux-options"],
        filter: |d, _| d.message.contains("SELinux user") || d.message.contains("SELinux role"),
    },
    Mapping {
        policy: "disallow-host-process",
        rule: "host-process-containers",
        level: "baseline",
        rules: &["pod-security-windows-host-process"],
        filter: any,
    },
    Mapping {
        policy: "disallow-proc-mount",
        rule: "check-proc-mount",
        level: "baseline",
        rules: &["pod-security-proc-mount"],
        filter: any,
    },
    Mapping {
        policy: "disallow-host-path",
        rule: "host-path",
        level: "baseline",
        rules: &["pod-security-host-path-volumes"],
        filter: any,
    },
    Mapping {
        policy: "restrict-apparmor-profiles",
        rule: "app-armor",
        level: "baseline",
        rules: &["pod-security-apparmor-profile"],
        filter: any,
    },
    Mapping {
        policy: "disallow-privileged-containers",
        rule: "privileged-containers",
        level: "baseline",
        rules: &["pod-security-privileged"],
        filter: any,
    },
    Mapping {
        policy: "require-run-as-non-root-user",
        rule: "run-as-non-root-user",
        level: "restricted",
        rules: &["pod-security-run-as-user"],
        filter: any,
    },
    Mapping {
        policy: "restrict-seccomp-strict",
        rule: "check-seccomp-strict",
        level: "restricted",
        rules: &["pod-security-seccomp-profile-restricted"],
        filter: any,
    },
    Mapping {
        policy: "disallow-privilege-escalation",
        rule: "privilege-escalation",
        level: "restricted",
        rules: &["pod-security-allow-privilege-escalation"],
        filter: any,
    },
    Mapping {
        policy: "require-run-as-nonroot",
        rule: "run-as-non-root",
        level: "restricted",
        rules: &["pod-security-run-as-non-root"],
        filter: any,
    },
    Mapping {
        policy: "disallow-capabilities-strict",
        rule: "adding-capabilities-strict",
        level: "restricted",
        rules: &["pod-security-capabilities-restricted"],
        filter: |d, _| d.message.contains("adds capability"),
    },
    Mapping {
        policy: "disallow-capabilities-strict",
        rule: "require-drop-all",
        level: "restricted",
        rules: &["pod-security-capabilities-restricted"],
        filter: |d, _| d.message.contains("drop"),
    },
    Mapping {
        policy: "restrict-volume-types",
        rule: "restricted-volumes",
        level: "restricted",
        rules: &["pod-security-restricted-volumes"],
        filter: any,
    },
    // Kyverno's `podSecurity` subrules run the admission library itself, at a level.
    Mapping {
        policy: "podsecurity-subrule-baseline",
        rule: "baseline",
        level: "baseline",
        rules: &[],
        filter: any,
    },
    Mapping {
        policy: "podsecurity-subrule-restricted",
        rule: "restricted",
        level: "restricted",
        rules: &[],
        filter: any,
    },
    Mapping {
        policy: "podsecurity-subrule-restricted-seccomp",
        rule: "restricted-exempt-seccomp",
        level: "restricted",
        rules: &[],
        filter: |d, _| !d.rule.contains("seccomp"),
    },
    Mapping {
        policy: "podsecurity-subrule-restricted-capabilities",
        rule: "restricted-exempt-capabilities",
        level: "restricted",
        rules: &[],
        filter: not_excluded_capability,
    },
];

/// `exclude: [{controlName: Capabilities, images: [ghcr.io/kyverno/test-nginx*, redis*]}]`:
/// a capabilities finding about a container with such an image does not count.
fn not_excluded_capability(d: &Diagnostic, obj: &Value) -> bool {
    if !d.rule.contains("capabilities") {
        return true;
    }
    let image = container_of(d, obj)
        .and_then(|c| c.get("image"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    !(image.starts_with("ghcr.io/kyverno/test-nginx") || image.starts_with("redis"))
}

/// The container a finding's path points into (`spec.containers[1]...`).
fn container_of<'v>(d: &Diagnostic, obj: &'v Value) -> Option<&'v Value> {
    let path = d.path.as_deref()?;
    for list in ["initContainers", "ephemeralContainers", "containers"] {
        let Some(at) = path.find(&format!(".{list}[")) else {
            continue;
        };
        let rest = &path[at + list.len() + 2..];
        let index: usize = rest[..rest.find(']')?].parse().ok()?;
        let spec_path = &path[..at];
        let mut node = obj;
        for key in spec_path.split('.') {
            node = node.get(key)?;
        }
        return node.get(list)?.get(index);
    }
    None
}

/// Where Kyverno's expected result differs from Kubernetes' admission library, which kubevet
/// follows: (policy, rule, resource, reason).
const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob02",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob03",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob05",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob06",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob08",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob09",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "CronJob/goodcronjob10",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment02",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment03",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment05",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment06",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment08",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment09",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Deployment/gooddeployment10",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod02",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod03",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod05",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod06",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod08",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod09",
        HOST_PORT_RANGE,
    ),
    (
        "disallow-host-ports-range",
        "host-port-range",
        "Pod/goodpod10",
        HOST_PORT_RANGE,
    ),
];

/// `disallow-host-ports-range` is Kyverno's own variant, not a Pod Security control: it allows
/// host ports 5000-6000. The admission check `hostPorts` forbids every non-zero `hostPort`
/// at `baseline`, so kubevet reports `hostPort: 5555`.
const HOST_PORT_RANGE: &str =
    "Kyverno's variant allows host ports 5000-6000; Pod Security `hostPorts` forbids any";

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("readable");
    let file = SourceFile::new(0, path.display().to_string(), text);
    let parsed = parse_file(&file, &Limits::default());
    parsed.documents.iter().map(|d| d.root.to_json()).collect()
}

#[test]
fn kubevet_agrees_with_the_kyverno_pod_security_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(ROOT);
    if !root.is_dir() {
        eprintln!("skipping: {} is absent", root.display());
        return;
    }
    let mut tests = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "kyverno-test.yaml") {
                tests.push(p);
            }
        }
    }
    tests.sort();
    assert!(
        tests.len() >= 20,
        "found only {} Kyverno tests",
        tests.len()
    );

    let mut checked = 0usize;
    let mut differences: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut unmapped = BTreeSet::new();
    for test in &tests {
        let dir = test.parent().expect("dir");
        let spec = yaml_docs(test).into_iter().next().expect("a test document");
        let resources_file = dir.join("resource.yaml");
        let text = std::fs::read_to_string(&resources_file).expect("resource.yaml");
        let objects = yaml_docs(&resources_file);
        let results = spec["results"].as_array().cloned().unwrap_or_default();
        for level in ["baseline", "restricted"] {
            let mappings: Vec<&Mapping> = MAPPINGS.iter().filter(|m| m.level == level).collect();
            let mut opts = Options::default();
            opts.config.pod_security = Some(level.parse::<LevelVersion>().expect("level"));
            let report = check_text("resource.yaml", &text, &opts);
            // (kind, name) -> findings
            let mut by_object: BTreeMap<(String, String), Vec<&Diagnostic>> = BTreeMap::new();
            for d in &report.diagnostics {
                if !d.rule.starts_with("pod-security-") {
                    continue;
                }
                let Some(o) = &d.object else { continue };
                by_object
                    .entry((
                        o.kind.clone().unwrap_or_default(),
                        o.name.clone().unwrap_or_default(),
                    ))
                    .or_default()
                    .push(d);
            }
            for r in &results {
                let policy = r["policy"].as_str().unwrap_or_default();
                let rule = r["rule"].as_str().unwrap_or_default();
                let Some(m) = MAPPINGS
                    .iter()
                    .find(|m| m.policy == policy && m.rule == rule)
                else {
                    unmapped.insert(format!("{policy}/{rule}"));
                    continue;
                };
                if !mappings.iter().any(|x| std::ptr::eq(*x, m)) {
                    continue;
                }
                let kind = r["kind"].as_str().unwrap_or_default();
                let expect_fail = r["result"].as_str() == Some("fail");
                for name in r["resources"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap_or_default();
                    let obj = objects
                        .iter()
                        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
                        .unwrap_or_else(|| {
                            panic!("{}: no {kind}/{name}", resources_file.display())
                        });
                    let rules: Vec<&str> = if m.rules.is_empty() {
                        let mut all = BASELINE.to_vec();
                        if level == "restricted" {
                            all.extend_from_slice(RESTRICTED_ONLY);
                        }
                        all
                    } else {
                        m.rules.to_vec()
                    };
                    let fails = by_object
                        .get(&(kind.to_string(), name.to_string()))
                        .into_iter()
                        .flatten()
                        .any(|d| rules.contains(&d.rule) && (m.filter)(d, obj));
                    checked += 1;
                    if fails != expect_fail {
                        differences.insert((
                            format!("{policy}/{rule}"),
                            format!("{kind}/{name}"),
                            if expect_fail {
                                "Kyverno fails, kubevet passes".into()
                            } else {
                                "Kyverno passes, kubevet fails".into()
                            },
                        ));
                    }
                }
            }
        }
    }
    assert!(
        unmapped.is_empty(),
        "Kyverno rules with no kubevet mapping: {unmapped:?}"
    );
    assert!(checked >= 900, "only {checked} expected results checked");
    let listed: BTreeSet<(String, String)> = DIFFERENCES
        .iter()
        .map(|(p, r, o, _)| (format!("{p}/{r}"), o.to_string()))
        .collect();
    let found: BTreeSet<(String, String)> = differences
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    let unlisted: Vec<_> = differences
        .iter()
        .filter(|(a, b, _)| !listed.contains(&(a.clone(), b.clone())))
        .collect();
    let stale: Vec<_> = listed.difference(&found).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "{checked} expected results; unlisted differences:\n{}\nstale DIFFERENCES entries: {stale:?}",
        unlisted
            .iter()
            .map(|(a, b, c)| format!("  {a} {b}: {c}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
