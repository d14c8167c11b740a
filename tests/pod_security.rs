//! How the level, version and severity of Pod Security findings are decided: namespace
//! labels, `--pod-security`, `--select` and `--ignore`, and the `--pod-security` flag of the
//! binary.

use std::process::Command;

use kubevet::diagnostics::Severity;
use kubevet::{check_text, Options};

/// `(rule, severity)` of the Pod Security findings on `text`.
fn pss(text: &str, opts: &Options) -> Vec<(&'static str, Severity)> {
    let mut v: Vec<_> = check_text("t.yaml", text, opts)
        .diagnostics
        .into_iter()
        .filter(|d| d.rule.starts_with("pod-security-"))
        .map(|d| (d.rule, d.severity))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn with_flag(level: &str) -> Options {
    let mut o = Options::default();
    o.config.pod_security = Some(level.parse().expect("level"));
    o
}

fn namespace(labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n{labels}---\n")
}

/// Baseline-clean but not restricted: no securityContext at all.
const PLAIN_POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27.3\n";

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27.3\n    securityContext:\n      privileged: true\n";

#[test]
fn nothing_without_a_label_or_the_flag() {
    assert!(pss(PRIVILEGED_POD, &Options::default()).is_empty());
}

#[test]
fn the_flag_checks_as_warnings() {
    let found = pss(PRIVILEGED_POD, &with_flag("baseline"));
    assert_eq!(found, vec![("pod-security-privileged", Severity::Warning)]);
    let restricted = pss(PLAIN_POD, &with_flag("restricted"));
    assert!(restricted.contains(&("pod-security-run-as-non-root", Severity::Warning)));
    assert!(pss(PLAIN_POD, &with_flag("baseline")).is_empty());
    assert!(pss(PRIVILEGED_POD, &with_flag("privileged")).is_empty());
}

#[test]
fn enforce_makes_errors_and_warn_warnings() {
    let text = namespace("    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n") + PRIVILEGED_POD;
    let found = pss(&text, &Options::default());
    assert!(found.contains(&("pod-security-privileged", Severity::Error)));
    // The same violation is not repeated as a warning.
    assert!(!found.contains(&("pod-security-privileged", Severity::Warning)));
    assert!(found.contains(&("pod-security-allow-privilege-escalation", Severity::Warning)));
}

#[test]
fn a_warn_label_overrides_the_flag_for_warn_but_audit_keeps_it() {
    // As an AdmissionConfiguration default: the warn label wins for `warn`, `audit` still
    // falls back to the default.
    let text = namespace("    pod-security.kubernetes.io/warn: baseline\n") + PLAIN_POD;
    let found = pss(&text, &with_flag("restricted"));
    assert!(found.contains(&("pod-security-run-as-non-root", Severity::Warning)));
    let text = namespace(
        "    pod-security.kubernetes.io/warn: baseline\n    pod-security.kubernetes.io/audit: baseline\n",
    ) + PLAIN_POD;
    assert!(pss(&text, &with_flag("restricted")).is_empty());
}

#[test]
fn versions_decide_which_checks_exist() {
    let probe_pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27.3\n    readinessProbe:\n      tcpSocket:\n        host: 10.0.0.1\n        port: 80\n";
    let at = |v: &str| {
        let text = namespace(&format!(
            "    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: {v}\n"
        )) + probe_pod;
        pss(&text, &Options::default())
    };
    assert!(at("v1.33").is_empty());
    assert_eq!(
        at("v1.34"),
        vec![("pod-security-host-probes-and-lifecycle", Severity::Error)]
    );
    assert_eq!(at("latest"), at("v1.34"));
    // An unparsable version means latest.
    assert_eq!(at("1.20"), at("latest"));
    // Restricted checks that start later: runAsUser from v1.23.
    let root = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: app\nspec:\n  securityContext:\n    runAsUser: 0\n  containers:\n  - name: c\n    image: nginx:1.27.3\n";
    let rules = |v: &str| -> Vec<&str> {
        pss(root, &with_flag(v))
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    };
    assert!(!rules("restricted:v1.22").contains(&"pod-security-run-as-user"));
    assert!(rules("restricted:v1.23").contains(&"pod-security-run-as-user"));
    // capabilities_restricted replaces capabilities_baseline at restricted from v1.22.
    let caps = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27.3\n    securityContext:\n      capabilities:\n        add: [SYS_ADMIN]\n";
    let caps_rules = |v: &str| -> Vec<&str> {
        pss(caps, &with_flag(v))
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| r.contains("capabilities"))
            .collect()
    };
    assert_eq!(
        caps_rules("restricted:v1.21"),
        vec!["pod-security-capabilities-baseline"]
    );
    assert_eq!(
        caps_rules("restricted:v1.22"),
        vec!["pod-security-capabilities-restricted"]
    );
    assert_eq!(
        caps_rules("baseline"),
        vec!["pod-security-capabilities-baseline"]
    );
}

#[test]
fn an_invalid_enforce_level_fails_closed_and_an_invalid_warn_level_open() {
    let text = namespace("    pod-security.kubernetes.io/enforce: strict\n") + PLAIN_POD;
    assert!(pss(&text, &Options::default())
        .contains(&("pod-security-run-as-non-root", Severity::Error)));
    let text = namespace("    pod-security.kubernetes.io/warn: strict\n") + PRIVILEGED_POD;
    assert!(pss(&text, &Options::default()).is_empty());
}

#[test]
fn workloads_say_their_pods_are_rejected() {
    let text = namespace("    pod-security.kubernetes.io/enforce: baseline\n")
        + "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: app\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      hostPID: true\n      containers:\n      - name: c\n        image: nginx:1.27.3\n";
    let report = check_text("t.yaml", &text, &Options::default());
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "pod-security-host-namespaces")
        .expect("finding");
    assert_eq!(d.severity, Severity::Error);
    assert!(
        d.message
            .contains("accepts the Deployment but rejects every pod"),
        "{}",
        d.message
    );
    assert_eq!(d.path.as_deref(), Some("spec.template.spec.hostPID"));
}

#[test]
fn select_checks_a_control_anywhere_and_ignore_drops_it_everywhere() {
    let mut o = Options::default();
    o.config.only.insert("pod-security-privileged".into());
    assert_eq!(
        pss(PRIVILEGED_POD, &o),
        vec![("pod-security-privileged", Severity::Warning)]
    );
    let text = namespace("    pod-security.kubernetes.io/enforce: baseline\n") + PRIVILEGED_POD;
    let mut o = Options::default();
    o.config.disabled.insert("pod-security-privileged".into());
    assert!(pss(&text, &o).is_empty());
}

#[test]
fn the_flag_on_the_command_line() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kubevet"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run kubevet")
    };
    let fixture = "fixtures/rules/pod-security-privileged.yaml";
    let o = run(&[
        "check",
        "--format",
        "concise",
        "--pod-security",
        "restricted:v1.30",
        fixture,
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("warning[pod-security-run-as-non-root]"),
        "{out}"
    );
    assert!(
        out.contains("`restricted:v1.30` (`--pod-security`)"),
        "{out}"
    );
    let o = run(&["check", "--pod-security", "strict", fixture]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["check", "--pod-security", "baseline:1.30", fixture]);
    assert_eq!(o.status.code(), Some(2));
}
