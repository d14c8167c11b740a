//! Schema validation over a directory tree: findings and timings.
//!
//! cargo run --release --example schema_corpus -- DIR [--kubernetes-version 1.31] [--infos]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kubevet::diagnostics::Severity;
use kubevet::schema::SchemaSet;
use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits, Node};
use rayon::prelude::*;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut version = None;
    let mut infos = false;
    let mut dirs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--kubernetes-version" => version = it.next().cloned(),
            "--infos" => infos = true,
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    let mut paths = Vec::new();
    for d in &dirs {
        if d.is_file() {
            paths.push(d.clone());
        } else {
            walk(d, &mut paths);
        }
    }
    paths.sort();

    let t0 = Instant::now();
    let files: Vec<SourceFile> = paths
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let text = std::fs::read_to_string(p).ok()?;
            Some(SourceFile::new(i, p.display().to_string(), text))
        })
        .collect();
    let parsed: Vec<_> = files
        .par_iter()
        .map(|f| parse_file(f, &Limits::default()))
        .collect();
    let t_parse = t0.elapsed();
    let docs: usize = parsed.iter().map(|p| p.documents.len()).sum();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();

    let t1 = Instant::now();
    let mut set = SchemaSet::new(version.as_deref()).expect("version");
    let t_bundle = t1.elapsed();
    let t2 = Instant::now();
    let mut crd_diags = Vec::new();
    for (f, p) in files.iter().zip(&parsed) {
        for d in &p.documents {
            if d.root.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition") {
                crd_diags.extend(set.add_crd(f.id, &d.root));
            }
        }
    }
    let t_crd = t2.elapsed();

    let run = |set: &SchemaSet| {
        files
            .par_iter()
            .zip(&parsed)
            .map(|(f, p)| {
                p.documents
                    .iter()
                    .flat_map(|d| set.validate(f.id, &d.root))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let t3 = Instant::now();
    let cold = run(&set);
    let t_cold = t3.elapsed();
    let t4 = Instant::now();
    let _warm = run(&set);
    let t_warm = t4.elapsed();

    if std::env::var_os("KV_PROFILE").is_some() {
        let mut per: BTreeMap<String, (usize, std::time::Duration, usize)> = BTreeMap::new();
        for (f, p) in files.iter().zip(&parsed) {
            for d in &p.documents {
                let k = d
                    .root
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or("?")
                    .to_string();
                let t = Instant::now();
                let _ = set.validate(f.id, &d.root);
                let e = per.entry(k).or_default();
                e.0 += 1;
                e.1 += t.elapsed();
                e.2 += d.root.span.len();
            }
        }
        let mut v: Vec<_> = per.into_iter().collect();
        v.sort_by_key(|(_, (_, t, _))| std::cmp::Reverse(*t));
        for (k, (n, t, b)) in v.iter().take(15) {
            eprintln!("  {k}: {n} docs, {b} bytes, {t:?}");
        }
    }
    let mut counts: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    for (f, diags) in files.iter().zip(cold.iter()) {
        for d in diags
            .iter()
            .chain(crd_diags.iter().filter(|d| d.file == f.id))
        {
            *counts.entry((d.rule, d.severity)).or_default() += 1;
            if d.severity == Severity::Info && !infos {
                *unknown.entry(d.message.clone()).or_default() += 1;
                continue;
            }
            let pos = f.position(d.span.start as usize);
            println!(
                "{}:{}:{}: {}[{}] {}{}",
                f.path,
                pos.line,
                pos.column,
                d.severity,
                d.rule,
                d.message,
                d.help
                    .as_deref()
                    .map(|h| format!(" (help: {h})"))
                    .unwrap_or_default()
            );
        }
    }
    if !infos {
        for (m, n) in &unknown {
            println!("info x{n}: {m}");
        }
    }
    eprintln!(
        "{} files, {} documents, {:.1} MB; Kubernetes {}",
        files.len(),
        docs,
        bytes as f64 / 1e6,
        set.version()
    );
    eprintln!(
        "parse {:?}; bundle load {:?}; CRD registration {:?}; validate cold {:?} ({:.0} docs/s), warm {:?} ({:.0} docs/s)",
        t_parse,
        t_bundle,
        t_crd,
        t_cold,
        docs as f64 / t_cold.as_secs_f64(),
        t_warm,
        docs as f64 / t_warm.as_secs_f64()
    );
    for ((rule, sev), n) in counts {
        eprintln!("  {sev} {rule}: {n}");
    }
}
