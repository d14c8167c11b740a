//! Suppression comments and annotations, `unused-suppression`, `--no-ignore`, and the
//! display filters `--quiet` / `--show`.

use std::process::Command;

use kubevet::{check_text, Options};

/// A Pod with an `unsupported-value` error (`always`) on line `9`.
fn pod(name: &str, extra_line: &str, pull_policy_line: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{extra_line}spec:\n  containers:\n  - name: c\n    image: nginx:1.27\n{pull_policy_line}\n    resources: {{requests: {{cpu: 1m, memory: 1Mi}}, limits: {{cpu: 1m, memory: 1Mi}}}}\n"
    )
}

fn findings(text: &str, opts: &Options) -> Vec<(String, usize)> {
    let report = check_text("t.yaml", text, opts);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let f = &report.files[d.file];
            (
                d.rule.to_string(),
                f.position(d.span.start as usize).line as usize,
            )
        })
        .collect()
}

fn rules_of(text: &str) -> Vec<String> {
    findings(text, &Options::default())
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

const BAD: &str = "    imagePullPolicy: always";

#[test]
fn baseline_reports_the_finding() {
    assert_eq!(rules_of(&pod("a", "", BAD)), ["unsupported-value"]);
}

#[test]
fn end_of_line_comment() {
    let text = pod(
        "a",
        "",
        &format!("{BAD} # kubevet-ignore: unsupported-value -- webhook rewrites it"),
    );
    assert!(rules_of(&text).is_empty(), "{:?}", rules_of(&text));
    let mut opts = Options::default();
    opts.config.no_ignore = true;
    let all: Vec<String> = findings(&text, &opts).into_iter().map(|(r, _)| r).collect();
    assert_eq!(all, ["unsupported-value"], "--no-ignore shows everything");
}

#[test]
fn comment_on_the_line_above_skipping_blank_and_comment_lines() {
    let text = pod(
        "a",
        "",
        &format!("    # kubevet-ignore: other-rule, unsupported-value -- reason\n\n    # why: the webhook\n{BAD}"),
    );
    // `other-rule` is no rule: reported, the real suppression works.
    let f = findings(&text, &Options::default());
    assert_eq!(f, [("unused-suppression".to_string(), 9)], "{f:?}");
}

#[test]
fn a_comment_two_lines_away_does_not_reach() {
    let text = pod(
        "a",
        "",
        &format!("    # kubevet-ignore: unsupported-value\n    image: nginx:1.27\n{BAD}"),
    );
    let rules = rules_of(&text);
    assert!(
        rules.contains(&"unsupported-value".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"unused-suppression".to_string()),
        "{rules:?}"
    );
}

#[test]
fn file_directive_covers_the_file_or_its_document() {
    let two = format!("{}---\n{}", pod("a", "", BAD), pod("b", "", BAD));
    let top = format!("# kubevet-ignore-file: unsupported-value -- legacy\n{two}");
    assert!(rules_of(&top).is_empty(), "{:?}", rules_of(&top));
    // Inside the second document: only that document.
    let second = format!(
        "{}---\n# kubevet-ignore-file: unsupported-value\n{}",
        pod("a", "", BAD),
        pod("b", "", BAD)
    );
    let f = findings(&second, &Options::default());
    assert_eq!(f, [("unsupported-value".to_string(), 9)], "{f:?}");
}

#[test]
fn annotation_scoped_to_its_object() {
    let ann = "  annotations:\n    kubevet.dev/ignore: \"unsupported-value, resources-unset\"\n";
    let text = format!("{}---\n{}", pod("a", ann, BAD), pod("b", "", BAD));
    let f = findings(&text, &Options::default());
    // Object a: suppressed; `resources-unset` finds nothing in it (unused); object b: reported.
    assert_eq!(
        f,
        [
            ("unused-suppression".to_string(), 6),
            ("unsupported-value".to_string(), 22)
        ],
        "{f:?}"
    );
}

#[test]
fn unused_suppression_is_not_reported_for_rules_that_did_not_run() {
    let text = pod(
        "a",
        "",
        &format!("    # kubevet-ignore: duplicate-key\n{BAD}"),
    );
    let f = rules_of(&text);
    assert!(f.contains(&"unused-suppression".to_string()), "{f:?}");
    let mut opts = Options::default();
    opts.config.disabled.insert("duplicate-key".into());
    let f: Vec<String> = findings(&text, &opts).into_iter().map(|(r, _)| r).collect();
    assert_eq!(f, ["unsupported-value"]);
    // And `unused-suppression` can itself be switched off.
    let mut opts = Options::default();
    opts.config.disabled.insert("unused-suppression".into());
    let f: Vec<String> = findings(&text, &opts).into_iter().map(|(r, _)| r).collect();
    assert_eq!(f, ["unsupported-value"]);
}

#[test]
fn directive_text_inside_strings_is_not_a_suppression() {
    let text = pod(
        "a",
        "  annotations:\n    note: \"x # kubevet-ignore: unsupported-value\"\n",
        &format!("{BAD} # just a comment, kubevet-ignore: unsupported-value"),
    );
    assert_eq!(rules_of(&text), ["unsupported-value"]);
}

/// A suppression in a file the run skips (a Helm template, a CI workflow) is kept for the run
/// that checks it (`helm template . | kubevet check -`); calling it unused here was noise on
/// every repository with a chart. One in a checked manifest beside them still counts.
#[test]
fn suppressions_in_skipped_files_are_not_reported_unused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create directories");
        std::fs::write(path, text).expect("write a file");
    };
    let ignore = "# kubevet-ignore: image-latest-tag";
    write(
        "ci.yaml",
        &format!("name: ci\non: push {ignore}\njobs: {{}}\n"),
    );
    write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(
        "chart/templates/pod.yaml",
        &format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{{{ .Values.name }}}} {ignore}\n"),
    );
    write(
        "pod.yaml",
        &pod("a", "", &format!("{BAD} # kubevet-ignore: duplicate-key")),
    );
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        ..Options::default()
    };
    let report = kubevet::check(&opts).expect("the directory exists");
    let unused: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "unused-suppression")
        .map(|d| report.files[d.file].path.as_str())
        .collect();
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert!(
        unused[0].ends_with("pod.yaml") && !unused[0].contains("templates"),
        "{unused:?}"
    );
    assert_eq!(
        report.skipped.values().sum::<usize>(),
        3,
        "{:?}",
        report.skipped
    );
}

fn kubevet(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kubevet")
}

#[test]
fn quiet_and_show_hide_without_changing_the_exit_code() {
    let all = kubevet(&["check", "--color", "never", "demo/"]);
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(text.contains("info["), "{text}");
    let quiet = kubevet(&["check", "--color", "never", "--quiet", "demo/"]);
    let q = String::from_utf8_lossy(&quiet.stdout);
    assert_eq!(quiet.status.code(), all.status.code());
    assert!(q.contains("error["), "{q}");
    assert!(!q.contains("info[") && !q.contains("warning["), "{q}");
    assert!(
        !q.contains(" in 2 files") && !q.contains("objects)"),
        "no summary: {q}"
    );
    let shown = kubevet(&["check", "--format", "concise", "--show", "warning", "demo/"]);
    let s = String::from_utf8_lossy(&shown.stdout);
    assert!(!s.contains("info["), "{s}");
    // Hidden infos still count for --fail-on.
    let o = kubevet(&[
        "check",
        "--quiet",
        "--fail-on",
        "info",
        "--select",
        "resources-unset",
        "demo/",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
