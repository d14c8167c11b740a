//! The CI outputs: SARIF as GitHub code scanning ingests it (validated by Microsoft's SARIF
//! multitool when npm can install it), GitLab Code Quality, JUnit, the JSON contract's
//! schema, `--output`, `--stdin-filename`, Helm's `# Source:` names and broken pipes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn kubevet_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubevet");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("wait")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubevet-ci-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A checkout-like directory: the demo manifests under a path that needs URI encoding, and
/// a file whose findings carry fixes.
fn sample_repo(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let sub = dir.join("k8s/my app");
    std::fs::create_dir_all(&sub).expect("mkdir");
    for f in ["demo/web-app.yaml", "fixtures/schema/emptydir-pod.yaml"] {
        let src = Path::new(ROOT).join(f);
        let to = sub.join(src.file_name().expect("name"));
        std::fs::copy(&src, to).expect("copy");
    }
    dir
}

const BROKEN: &[u8] = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    imagePullPolicy: always\n";

// ---------------------------------------------------------------------------------------
// SARIF

/// The SARIF multitool, installed once per machine into a cache directory with npm
/// (`KUBEVET_SARIF_MULTITOOL` names an existing binary instead). `None` when offline.
fn sarif_multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBEVET_SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::temp_dir().join("kubevet-test-cache/sarif-multitool");
    let bin = cache.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !bin.exists() {
        if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            return None;
        }
        std::fs::create_dir_all(&cache).ok()?;
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&cache)
            .arg("@microsoft/sarif-multitool-linux@5.7.0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok || !bin.exists() {
            return None;
        }
    }
    // npm may not run the package's `chmod u+x` postinstall script.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).ok()?;
    }
    Some(bin)
}

