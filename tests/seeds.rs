//! Acceptance cases from `../shared/seed-examples/EXPECTATIONS.md`. Skipped when `../shared`
//! is absent.

use std::path::{Path, PathBuf};

use kubevet::diagnostics::render::{render, Format};
use kubevet::diagnostics::{Diagnostic, Severity};
use kubevet::{check, Options, Report};

fn seeds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed-examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} not found", dir.display());
        None
    }
}

fn run(dir: &Path, name: &str) -> Report {
    let opts = Options {
        paths: vec![dir.join(name)],
        ..Options::default()
    };
    check(&opts).expect("seed exists")
}

/// (line, column, rule) of every finding.
fn at(report: &Report, d: &Diagnostic) -> (u32, u32) {
    let p = report.files[d.file].position(d.span.start as usize);
    (p.line, p.column)
}

fn errors(report: &Report) -> Vec<(u32, u32, &'static str, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (l, c) = at(report, d);
            (l, c, d.rule, d.message.clone())
        })
        .collect()
}

#[test]
fn valid_examples_have_no_errors() {
    let Some(dir) = seeds_dir() else { return };
    for name in [
        "springboot-pod.yaml",
        "springboot-replicaset.yaml",
        "springboot-deployment.yaml",
        "node-affinity-pod.yaml",
        "pod-anti-affinity-deployment.yaml",
        "toleration-deployment.yaml",
        "init-containers-and-services.yaml",
        "multi-container-pod.yaml",
    ] {
        let report = run(&dir, name);
        assert!(report.objects > 0, "{name}: no objects read");
        assert_eq!(errors(&report), vec![], "{name}");
    }
}

#[test]
fn emptydir_fragment_has_one_syntax_error_at_9_3() {
    let Some(dir) = seeds_dir() else { return };
    let report = run(&dir, "emptydir-fragment-typo.yaml");
    let errs = errors(&report);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].0, errs[0].1, errs[0].2), (9, 3, "yaml-syntax"));
}

#[test]
fn two_containers_broken_duplicate_volume_mounts() {
    let Some(dir) = seeds_dir() else { return };
    let report = run(&dir, "two-containers-broken.yaml");
    let dup = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "duplicate-key")
        .expect("duplicate-key finding");
    assert_eq!(at(&report, dup).0, 15);
    let first = report.files[dup.file].position(dup.labels[0].span.start as usize);
    assert_eq!(first.line, 10);
    assert!(dup.message.contains("volumeMounts"));
}

/// The rendered findings on every seed, for review.
#[test]
fn seed_snapshots() {
    let Some(dir) = seeds_dir() else { return };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    for name in names {
        let report = run(&dir, &name);
        let mut out = Vec::new();
        render(&report, Format::Concise, false, &mut out).expect("render");
        let text = String::from_utf8(out)
            .expect("utf-8")
            .replace(&format!("{}/", dir.display()), "");
        insta::assert_snapshot!(format!("seed__{name}"), text);
    }
}

/// `(line, rule, help)` of every finding, for the expectations below.
fn findings(report: &Report) -> Vec<(u32, &'static str, String, String)> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            (
                at(report, d).0,
                d.rule,
                d.message.clone(),
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn has(f: &[(u32, &str, String, String)], line: u32, rule: &str, text: &str) -> bool {
    f.iter()
        .any(|(l, r, m, h)| *l == line && *r == rule && (m.contains(text) || h.contains(text)))
}

#[test]
fn two_containers_broken_all_expectations() {
    let Some(dir) = seeds_dir() else { return };
    let f = findings(&run(&dir, "two-containers-broken.yaml"));
    assert!(has(&f, 14, "unknown-field", "image"), "{f:#?}");
    assert!(
        has(&f, 14, "unknown-field", "Container"),
        "hint names Container: {f:#?}"
    );
    assert!(has(&f, 13, "missing-required-field", "mountPath"), "{f:#?}");
    assert!(has(&f, 20, "unknown-field", "volumes"), "{f:#?}");
    assert!(
        has(&f, 20, "unknown-field", "PodSpec"),
        "hint names the pod spec: {f:#?}"
    );
    for line in [11, 13, 16] {
        assert!(
            has(&f, line, "volume-mount-undeclared", ""),
            "line {line}: {f:#?}"
        );
    }
}

#[test]
fn hello_node_selector_string() {
    let Some(dir) = seeds_dir() else { return };
    let f = findings(&run(&dir, "hello-node-service.yaml"));
    assert!(has(&f, 7, "invalid-type", "map"), "{f:#?}");
    assert!(has(&f, 7, "invalid-type", "app: hello-node"), "{f:#?}");
}

#[test]
fn notes_on_valid_examples() {
    let Some(dir) = seeds_dir() else { return };
    let f = findings(&run(&dir, "toleration-deployment.yaml"));
    assert!(has(&f, 12, "pod-template-name-ignored", ""), "{f:#?}");
    let report = run(&dir, "init-containers-and-services.yaml");
    let services: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "service-without-selector")
        .collect();
    assert_eq!(services.len(), 2);
    assert!(services.iter().all(|d| d.severity == Severity::Info));
}

/// With its indentation fixed, the fragment reaches the `emptryDir` typo.
#[test]
fn emptydir_fragment_fixed_reports_the_typo() {
    let Some(dir) = seeds_dir() else { return };
    let text = std::fs::read_to_string(dir.join("emptydir-fragment-typo.yaml"))
        .expect("seed")
        .replace("\n  volumes:", "\nvolumes:");
    let report = kubevet::check_text("fixed.yaml", &text, &Options::default());
    let f = findings(&report);
    assert!(
        has(&f, 11, "unknown-field", "did you mean `emptyDir`?"),
        "{f:#?}"
    );
    assert!(has(&f, 1, "not-a-kubernetes-object", ""), "{f:#?}");
    assert!(!f.iter().any(|(_, r, _, _)| *r == "yaml-syntax"));
}
