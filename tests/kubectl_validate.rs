//! Agreement with kubectl-validate's own test cases
//! (`../shared/corpus/peer-fixtures/kubectl-validate/`, expectations in `expected.json`).
//!
//! Each manifest is checked with the test cases' CRDs (`testcases/crds/`) given by `--crd`,
//! as kubectl-validate's test does; a document agrees when kubevet reports an error on it
//! exactly when kubectl-validate expects `Failure`. Every disagreement must be listed in
//! `KNOWN_DIFFERENCES` with its reason (and in `docs/api-parity.md`); a listed difference
//! that no longer happens fails the test too. Skipped when `../shared` is absent.

use std::collections::BTreeSet;
use std::path::Path;

use kubevet::diagnostics::Severity;
use kubevet::{check, Options};

/// (file, 0-based document, why kubevet disagrees).
const KNOWN_DIFFERENCES: &[(&str, usize, &str)] = &[
    (
        "testcases/manifests/error_x_list_map_duplicate_key.yaml",
        0,
        "deliberate: two container ports with the same containerPort+protocol in a Pod. kubectl-validate applies the OpenAPI list-map (`x-kubernetes-list-map-keys`) to built-in kinds; the API server does not (validateContainerPorts only checks names; it answers with a warning) and accepts the Pod. kubevet reports `duplicate-container-port` as a warning; list-maps are errors only on custom resources",
    ),
];

/// Agreement kubevet must keep (documents agreeing / documents judged), in percent.
const MIN_AGREEMENT_PERCENT: usize = 97;

#[test]
fn kubectl_validate_test_cases_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/peer-fixtures/kubectl-validate");
    let Ok(expected) = std::fs::read_to_string(root.join("expected.json")) else {
        eprintln!("skipping: {} not found", root.display());
        return;
    };
    let expected: serde_json::Value =
        serde_json::from_str(&expected).expect("expected.json parses");
    let cases = expected.as_array().expect("a list of test files");
    let mut judged = 0;
    let mut agreed = 0;
    let mut unexpected = Vec::new();
    let mut seen_differences = BTreeSet::new();
    for case in cases {
        let file = case["file"].as_str().expect("file");
        let Some(docs) = case["expected"].as_array() else {
            continue; // not run by kubectl-validate's own test
        };
        let report = check(&Options {
            paths: vec![root.join(file)],
            crd_paths: vec![root.join("testcases/crds")],
            ..Options::default()
        })
        .expect("test case exists");
        for (i, doc) in docs.iter().enumerate() {
            judged += 1;
            let want_failure = doc["status"] == "Failure";
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error && d.document == Some(i))
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            let has_errors = !errors.is_empty();
            let agrees = want_failure == has_errors;
            let listed = KNOWN_DIFFERENCES
                .iter()
                .any(|(f, d, _)| *f == file && *d == i);
            if agrees {
                agreed += 1;
                if listed {
                    unexpected.push(format!("{file}#{i}: listed as a difference but now agrees"));
                }
            } else if listed {
                seen_differences.insert((file, i));
            } else {
                unexpected.push(format!(
                    "{file}#{i}: kubectl-validate expects {}, kubevet reports {:?}",
                    doc["status"], errors
                ));
            }
        }
    }
    let percent = agreed * 100 / judged.max(1);
    eprintln!("kubectl-validate agreement: {agreed}/{judged} documents ({percent}%)");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert!(judged >= 38, "only {judged} documents judged");
    assert!(
        percent >= MIN_AGREEMENT_PERCENT,
        "agreement {percent}% below {MIN_AGREEMENT_PERCENT}%"
    );
}