fn sarif_outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut outs = Vec::new();
    // Relative paths (one needing URI encoding), an absolute path, stdin named and unnamed.
    // Every fixture: all the rules, related locations and fixes kubevet produces.
    let abs = Path::new(ROOT).join("fixtures");
    let abs = abs.to_str().expect("utf-8");
    let o = kubevet_in(dir, &["check", "--format", "sarif", "k8s", abs], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    outs.push(("files.sarif".to_string(), o.stdout));
    let o = kubevet_in(
        dir,
        &[
            "check",
            "--format",
            "sarif",
            "--stdin-filename",
            "k8s/pod.yaml",
            "-",
        ],
        Some(BROKEN),
    );
    outs.push(("stdin-named.sarif".to_string(), o.stdout));
    let o = kubevet_in(dir, &["check", "--format", "sarif", "-"], Some(BROKEN));
    outs.push(("stdin.sarif".to_string(), o.stdout));
    // No findings at all.
    let o = kubevet_in(
        dir,
        &["check", "--format", "sarif", "-"],
        Some(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
    );
    outs.push(("clean.sarif".to_string(), o.stdout));
    outs
}

#[test]
fn sarif_passes_the_schema_and_github_ingestion_rules() {
    let dir = sample_repo("sarif-validate");
    let outs = sarif_outputs(&dir);
    let Some(tool) = sarif_multitool() else {
        eprintln!("skipping: npm could not install @microsoft/sarif-multitool-linux (offline?)");
        return;
    };
    // 1. The SARIF 2.1.0 JSON schema the multitool ships.
    let schema_path = tool.with_file_name("sarif-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("compile SARIF schema");
    for (name, bytes) in &outs {
        let v: serde_json::Value = serde_json::from_slice(bytes).expect("SARIF is JSON");
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // 2. The multitool's own validation: the SARIF rules and GitHub's ingestion rules.
    for (name, bytes) in &outs {
        let file = dir.join(name);
        std::fs::write(&file, bytes).expect("write");
        let log = dir.join(format!("{name}.validation.sarif"));
        let _ = std::fs::remove_file(&log);
        let o = Command::new(&tool)
            .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
            .arg(&log)
            .arg(&file)
            .output()
            .expect("run the multitool");
        let text = String::from_utf8_lossy(&o.stdout);
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&log).unwrap_or_else(|_| panic!("no validation log: {text}")),
        )
        .expect("validation log is JSON");
        let results = report["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(results.is_empty(), "{name}: the multitool reports\n{text}");
    }
}

#[test]
fn sarif_carries_what_github_needs() {
    let dir = sample_repo("sarif-fields");
    let outs = sarif_outputs(&dir);
    let v: serde_json::Value = serde_json::from_slice(&outs[0].1).expect("json");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(!rules.is_empty());
    for r in rules {
        let id = r["id"].as_str().expect("id");
        assert!(
            r["help"]["text"].as_str().expect("help").contains("## Why"),
            "{id}"
        );
        assert_eq!(r["help"]["markdown"], r["help"]["text"]);
        assert!(r["helpUri"]
            .as_str()
            .expect("helpUri")
            .ends_with(&format!("/rules/{id}.md")));
        assert!(r["shortDescription"]["text"].is_string());
        assert!(r["fullDescription"]["text"].is_string());
        assert!(r["defaultConfiguration"]["level"].is_string());
    }
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("base");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let uris: Vec<&str> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert!(uris.contains(&"k8s/my%20app/web-app.yaml"), "{uris:?}");
    assert!(
        uris.iter()
            .any(|u| u.starts_with("file:///") && u.ends_with("/fixtures/syntax/yaml-syntax.yaml")),
        "{uris:?}"
    );
    // A fix travels as a SARIF fix.
    let fixed = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r.get("fixes").is_some())
        .expect("a result with a fix");
    let change = &fixed["fixes"][0]["artifactChanges"][0];
    assert!(change["replacements"][0]["insertedContent"]["text"].is_string());
    assert!(change["replacements"][0]["deletedRegion"]["startLine"].is_u64());
    // Standard input: named by --stdin-filename, otherwise `stdin`.
    let named: serde_json::Value = serde_json::from_slice(&outs[1].1).expect("json");
    assert_eq!(
        named["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "k8s/pod.yaml"
    );
    let unnamed: serde_json::Value = serde_json::from_slice(&outs[2].1).expect("json");
    assert_eq!(
        unnamed["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "stdin"
    );
}

fn fingerprints(v: &serde_json::Value) -> Vec<String> {
    v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["partialFingerprints"]["kubevet/v1"]
                .as_str()
                .expect("fp")
                .to_string()
        })
        .collect()
}

#[test]
fn fingerprints_are_stable_and_survive_moved_lines() {
    let dir = temp_dir("fingerprints");
    let file = dir.join("pod.yaml");
    std::fs::write(&file, BROKEN).expect("write");
    let run = || {
        json(&kubevet_in(
            &dir,
            &["check", "--format", "sarif", "pod.yaml"],
            None,
        ))
    };
    let a = fingerprints(&run());
    assert!(!a.is_empty());
    assert_eq!(a, fingerprints(&run()), "same input, same fingerprints");
    let mut moved = b"# a comment that moves every line down\n\n".to_vec();
    moved.extend_from_slice(BROKEN);
    std::fs::write(&file, moved).expect("write");
    assert_eq!(a, fingerprints(&run()), "moving lines keeps fingerprints");
    let mut uniq = a.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(
        uniq.len(),
        a.len(),
        "fingerprints are distinct within a run"
    );
    // GitLab uses the same fingerprints.
    let gl = json(&kubevet_in(
        &dir,
        &["check", "--format", "gitlab", "pod.yaml"],
        None,
    ));
    let gl_fps: Vec<String> = gl
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp").to_string())
        .collect();
    assert_eq!(gl_fps, a);
}

// ---------------------------------------------------------------------------------------
// GitLab, JUnit, JSON

#[test]
fn gitlab_code_quality_report() {
    let dir = sample_repo("gitlab");
    let v = json(&kubevet_in(
        &dir,
        &["check", "--format", "gitlab", "k8s"],
        None,
    ));
    let issues = v.as_array().expect("array");
    assert!(!issues.is_empty());
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key} in {i}");
        }
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().expect("severity")));
        assert!(i["location"]["path"]
            .as_str()
            .expect("path")
            .starts_with("k8s/my app/"));
        assert!(
            i["location"]["positions"]["begin"]["line"]
                .as_u64()
                .expect("line")
                >= 1
        );
    }
    // No findings: an empty array, which GitLab accepts.
    let o = kubevet_in(
        &dir,
        &["check", "--format", "gitlab", "-"],
        Some(b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n"),
    );
    assert_eq!(json(&o), serde_json::json!([]));
}

#[test]
fn junit_report() {
    let dir = sample_repo("junit");
    let o = kubevet_in(&dir, &["check", "--format", "junit", "k8s"], None);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
        "{text}"
    );
    let failures = text.matches("<failure ").count();
    assert!(failures > 0);
    assert!(text.contains(&format!("failures=\"{failures}\"")), "{text}");
    assert!(
        text.contains("classname=\"k8s/my app/web-app.yaml\""),
        "{text}"
    );
    assert!(text.trim_end().ends_with("</testsuites>"));
    // Balanced: every opened test case is closed.
    assert_eq!(
        text.matches("<testcase ").count(),
        text.matches("</testcase>").count() + text.matches("/>\n").count()
    );
}

#[test]
fn json_output_matches_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("schemas/report-v1.schema.json"))
            .expect("schema file"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let root = Path::new(ROOT);
    let mut checked = 0;
    for args in [
        vec!["check", "--format", "json", "demo"],
        vec!["check", "--format", "json", "fixtures"],
        vec![
            "check",
            "--format",
            "json",
            "--kubernetes-version",
            "1.29",
            "fixtures/schema",
        ],
    ] {
        let o = kubevet_in(root, &args, None);
        let v = json(&o);
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert!(v["diagnostics"].as_array().is_some_and(|d| !d.is_empty()));
        checked += 1;
    }
    assert_eq!(checked, 3);
    let v = json(&kubevet_in(
        root,
        &[
            "check",
            "--format",
            "json",
            "--kubernetes-version",
            "1.29",
            "demo",
        ],
        None,
    ));
    assert_eq!(v["kubernetesVersion"], "1.29");
    assert_eq!(v["tool"]["name"], "kubevet");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    // The schema is not vacuous: a report missing a field fails it.
    let mut bad = v.clone();
    bad["diagnostics"][0]
        .as_object_mut()
        .expect("object")
        .remove("range");
    assert!(!validator.is_valid(&bad));
}

