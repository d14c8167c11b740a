//! The API-server parity tables (`docs/api-parity.md`, `docs/api-parity/pod.md`,
//! `docs/api-parity/kinds.md`) are claims about kubevet; this test holds them to the code:
//! every rule an implemented row names exists and has a fixture whose snapshot shows it,
//! every `# parity:` comment of a rule fixture names a row of that rule, and the counts the
//! prose gives are the counts of the rows. It reads only files of the repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubevet::rules;

const PAGES: &[&str] = &[
    "docs/api-parity.md",
    "docs/api-parity/pod.md",
    "docs/api-parity/kinds.md",
];

/// Tables under these headings describe something else than checks (per-document
/// comparisons with a peer tool).
const NOT_CHECK_SECTIONS: &[&str] = &[
    "## kubectl-validate's test cases",
    "## kubeconform's acceptance tests",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Implemented,
    NotImplemented,
    NotDecidable,
}

#[derive(Debug)]
struct Row {
    page: &'static str,
    line: usize,
    check: String,
    verdict: String,
    rule_ids: Vec<String>,
    status: Status,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The cells of a markdown table line (`| a | b |`), split on `|` outside backticks.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    for c in inner.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                cur.push(c);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Backticked words that look like rule ids (`kebab-case`, at least one hyphen).
fn rule_like(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.starts_with('-')
                && w.contains('-')
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(str::to_string)
        .collect()
}

fn classify(verdict: &str, known_ids: &[String]) -> Status {
    let v = verdict.to_ascii_lowercase();
    if !known_ids.is_empty() || v.starts_with("schema") {
        Status::Implemented
    } else if v.starts_with("not implemented") {
        Status::NotImplemented
    } else {
        Status::NotDecidable
    }
}

fn rows_of(page: &'static str) -> Vec<Row> {
    let text = read(page);
    let mut rows = Vec::new();
    let mut skipping = false;
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            skipping = NOT_CHECK_SECTIONS.iter().any(|s| line.trim() == *s);
        }
        let is_row = line.trim_start().starts_with('|');
        if !is_row {
            in_table = false;
            continue;
        }
        if !in_table {
            // The header line; the separator follows.
            in_table = true;
            continue;
        }
        if skipping || line.contains("|---") {
            continue;
        }
        let cs = cells(line);
        let (Some(check), Some(verdict)) = (cs.len().checked_sub(2).map(|i| &cs[i]), cs.last())
        else {
            continue;
        };
        let ids = rule_like(verdict);
        let known: Vec<String> = ids
            .iter()
            .filter(|id| rules::find(id).is_some())
            .cloned()
            .collect();
        rows.push(Row {
            page,
            line: i + 1,
            check: check.clone(),
            verdict: verdict.clone(),
            status: classify(verdict, &known),
            rule_ids: ids,
        });
    }
    rows
}

fn all_rows() -> Vec<Row> {
    PAGES.iter().flat_map(|p| rows_of(p)).collect()
}

