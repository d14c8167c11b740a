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
