//! Agreement with kubeconform's acceptance tests
//! (`../shared/corpus/peer-fixtures/kubeconform/`, expectations in `expected.json`, taken from
//! upstream `acceptance.bats`).
//!
//! Each test that runs kubeconform on fixtures becomes a kubevet command line (flags mapped by
//! `translate`) run with the built binary from the fixtures' folder, stdin included; it agrees
//! when kubevet exits with 0 exactly when kubeconform does. Every test is accounted for: judged,
//! listed in `DIFFERENCES` (deliberate, with the reason, also in `docs/api-parity.md`), or in
//! `NOT_APPLICABLE` (network, cache or a flag with no kubevet counterpart). A listed difference
//! that agrees again, or a test in no list that cannot be translated, fails the test. Skipped
//! when `../shared` is absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// (test title, why kubevet answers otherwise).
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "Pass when parsing a config with additional properties",
        "kubevet is always strict: an unknown field is an error, as the API server's default field validation (`Strict` since 1.27) makes it",
    ),
    (
        "Pass when parsing a config with duplicate properties and strict NOT set",
        "kubevet is always strict: a repeated key is an error (`duplicate-key`), as strict decoding makes it",
    ),
];

/// (test title, why it cannot be run against kubevet).
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("Pass when displaying help with -h", "kubeconform's own CLI"),
    ("Fail and display help when using an incorrect flag", "kubeconform's own CLI"),
    ("Fail when not passing data to stdin, when implicitly configured to read from stdin", "given no path, kubevet checks `.`, not stdin"),
    ("Pass when using a valid HTTP -schema-location", "network"),
    ("Pass when using schemas with HTTP references", "network"),
    ("Fail when using an invalid HTTP -schema-location", "network"),
    ("Fail when using an invalid non-HTTP -schema-location", "schema registries: kubevet's schemas are embedded"),
    ("Fail early when passing a non valid -schema-location template", "schema registries: kubevet's schemas are embedded"),
    ("Fail early when passing a non valid -kubernetes-version", "kubeconform's version syntax (`X.Y.Z`); kubevet takes `X.Y`"),
    ("Pass with a valid input when validating against openshift manifests", "network"),
    ("Fail with an invalid input when validating against openshift manifests", "network"),
    ("Fail when parsing a resource from a kind to reject", "`-reject`: kubevet skips kinds (`--skip-kinds`) but has no list of forbidden ones; a policy engine's job"),
    ("Ignores file that match the --ignore-filename-pattern given", "kubevet's `--exclude` applies to directory walks, not to files named on the command line"),
    ("Pass when parsing a valid Kubernetes config YAML file and store cache", "schema cache"),
    ("Fail when no schema found, ensure 404 is not cached on disk", "network"),
    ("Fail when cache folder does not exist", "schema cache"),
    ("HTTP references should be cached", "network"),
    ("Fail when using HTTPS_PROXY with a failing proxy", "network"),
    ("Pass when parsing a very large file", "`fixtures/valid_large.yaml` is not in the snapshot (over 4 MiB); `benches/scaling.py` covers large inputs"),
    ("Pass when parsing a very long stream from stdin", "`fixtures/valid_large.yaml` is not in the snapshot"),
    ("JUnit output can be validated against the Junit schema definition", "xmllint; kubevet's JUnit output is checked in `tests/ci_formats.rs`"),
    ("passes when trying to use a CRD that does not have the JSONSchema set", "network (the CRDs catalog)"),
    ("passes when validating duration not in ISO8601", "a JSON Schema given as the schema location: kubevet validates custom resources against CRDs"),
    ("Fail when parsing a valid Kubernetes config YAML file without network access", "kubeconform needs the network; kubevet's schemas are embedded (it passes)"),
    ("Pass when parsing a valid config YAML file without network access, with cache", "schema cache"),
    ("Pass when using a cached schema with external references", "schema cache"),
];

