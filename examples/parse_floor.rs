//! The practical floor for `benches/scaling.py`: read the same files and run bare
//! saphyr-parser events over them (no tree, no schema, no rules), on all cores like kubevet.
//! With `--tree` first, each file is loaded into kubevet's spanned tree instead (its own
//! loader: line index, document split, nodes), and nothing more: the floor of any check that
//! keeps what it parsed.
//!
//! cargo build --release --example parse_floor && target/release/examples/parse_floor [--tree] PATH...

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use saphyr_parser::{Event, Parser};

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(path) else {
        out.push(path.to_path_buf());
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
    let mut files = Vec::new();
    let mut tree = false;
    for arg in std::env::args_os().skip(1) {
        if arg == "--tree" {
            tree = true;
            continue;
        }
        walk(Path::new(&arg), &mut files);
    }
    if tree {
        let limits = kubevet::yaml::Limits::default();
        let docs: usize = files
            .par_iter()
            .enumerate()
            .map(|(id, p)| {
                let Ok(text) = std::fs::read_to_string(p) else {
                    return 0;
                };
                let file = kubevet::source::SourceFile::new(id, String::new(), text);
                kubevet::yaml::parse_file(&file, &limits).documents.len()
            })
            .sum();
        println!("{} files, {docs} documents loaded", files.len());
        return;
    }
    let (docs, events): (usize, usize) = files
        .par_iter()
        .map(|p| {
            let Ok(text) = std::fs::read_to_string(p) else {
                return (0, 0);
            };
            let (mut docs, mut events) = (0, 0);
            for ev in Parser::new_from_str(&text) {
                match ev {
                    Ok((Event::DocumentStart(_), _)) => docs += 1,
                    Ok(_) => events += 1,
                    Err(_) => break,
                }
            }
            (docs, events)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {docs} documents, {events} events", files.len());
}
