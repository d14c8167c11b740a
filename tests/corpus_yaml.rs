//! Parses every file of the shared real-world corpus (`../shared/corpus/real`, next to the
//! repository) and checks that the YAML front end reports no syntax or limit errors on
//! files Kubernetes itself reads. Skipped, with a message, when the corpus is absent.

use std::path::{Path, PathBuf};

use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits, RULE_LIMITS, RULE_SYNTAX};

/// Corpus files that really are invalid YAML, with the reason. Paths are relative to
/// `corpus/real`. Empty: every file there is read by Kubernetes' decoder, and the two that a
/// strict YAML 1.2 parser rejects (under-indented continuation lines in a flow sequence and
/// in a quoted scalar) are accepted by the loader's lenient re-parse, as go-yaml accepts them:
/// - istio__istio/samples/security/spire/spire-quickstart.yaml (`]` at the key's column)
/// - kubernetes__dashboard/hack/test-resources/init-container-error-pod.yaml ('...' JSON
///   annotation whose closing line is indented less than its key)
const INVALID_YAML: &[(&str, &str)] = &[];

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    dir.is_dir().then_some(dir)
}

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

#[test]
fn real_corpus_parses_without_syntax_errors() {
    let Some(dir) = corpus_dir() else {
        eprintln!(
            "skipping: ../shared/corpus/real not found (the shared corpus is not checked out here)"
        );
        return;
    };
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    assert!(
        files.len() > 900,
        "expected the 952-file corpus, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    let mut documents = 0;
    for (id, path) in files.iter().enumerate() {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).unwrap_or_default();
        let Ok(text) = String::from_utf8(bytes) else {
            failures.push(format!("{rel}: not UTF-8"));
            continue;
        };
        let file = SourceFile::new(id, rel.clone(), text);
        let parsed = parse_file(&file, &Limits::default());
        documents += parsed.documents.len();
        let allowed = INVALID_YAML.iter().any(|(p, _)| *p == rel);
        for d in &parsed.diagnostics {
            if (d.rule == RULE_SYNTAX || d.rule == RULE_LIMITS) && !allowed {
                let pos = file.position(d.span.start as usize);
                failures.push(format!(
                    "{rel}:{}:{}: {}: {}",
                    pos.line, pos.column, d.rule, d.message
                ));
            }
        }
    }
    assert!(documents > 1500, "only {documents} documents parsed");
    assert!(
        failures.is_empty(),
        "unexpected YAML errors:\n{}",
        failures.join("\n")
    );
}