// ---------------------------------------------------------------------------------------
// --output, stdin names, broken pipes

#[test]
fn output_file_gets_the_machine_report_and_the_terminal_the_human_one() {
    let dir = sample_repo("output");
    let o = kubevet_in(
        &dir,
        &[
            "check",
            "--format",
            "sarif",
            "--output",
            "out/kubevet.sarif",
            "k8s",
        ],
        None,
    );
    // A directory that does not exist is an error, not a silent success.
    assert_eq!(o.status.code(), Some(2));
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    let o = kubevet_in(
        &dir,
        &[
            "check",
            "--color",
            "never",
            "--format",
            "sarif",
            "--output",
            "out/kubevet.sarif",
            "k8s",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("error[selector-template-mismatch]"), "{text}");
    assert!(text.contains(" errors, "), "{text}");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("out/kubevet.sarif")).expect("file"),
    )
    .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn stdin_filename_and_helm_sources() {
    let dir = temp_dir("stdin");
    let o = kubevet_in(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "deploy/pod.yaml",
            "-",
        ],
        Some(BROKEN),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("\ndeploy/pod.yaml:9:22: error[unsupported-value]"),
        "{text}"
    );

    // `helm template` output: every document names its template; lines count inside it.
    let helm = "---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        imagePullPolicy: always\n";
    let o = kubevet_in(
        &dir,
        &["check", "--format", "concise", "-"],
        Some(helm.as_bytes()),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("web/templates/deployment.yaml:18:26: error[unsupported-value]")),
        "{text}"
    );
    // The Service still sees the Deployment in the other "file": no selects-nothing finding.
    assert!(!text.contains("service-selects-nothing"), "{text}");
}

#[test]
fn broken_pipe_keeps_the_exit_code() {
    let root = Path::new(ROOT);
    for format in [
        "human", "concise", "json", "sarif", "github", "gitlab", "junit",
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubevet"))
            .args(["check", "--format", format, "fixtures", "demo"])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run kubevet");
        // Close the reading end before kubevet writes: its first write fails with EPIPE.
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------
// README recipes

/// The YAML block after `<!-- recipe: NAME -->` in the README, parsed by kubevet's loader.
fn recipe(name: &str) -> (String, serde_json::Value) {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let marker = format!("<!-- recipe: {name} -->\n```yaml\n");
    let start = readme.find(&marker).expect("recipe marker") + marker.len();
    let len = readme[start..].find("```").expect("closing fence");
    let text = readme[start..start + len].to_string();
    let file = kubevet::source::SourceFile::new(0, format!("{name}.yaml"), text.clone());
    let parsed = kubevet::yaml::parse_file(&file, &kubevet::yaml::Limits::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{name}: {:?}",
        parsed.diagnostics
    );
    assert_eq!(parsed.documents.len(), 1);
    (text, parsed.documents[0].root.to_json())
}

/// Runs a recipe's `kubevet check ...` command on a sample checkout; returns the report file.
fn run_recipe_command(dir: &Path, command: &str) -> (Output, PathBuf) {
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let out = args
        .iter()
        .position(|a| *a == "--output")
        .and_then(|i| args.get(i + 1))
        .expect("the recipe writes a report file");
    let _ = std::fs::remove_file(dir.join(out));
    (kubevet_in(dir, &args, None), dir.join(out))
}

#[test]
fn github_actions_recipe_uploads_sarif_even_on_findings() {
    let (_, wf) = recipe("github-actions");
    assert_eq!(wf["permissions"]["security-events"], "write");
    let steps = wf["jobs"]["kubevet"]["steps"].as_array().expect("steps");
    let check = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.starts_with("kubevet check"))
        .expect("a kubevet check step");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload step");
    assert_eq!(
        upload["if"], "always()",
        "the upload must run after a failing check"
    );
    let dir = sample_repo("recipe-gha");
    let (o, report) = run_recipe_command(&dir, check);
    assert_eq!(o.status.code(), Some(1), "findings fail the step");
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        report.file_name().and_then(|f| f.to_str())
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written"))
            .expect("json");
    assert!(!sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .is_empty());
}

#[test]
fn gitlab_recipe_keeps_the_code_quality_report() {
    let (_, job) = recipe("gitlab-ci");
    let job = &job["kubevet"];
    assert_eq!(job["artifacts"]["when"], "always");
    let check = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .filter_map(|s| s.as_str())
        .find(|s| s.starts_with("kubevet check"))
        .expect("a kubevet check line");
    let dir = sample_repo("recipe-gitlab");
    let (o, report) = run_recipe_command(&dir, check);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        job["artifacts"]["reports"]["codequality"].as_str(),
        report.file_name().and_then(|f| f.to_str())
    );
    let issues: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written"))
            .expect("json");
    assert!(!issues.as_array().expect("array").is_empty());
}
