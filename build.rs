//! Prepares the embedded schema bundle at build time: `schemas/bundle.json.gz` is
//! decompressed and split here, so that start-up parses no JSON. Each definition stays a
//! JSON string in the binary, parsed on first use (a run parses only the definitions its
//! kinds reach); names, versions, indexes and apiVersion/kind pairs become static tables.

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

fn main() {
    let src = Path::new("schemas/bundle.json.gz");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=build.rs");
    let gz = std::fs::read(src).expect("read schemas/bundle.json.gz");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .expect("schemas/bundle.json.gz is not gzip");
    let bundle: serde_json::Value =
        serde_json::from_slice(&raw).expect("schemas/bundle.json.gz is not JSON");
    assert_eq!(bundle["format"], 1, "schema bundle format");
    let str_of = |v: &serde_json::Value| v.as_str().expect("a string").to_string();
    let versions: Vec<String> = bundle["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(str_of)
        .collect();
    let defs = bundle["defs"].as_array().expect("defs");
    let mut out = String::new();
    let source = &bundle["source"];
    writeln!(
        out,
        "pub(crate) static SOURCE: (&str, &str, &str) = ({:?}, {:?}, {:?});",
        str_of(&source["package"]),
        str_of(&source["version"]),
        str_of(&source["sha256"])
    )
    .unwrap();
    writeln!(out, "pub(crate) static VERSIONS: &[&str] = &{versions:?};").unwrap();
    // (name, schema JSON, apiVersion, kind); the last two empty when not a top-level kind.
    writeln!(
        out,
        "pub(crate) static DEFS: &[(&str, &str, &str, &str)] = &["
    )
    .unwrap();
    for d in defs {
        let name = str_of(&d["n"]);
        let schema = &d["s"];
        let (api_version, kind) = gvk_of(schema).unwrap_or_default();
        let json = serde_json::to_string(schema).expect("serialize");
        writeln!(out, "({name:?}, {json:?}, {api_version:?}, {kind:?}),").unwrap();
    }
    writeln!(out, "];").unwrap();
    writeln!(out, "pub(crate) static INDEX: &[&[u32]] = &[").unwrap();
    for v in &versions {
        let list: Vec<u64> = bundle["index"][v]
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
            .unwrap_or_default();
        for &i in &list {
            assert!(
                (i as usize) < defs.len(),
                "definition index {i} out of range"
            );
        }
        writeln!(out, "&{list:?},").unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("bundle_gen.rs");
    std::fs::write(dest, out).expect("write bundle_gen.rs");
}

/// The (apiVersion, kind) a definition is the top-level schema of. Only definitions whose
/// GVK list has exactly one entry are objects a manifest can hold (others, such as
/// `DeleteOptions`, list a GVK for every group they may appear in).
fn gvk_of(schema: &serde_json::Value) -> Option<(String, String)> {
    let list = schema.get("x-kubernetes-group-version-kind")?.as_array()?;
    if list.len() != 1 {
        return None;
    }
    let g = &list[0];
    let group = g.get("group")?.as_str()?;
    let version = g.get("version")?.as_str()?;
    let kind = g.get("kind")?.as_str()?;
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some((api_version, kind.to_string()))
}