/// A kubeconform command line split into words (single and double quotes, no escapes: all
/// the acceptance tests need).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in cmd.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// kubevet's arguments for one kubeconform run, and the file fed on stdin (an empty path:
/// nothing); `None` when a flag has no counterpart.
fn translate(cmd: &str) -> Option<(Vec<String>, Option<PathBuf>)> {
    let mut w = words(cmd);
    let mut stdin = None;
    if w.first().is_some_and(|s| s == "bash") {
        // `bash -c "cat FILE | bin/kubeconform ..."`, or nothing piped in.
        let inner = w.get(2)?.clone();
        match inner.split_once('|') {
            Some((cat, rest)) => {
                stdin = Some(PathBuf::from(cat.trim().strip_prefix("cat ")?.trim()));
                w = words(rest);
            }
            None => {
                stdin = Some(PathBuf::new());
                w = words(&inner);
            }
        }
    }
    if w.first().map(String::as_str) != Some("bin/kubeconform") {
        return None;
    }
    let mut args = vec!["check".to_string(), "--no-config".to_string()];
    let mut paths = Vec::new();
    let mut strict_kinds = true;
    let mut it = w.into_iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            // Output shape only; kubevet is always strict.
            "-summary" | "-verbose" | "-strict" => {}
            "-output" => {
                it.next()?;
            }
            // The verdicts of these fixtures do not depend on the version, and 1.20 is older
            // than kubevet's bundled schemas.
            "-kubernetes-version" => {
                it.next()?;
            }
            "-ignore-missing-schemas" => strict_kinds = false,
            // The same `Kind` / `apiVersion/Kind` entries.
            "-skip" => {
                args.push("--skip-kinds".into());
                args.push(it.next()?);
            }
            "-schema-location" => match it.next()?.as_str() {
                "default" => {}
                loc if loc.starts_with("./fixtures/registry/") => {
                    args.push("--crd".into());
                    args.push("registry/sagemaker.aws.amazon.com_trainingjobs.yaml".into());
                }
                // A local location that holds no schema for the kind: kubeconform falls
                // through to the next one.
                loc if loc.starts_with("fixtures/") => {}
                _ => return None,
            },
            "-" => paths.push("-".to_string()),
            p if !p.starts_with('-') => paths.push(p.strip_prefix("fixtures/")?.to_string()),
            _ => return None,
        }
    }
    if strict_kinds {
        args.push("--strict-kinds".into());
    }
    if paths.is_empty() {
        // kubeconform reads stdin when given no path; kubevet checks `.`, so only piped
        // input translates (to `-`).
        match &stdin {
            Some(file) if !file.as_os_str().is_empty() => paths.push("-".into()),
            _ => return None,
        }
    }
    args.extend(paths);
    Some((args, stdin))
}

#[test]
fn kubeconform_acceptance_tests_agree() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/peer-fixtures/kubeconform");
    let Ok(expected) = std::fs::read_to_string(root.join("expected.json")) else {
        eprintln!("skipping: {} not found", root.display());
        return;
    };
    let expected: serde_json::Value =
        serde_json::from_str(&expected).expect("expected.json parses");
    let fixtures = root.join("fixtures");
    let (mut judged, mut agreed) = (0, 0);
    let mut problems = Vec::new();
    let mut accounted = 0;
    for test in expected.as_array().expect("a list of tests") {
        let title = test["test"].as_str().expect("title");
        let difference = DIFFERENCES.iter().find(|(t, _)| *t == title);
        if NOT_APPLICABLE.iter().any(|(t, _)| *t == title) {
            accounted += 1;
            continue;
        }
        let runs = test["runs"].as_array().expect("runs");
        let statuses = test["expected_status"].as_array().expect("statuses");
        let (Some(run), Some(status), 1, 1) =
            (runs.first(), statuses.first(), runs.len(), statuses.len())
        else {
            problems.push(format!("{title}: not one run with one status; list it"));
            continue;
        };
        let cmd = run["cmd"].as_str().expect("cmd");
        let Some((args, stdin)) = translate(cmd) else {
            problems.push(format!(
                "{title}: `{cmd}` has no kubevet translation; list it"
            ));
            continue;
        };
        let want_success = status["op"] == "eq" && status["value"] == 0;
        let mut command = Command::new(env!("CARGO_BIN_EXE_kubevet"));
        command
            .args(&args)
            .current_dir(&fixtures)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match stdin
            .as_deref()
            .and_then(|f| f.strip_prefix("fixtures").ok())
        {
            Some(file) => {
                command.stdin(std::fs::File::open(fixtures.join(file)).expect("stdin fixture"));
            }
            None => {
                command.stdin(Stdio::null());
            }
        }
        let code = command.status().expect("kubevet runs").code();
        judged += 1;
        accounted += 1;
        let agrees = want_success == (code == Some(0));
        match (agrees, difference) {
            (true, None) => agreed += 1,
            (true, Some(_)) => {
                problems.push(format!("{title}: listed as a difference but now agrees"))
            }
            (false, Some(_)) => {}
            (false, None) => problems.push(format!(
                "{title}: kubeconform exits {}, kubevet {code:?} (kubevet {})",
                status["value"],
                args.join(" ")
            )),
        }
    }
    eprintln!("kubeconform agreement: {agreed}/{judged} tests judged, {accounted} accounted for");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        accounted,
        expected.as_array().map_or(0, Vec::len),
        "every test is judged or listed"
    );
    assert!(judged >= 30, "only {judged} tests judged");
}

#[test]
fn words_follow_shell_quoting() {
    assert_eq!(
        words(r#"bin/kubeconform -schema-location 'a {{ .B }}' "x y" z"#),
        [
            "bin/kubeconform",
            "-schema-location",
            "a {{ .B }}",
            "x y",
            "z"
        ]
    );
    assert_eq!(
        translate(r#"bash -c "cat fixtures/valid.yaml | bin/kubeconform -summary -""#),
        Some((
            vec![
                "check".into(),
                "--no-config".into(),
                "--strict-kinds".into(),
                "-".into()
            ],
            Some(PathBuf::from("fixtures/valid.yaml"))
        ))
    );
    assert_eq!(
        translate("bin/kubeconform -reject Foo fixtures/valid.yaml"),
        None
    );
}