#[test]
fn rule_ids_in_the_tables_exist() {
    let mut bad = Vec::new();
    for r in all_rows() {
        for id in &r.rule_ids {
            if rules::find(id).is_none() {
                bad.push(format!(
                    "{}:{}: `{id}` is not a kubevet rule",
                    r.page, r.line
                ));
            }
        }
        if r.status == Status::Implemented
            && r.rule_ids.is_empty()
            && !r.verdict.starts_with("schema")
        {
            bad.push(format!(
                "{}:{}: implemented row names no rule",
                r.page, r.line
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn snapshot_of_fixture(id: &str) -> PathBuf {
    root().join(format!(
        "tests/snapshots/rule_fixtures__fixtures@rules__{id}.yaml.snap"
    ))
}

/// Every rule an implemented row names shows in a snapshot: its own fixture's when it has
/// one (engine rules), otherwise any fixture's (the schema stage's rules).
#[test]
fn implemented_rows_have_a_fixture_showing_the_rule() {
    let snapshots: Vec<String> = std::fs::read_dir(root().join("tests/snapshots"))
        .expect("tests/snapshots")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let mut bad = Vec::new();
    for r in all_rows()
        .iter()
        .filter(|r| r.status == Status::Implemented)
    {
        for id in &r.rule_ids {
            let fixture = root().join(format!("fixtures/rules/{id}.yaml"));
            let shown = if fixture.is_file() {
                std::fs::read_to_string(snapshot_of_fixture(id))
                    .is_ok_and(|s| s.contains(&format!("[{id}]")) || s.contains(id.as_str()))
            } else {
                snapshots.iter().any(|s| s.contains(id.as_str()))
            };
            if !shown {
                bad.push(format!(
                    "{}:{}: `{id}` has no fixture snapshot showing it",
                    r.page, r.line
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// `# parity: <check>` in `fixtures/rules/<id>.yaml` ties the case below it to a row: the
/// text must be part of the check of a row that names `<id>`.
#[test]
fn parity_comments_in_fixtures_name_rows_of_their_rule() {
    let rows = all_rows();
    let dir = root().join("fixtures/rules");
    let mut bad = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("fixtures/rules")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let Some(id) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let Some(claim) = line.trim_start().strip_prefix("# parity:") else {
                continue;
            };
            seen += 1;
            let claim = claim.trim();
            let parts: Vec<&str> = claim.split("; ").collect();
            for part in parts {
                let found = rows
                    .iter()
                    .any(|r| r.rule_ids.contains(&id) && r.check.contains(part));
                if !found {
                    bad.push(format!(
                        "{}:{}: no row of `{id}` has the check `{part}`",
                        rel(&path),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(seen > 0, "no `# parity:` comment in fixtures/rules");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The counts line of a page: `**Counts**: 45 rows, 35 implemented, 3 decidable but not
/// implemented yet, 5 not statically decidable ...`.
fn written_counts(page: &str) -> BTreeMap<Status, usize> {
    let text = read(page);
    let start = text
        .find("**Counts**")
        .unwrap_or_else(|| panic!("{page}: no **Counts** paragraph"));
    let para = &text[start..];
    let line = para
        .find("\n\n")
        .map_or(para, |end| &para[..end])
        .replace('\n', " ");
    let body = line.split_once(':').map_or(line.as_str(), |x| x.1);
    let mut out = BTreeMap::new();
    let mut total = None;
    for part in body.split([',', ';']) {
        let part = part.trim().trim_end_matches('.');
        let Some((n, phrase)) = part.split_once(' ') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let status = if phrase.starts_with("rows") {
            total = Some(n);
            continue;
        } else if phrase.starts_with("implemented") {
            Status::Implemented
        } else if phrase.starts_with("decidable but not implemented") {
            Status::NotImplemented
        } else if phrase.starts_with("not statically decidable") {
            Status::NotDecidable
        } else {
            continue;
        };
        out.insert(status, n);
    }
    let total = total.unwrap_or_else(|| panic!("{page}: the counts line gives no number of rows"));
    assert_eq!(
        out.values().sum::<usize>(),
        total,
        "{page}: the counts do not add up to the rows: {line}"
    );
    out
}

#[test]
fn prose_counts_match_the_rows() {
    let mut bad = Vec::new();
    for page in PAGES {
        let mut counted: BTreeMap<Status, usize> = BTreeMap::new();
        for r in rows_of(page) {
            *counted.entry(r.status).or_default() += 1;
        }
        let written = written_counts(page);
        for status in [
            Status::Implemented,
            Status::NotImplemented,
            Status::NotDecidable,
        ] {
            let (w, c) = (
                written.get(&status).copied().unwrap_or(0),
                counted.get(&status).copied().unwrap_or(0),
            );
            if w != c {
                bad.push(format!(
                    "{page}: {status:?}: the prose says {w}, the rows are {c}"
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The parser sees the tables: a page that lost its rows would pass every test above.
#[test]
fn the_tables_are_parsed() {
    for page in PAGES {
        let rows = rows_of(page);
        assert!(rows.len() > 20, "{page}: only {} rows parsed", rows.len());
        assert!(rows.iter().any(|r| r.status == Status::Implemented));
    }
    assert_eq!(
        classify("not statically decidable: cluster state", &[]),
        Status::NotDecidable
    );
    assert_eq!(
        classify("not implemented yet (decidable)", &[]),
        Status::NotImplemented
    );
    assert_eq!(
        classify("not implemented yet: CEL", &[]),
        Status::NotImplemented
    );
    assert_eq!(
        rule_like("`pod-spec-invalid` (`os.name`, `--x`)"),
        vec!["pod-spec-invalid"]
    );
}

/// The rows whose check depends on the version follow `--kubernetes-version`: below the
/// release that turns the feature on, the server drops the field and accepts the object.
#[test]
fn version_gated_checks_follow_the_target_version() {
    use kubevet::{check_text, Options};
    let cases: &[(&str, &str, &str)] = &[
        (
            "job-spec-invalid",
            "1.30",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  successPolicy:\n    rules: [{succeededCount: 1}]\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: busybox:1.36}]\n",
        ),
        (
            "job-spec-invalid",
            "1.31",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  managedBy: kueue\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: busybox:1.36}]\n",
        ),
        (
            "pod-spec-invalid",
            "1.33",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  resourceClaims: [{name: gpu}]\n  containers: [{name: a, image: busybox:1.36, resources: {claims: [{name: tpu}]}}]\n",
        ),
        (
            "pod-spec-invalid",
            "1.32",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n  securityContext: {seLinuxChangePolicy: Recursive}\n  containers: [{name: a, image: busybox:1.36}]\n",
        ),
        (
            "service-spec-invalid",
            "1.30",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n  trafficDistribution: Nearby\n",
        ),
        // `StrictIPCIDRValidation` is on by default from 1.36; NetworkPolicy CIDRs are only
        // warned about from 1.33 to 1.35.
        (
            "service-spec-invalid",
            "1.35",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 010.96.0.10\n  selector: {app: a}\n  ports: [{port: 80}]\n",
        ),
        (
            "network-policy-invalid",
            "1.32",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.1/8}}]}]\n",
        ),
        (
            "pod-spec-invalid",
            "1.35",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostAliases: [{ip: 010.0.0.1, hostnames: [a]}]\n  containers: [{name: a, image: busybox:1.36}]\n",
        ),
        (
            "pod-spec-warning",
            "1.32",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostAliases: [{ip: \"2001:DB8::1\", hostnames: [a]}]\n  containers: [{name: a, image: busybox:1.36}]\n",
        ),
        // Pod-level resources are validated from 1.34 (`PodLevelResources` beta, on).
        (
            "pod-spec-invalid",
            "1.33",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  resources: {requests: {ephemeral-storage: 1Gi}}\n  containers: [{name: a, image: busybox:1.36}]\n",
        ),
        // The server's deprecation warnings start with the release that deprecates.
        (
            "service-spec-warning",
            "1.34",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n  trafficDistribution: PreferClose\n",
        ),
        (
            "service-spec-warning",
            "1.35",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n  externalIPs: [192.0.2.10]\n",
        ),
    ];
    for (rule, old, text) in cases {
        let run = |version: Option<&str>| {
            let mut opts = Options::default();
            opts.config.only.insert(rule.to_string());
            opts.config.kubernetes_version = version.map(str::to_string);
            check_text("case.yaml", text, &opts)
                .diagnostics
                .iter()
                .filter(|d| d.rule == *rule)
                .count()
        };
        assert!(
            run(None) > 0,
            "{rule}: no finding with the default version:\n{text}"
        );
        assert_eq!(run(Some(old)), 0, "{rule}: a finding with {old}:\n{text}");
    }
}

/// A check the server relaxed: a zero `sleep` is refused before 1.33
/// (`PodLifecycleSleepActionAllowZero`, on by default from then), accepted after.
#[test]
fn relaxed_checks_follow_the_target_version() {
    use kubevet::{check_text, Options};
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: busybox:1.36\n    lifecycle: {preStop: {sleep: {seconds: 0}}}\n";
    let run = |version: Option<&str>| {
        let mut opts = Options::default();
        opts.config.only.insert("container-invalid".to_string());
        opts.config.kubernetes_version = version.map(str::to_string);
        check_text("case.yaml", text, &opts).diagnostics.len()
    };
    assert_eq!(run(None), 0);
    assert_eq!(run(Some("1.33")), 0);
    assert_eq!(run(Some("1.32")), 1);
}
