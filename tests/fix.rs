//! `--fix`, `--unsafe-fixes` and `--diff`: fixes land, comments and layout stay byte for
//! byte, a second run changes nothing, writes keep permissions, and every fixable rule's
//! fixture re-checks without fixable findings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kubevet::{check_text, rules, Options};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn temp_copy(name: &str, fixture: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kubevet-fix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join(fixture);
    std::fs::copy(
        Path::new(ROOT).join("tests/fixtures/fix").join(fixture),
        &file,
    )
    .expect("copy");
    (dir, file)
}

fn kubevet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run kubevet")
}

/// The comments of a text, in order: what `--fix` must never touch.
fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| {
            l.find(" #")
                .map(|i| &l[i..])
                .or(l.starts_with('#').then_some(l))
        })
        .collect()
}

fn rules_in(dir: &Path, file: &str) -> Vec<(String, bool)> {
    let o = kubevet(dir, &["check", "--format", "json", file]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().expect("rule").to_string(),
                !d["fix"].is_null(),
            )
        })
        .collect()
}

#[test]
fn fix_applies_safe_fixes_keeping_comments_and_is_idempotent() {
    let (dir, file) = temp_copy("safe", "safe.yaml");
    let before = std::fs::read_to_string(&file).expect("read");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let o = kubevet(&dir, &["check", "--fix", "safe.yaml"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("applied 7 fixes in 1 file"), "{stderr}");
    // What is left is an info: the exit code follows the remaining findings.
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(
        comments(&before),
        comments(&after),
        "comments kept byte for byte"
    );
    let changed: Vec<usize> = before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        changed,
        [12, 14, 15, 18, 24, 31, 43],
        "only the fixed lines change"
    );
    assert_eq!(before.lines().count(), after.lines().count());
    assert!(after.contains("    imagePullPolicy: Always    # case-only enum mistake\n"));
    assert!(after.contains("      value: \"on\"                # YAML 1.1 reads this as true\n"));
    assert!(after.contains("    emptyDir: {}              # a typo one letter off\n"));
    assert!(after.contains("  \"on\": \"enabled\"   # the key becomes \"true\" in Kubernetes\n"));
    let left = rules_in(&dir, "safe.yaml");
    for (rule, fix) in &left {
        assert!(!fix, "{left:?}");
        assert!(
            ![
                "unsupported-value",
                "unknown-field",
                "invalid-type",
                "yaml11-boolean-key",
                "missing-required-field"
            ]
            .contains(&rule.as_str()),
            "{left:?}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "permissions kept");
    }
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["safe.yaml"]);
    // A second --fix changes nothing.
    let o = kubevet(&dir, &["check", "--fix", "safe.yaml"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("applied"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), after);
}

#[test]
fn unsafe_fixes_need_their_flag() {
    let (dir, file) = temp_copy("unsafe", "unsafe.yaml");
    let before = std::fs::read_to_string(&file).expect("read");
    let o = kubevet(&dir, &["check", "--fix", "unsafe.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let left: Vec<String> = rules_in(&dir, "unsafe.yaml")
        .into_iter()
        .filter(|(_, fix)| *fix)
        .map(|(r, _)| r)
        .collect();
    assert_eq!(
        left,
        [
            "restart-policy-for-kind",
            "mount-path-not-absolute",
            "probe-success-threshold"
        ],
        "guesses are left for --unsafe-fixes"
    );
    let o = kubevet(&dir, &["check", "--fix", "--unsafe-fixes", "unsafe.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(rules_in(&dir, "unsafe.yaml").iter().all(|(_, fix)| !fix));
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(comments(&before), comments(&after));
    assert!(
        after.contains("      restartPolicy: OnFailure   # a Job's pods cannot restart Always\n")
    );
}

#[test]
fn diff_prints_and_changes_nothing() {
    let (dir, file) = temp_copy("diff", "safe.yaml");
    let before = std::fs::read_to_string(&file).expect("read");
    let o = kubevet(&dir, &["check", "--diff", "safe.yaml"]);
    assert_eq!(o.status.code(), Some(1), "a diff to apply: exit 1");
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(
        diff.starts_with("--- a/safe.yaml\n+++ b/safe.yaml\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-    imagePullPolicy: always    # case-only enum mistake\n+    imagePullPolicy: Always    # case-only enum mistake\n"), "{diff}");
    assert!(!diff.contains("OnFailure"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), before);
    // stdin can be diffed, not fixed.
    let o = Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(["check", "--fix", "-"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    // Nothing to fix: empty diff, exit 0.
    kubevet(&dir, &["check", "--fix", "safe.yaml"]);
    let o = kubevet(&dir, &["check", "--diff", "safe.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
}

/// Every rule that offers fixes: its fixture, fixed in memory with `--unsafe-fixes`, has no
/// fixable finding of that rule left, and keeps its comments.
#[test]
fn every_fixable_rule_fixture_rechecks_clean() {
    let mut checked = 0;
    for rule in rules::ALL.iter().filter(|r| r.fix) {
        let path = Path::new(ROOT).join(format!("fixtures/rules/{}.yaml", rule.id));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut opts = Options::default();
        opts.config.only.insert(rule.id.to_string());
        let report = check_text("fixture.yaml", &text, &opts);
        let fixable = report
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some())
            .count();
        if fixable == 0 {
            continue;
        }
        let fixed = kubevet::fix::fix(report, &opts, true);
        assert!(fixed.applied > 0, "{}", rule.id);
        let left: Vec<&str> = fixed
            .report
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule.id && d.fix.is_some())
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            left.is_empty(),
            "{}: still fixable after --fix: {left:?}",
            rule.id
        );
        let new = &fixed.report.files[0].text;
        assert_eq!(
            comments(&text),
            comments(new),
            "{}: comments changed",
            rule.id
        );
        // Idempotent: fixing the fixed text again changes nothing.
        let again = kubevet::fix::fix(check_text("fixture.yaml", new, &opts), &opts, true);
        assert_eq!(again.applied, 0, "{}", rule.id);
        checked += 1;
    }
    assert!(checked >= 8, "fixable rule fixtures checked: {checked}");
}

/// Strict decoding: a quoted number or boolean is unquoted by `--fix`; a lone string where a
/// list of strings is expected becomes a list of one only with `--unsafe-fixes`.
#[test]
fn strict_decoding_fixes() {
    let (dir, file) = temp_copy("strict", "strict.yaml");
    let before = std::fs::read_to_string(&file).expect("read");
    let o = kubevet(&dir, &["check", "--fix", "strict.yaml"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("applied 2 fixes in 1 file"), "{stderr}");
    let after = std::fs::read_to_string(&file).expect("read");
    assert!(
        after.contains("    - port: 80                 # a quoted number\n"),
        "{after}"
    );
    assert!(
        after.contains("  publishNotReadyAddresses: true   # a quoted boolean\n"),
        "{after}"
    );
    assert!(
        after.contains("      command: \"nginx\" "),
        "not without --unsafe-fixes"
    );
    assert_eq!(comments(&before), comments(&after));
    let o = kubevet(&dir, &["check", "--fix", "--unsafe-fixes", "strict.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let after = std::fs::read_to_string(&file).expect("read");
    assert!(
        after.contains("      command: [\"nginx\"]           # one string, not a list\n"),
        "{after}"
    );
    assert!(!rules_in(&dir, "strict.yaml")
        .iter()
        .any(|(r, _)| r == "invalid-type"));
}
