//! Parse throughput on the shared real-world corpus (`../shared/corpus/real`), in one run on
//! the same bytes:
//!   (a) bare saphyr-parser events,
//!   (b) kubevet's loader building the spanned tree (YAML 1.1 resolution, duplicate keys, ...),
//!   (c) whole `kubevet check` (to be added by the pipeline owner: see `bench_check`).
//!
//! Run with `cargo bench --bench parse` (release profile). Prints MB/s and documents/s for
//! each stage, best of several rounds, single-threaded. Skips cleanly when the corpus is absent.
//! `KUBEVET_BENCH_ROUNDS` sets the number of rounds (default 7).

use std::hint::black_box;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits};
use saphyr_parser::{Event, Parser};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

/// Best wall time over `rounds` runs of `f`, and what `f` counted (documents).
fn best_of(rounds: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        count = f();
        best = best.min(t.elapsed());
    }
    (best, count)
}

fn report(label: &str, bytes: usize, (time, docs): (Duration, usize)) -> f64 {
    let secs = time.as_secs_f64();
    println!(
        "{label:<44} {:>9.1} ms {:>8.1} MB/s {:>10.0} docs/s  ({docs} docs)",
        secs * 1e3,
        bytes as f64 / 1e6 / secs,
        docs as f64 / secs,
    );
    secs
}

/// (a) saphyr-parser events only: the floor any loader over it pays.
fn bench_events(files: &[SourceFile]) -> usize {
    let mut docs = 0;
    for f in files {
        for ev in Parser::new_from_str(&f.text) {
            match ev {
                Ok((Event::DocumentStart(_), _)) => docs += 1,
                Ok(ev) => {
                    black_box(ev);
                }
                Err(_) => break,
            }
        }
    }
    docs
}

/// (b) the loader: spanned node tree per document.
fn bench_loader(files: &[SourceFile], limits: &Limits) -> usize {
    let mut docs = 0;
    for f in files {
        let parsed = parse_file(f, limits);
        docs += parsed.documents.len();
        black_box(parsed);
    }
    docs
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing useful either.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !dir.is_dir() {
        println!("skipping: {} not found", dir.display());
        return;
    }
    let rounds = std::env::var("KUBEVET_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let mut paths = Vec::new();
    collect(&dir, &mut paths);
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .enumerate()
        .filter_map(|(id, p)| {
            let text = std::fs::read_to_string(p).ok()?;
            Some(SourceFile::new(id, p.display().to_string(), text))
        })
        .collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    println!(
        "corpus: {} files, {:.2} MB, best of {rounds} rounds, single thread",
        files.len(),
        bytes as f64 / 1e6
    );

    let (line_time, _) = best_of(rounds, || {
        files
            .iter()
            .map(|f| black_box(kubevet::source::LineIndex::new(&f.text)).line_count())
            .sum()
    });
    println!(
        "{:<44} {:>9.1} ms (not included below)",
        "line index (source stage)",
        line_time.as_secs_f64() * 1e3
    );

    let a = report(
        "(a) saphyr-parser events",
        bytes,
        best_of(rounds, || bench_events(&files)),
    );
    let limits = Limits::default();
    let b = report(
        "(b) kubevet loader (spanned tree)",
        bytes,
        best_of(rounds, || bench_loader(&files, &limits)),
    );
    println!("ratio (b)/(a): {:.2} (target <= 1.30)", b / a);

    // (c) the whole pipeline (parse, schema, rules, sort) on all cores, as `kubevet check`
    // runs it; then the same with the rule engine switched off, to see what rules cost.
    let threads = rayon::current_num_threads();
    let c = report(
        &format!("(c) kubevet check, all rules ({threads} threads)"),
        bytes,
        best_of(rounds, || bench_check(&files, true)),
    );
    let c_off = report(
        &format!("(c') kubevet check, engine rules off ({threads} threads)"),
        bytes,
        best_of(rounds, || bench_check(&files, false)),
    );
    println!(
        "rules cost: {:.2}x of parse + schema (target <= 2.00)",
        c / c_off
    );

    // (d) the pre-commit case: a fresh process on one small file (schema bundle
    // decompression and validator compilation included).
    let seed = dir.join("../../seed-examples/springboot-deployment.yaml");
    if seed.is_file() {
        let (t, _) = best_of(rounds, || {
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_kubevet"))
                .args(["check", "--format", "concise"])
                .arg(&seed)
                .stdout(std::process::Stdio::null())
                .status();
            usize::from(status.is_ok())
        });
        println!(
            "{:<44} {:>9.1} ms per run",
            "(d) kubevet process, one small file",
            t.as_secs_f64() * 1e3
        );
    }
}

/// (c) `check_files` over every file, the way the CLI runs it.
fn bench_check(files: &[SourceFile], rules_on: bool) -> usize {
    let mut opts = kubevet::Options::default();
    if !rules_on {
        // Only an input rule selected: the engine runs no rule; parsing and schema
        // validation run as always.
        opts.config.only.insert("yaml-syntax".to_string());
    }
    let report = kubevet::check_files(files.to_vec(), Vec::new(), &opts);
    black_box(report.diagnostics.len());
    report.documents
}
