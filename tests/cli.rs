//! End-to-end tests of the `kubevet` binary: exit codes, formats, inputs.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kubevet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("run kubevet")
}

fn kubevet_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubevet");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const VALID: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: b\n";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubevet-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn exit_codes() {
    assert_eq!(
        kubevet_stdin(&["check", "-"], VALID.as_bytes())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(kubevet(&["check", "demo/"]).status.code(), Some(1));
    let missing = kubevet(&["check", "no/such/path.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file or directory"));
    assert_eq!(kubevet(&["check", "--bogus"]).status.code(), Some(2));
    let unknown_rule = kubevet(&["check", "--ignore", "selector-template-mismach", "demo/"]);
    assert_eq!(unknown_rule.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown_rule.stderr)
        .contains("did you mean `selector-template-mismatch`"));
}

#[test]
fn syntax_error_is_a_finding_not_a_crash() {
    let o = kubevet_stdin(&["check", "--format", "concise", "-"], b"a: [\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("-:"), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[yaml-syntax]"));
}

#[test]
fn fail_on_warning_and_info() {
    let dir = temp_dir("empty");
    let d = dir.to_str().expect("utf-8 path");
    // An empty directory is a warning: exit 0 by default, 1 with --fail-on warning.
    assert_eq!(kubevet(&["check", d]).status.code(), Some(0));
    let o = kubevet(&["check", "--fail-on", "warning", "--format", "concise", d]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("warning[no-manifests]"));
}

#[test]
fn a_directory_without_kubernetes_objects_is_named() {
    let dir = temp_dir("no-objects");
    std::fs::write(dir.join("ci.yaml"), "name: ci\non: push\njobs: {}\n").expect("write");
    std::fs::write(dir.join("settings.yaml"), "replicas: 3\n").expect("write");
    let d = dir.to_str().expect("utf-8 path");
    // Files were found but all skipped: a warning naming the directory and why.
    let o = kubevet(&["check", "--fail-on", "warning", "--format", "concise", d]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(out.matches("warning[no-manifests]").count(), 1, "{out}");
    assert!(
        out.contains("no Kubernetes objects found") && out.contains("2 without Kubernetes objects"),
        "{out}"
    );
    // One object beside them is enough: the directory is the right one.
    std::fs::write(dir.join("cm.yaml"), VALID).expect("write");
    let o = kubevet(&["check", "--fail-on", "warning", "--format", "concise", d]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A file named on its own is not a directory to be wrong about.
    let file = dir.join("settings.yaml");
    let o = kubevet(&[
        "check",
        "--skip-non-manifests",
        "--fail-on",
        "warning",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Switched off like any rule.
    std::fs::remove_file(dir.join("cm.yaml")).expect("remove");
    let o = kubevet(&[
        "check",
        "--ignore",
        "no-manifests",
        "--fail-on",
        "warning",
        d,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn json_contract() {
    let o = kubevet(&["check", "--format", "json", "demo/web-app.yaml"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["documents"], 2);
    let d = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .find(|d| d["rule"] == "selector-template-mismatch")
        .expect("selector finding");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "demo/web-app.yaml");
    assert_eq!(d["document"], 0);
    assert_eq!(d["object"]["kind"], "Deployment");
    assert_eq!(d["object"]["apiVersion"], "apps/v1");
    assert_eq!(d["object"]["name"], "web");
    assert_eq!(d["object"]["namespace"], serde_json::Value::Null);
    assert_eq!(d["path"], "spec.selector");
    assert_eq!(d["range"]["start"]["line"], 10);
    assert_eq!(d["range"]["start"]["column"], 3);
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/web-app.yaml"))
        .expect("demo");
    let off = d["range"]["start"]["offset"].as_u64().expect("offset") as usize;
    let end = d["range"]["end"]["offset"].as_u64().expect("offset") as usize;
    assert_eq!(&text[off..end], "selector");
    assert_eq!(d["related"][0]["range"]["start"]["line"], 16);
    assert!(d["help"].is_string());
    assert!(d.get("fix").is_some());
}

#[test]
fn sarif_and_github_formats() {
    let o = kubevet(&["check", "--format", "sarif", "demo/web-app.yaml"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "selector-template-mismatch");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().expect("index") as usize]
            ["id"],
        "selector-template-mismatch"
    );

    let o = kubevet(&["check", "--format", "github", "demo/web-app.yaml"]);
    assert!(stdout(&o).lines().any(|l| l.starts_with(
        "::error file=demo/web-app.yaml,line=10,col=3,endLine=10,endColumn=11,title=kubevet selector-template-mismatch::"
    )), "{}", stdout(&o));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = stdout(&kubevet(&["check", "demo/web-app.yaml"]));
    assert!(
        !plain.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    let coloured = stdout(&kubevet(&[
        "check",
        "--color",
        "always",
        "demo/web-app.yaml",
    ]));
    assert!(coloured.contains('\x1b'));
    let never = stdout(&kubevet(&[
        "check",
        "--color",
        "never",
        "demo/web-app.yaml",
    ]));
    assert!(!never.contains('\x1b'));
    assert!(
        plain.trim_end().ends_with("in 1 file (2 objects)"),
        "{plain}"
    );
}

#[test]
fn invalid_utf8_and_binary_input() {
    let dir = temp_dir("utf8");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, b"name: caf\xe9\n").expect("write");
    let o = kubevet(&["check", "--format", "concise", bad.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[unreadable-file]"));
    assert!(stdout(&o).contains("offset 9"), "{}", stdout(&o));

    let bin: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let o = kubevet_stdin(&["check", "-"], &bin);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn empty_stdin_is_an_error_unless_named() {
    // A failed `helm template . | kubevet check -` pipes nothing: that must not pass.
    for input in [&b""[..], b"\n  \n"] {
        let o = kubevet_stdin(&["check", "--format", "concise", "-"], input);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(
            stdout(&o).contains("-:1:1: error[unreadable-file] standard input is empty"),
            "{}",
            stdout(&o)
        );
    }
    // An editor sending an empty buffer names it: an empty file, nothing to report.
    let o = kubevet_stdin(&["check", "--stdin-filename", "new.yaml", "-"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A document that is only a comment is not empty input.
    let o = kubevet_stdin(&["check", "-"], b"# nothing rendered\n");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn walks_directories_respecting_hidden_and_gitignore() {
    let dir = temp_dir("walk");
    std::fs::create_dir_all(dir.join("sub/.hidden")).expect("mkdir");
    std::fs::create_dir_all(dir.join("ignored")).expect("mkdir");
    std::fs::write(dir.join("sub/a.yaml"), VALID).expect("write");
    std::fs::write(dir.join("sub/b.yml"), VALID.replace("ok", "ok2")).expect("write");
    std::fs::write(
        dir.join("sub/c.json"),
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}"#,
    )
    .expect("write");
    std::fs::write(dir.join("sub/notes.txt"), "not yaml: [").expect("write");
    std::fs::write(dir.join("sub/.hidden/x.yaml"), "a: [").expect("write");
    std::fs::write(dir.join("ignored/x.yaml"), "a: [").expect("write");
    std::fs::write(dir.join(".gitignore"), "ignored/\n").expect("write");
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(&dir)
        .status();
    if !git.is_ok_and(|s| s.success()) {
        eprintln!("skipping: git is not available");
        return;
    }
    let o = kubevet(&["check", "--format", "json", dir.to_str().expect("utf-8")]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["summary"]["files"], 3, "{}", stdout(&o));
    assert_eq!(v["summary"]["objects"], 3);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn a_file_named_again_inside_a_named_directory_is_checked_once() {
    let dir = temp_dir("named-twice");
    let app = dir.join("app.yaml");
    std::fs::write(&app, VALID.replace("name: ok", "name: Not_Valid")).expect("write");
    let (d, a) = (dir.to_str().expect("utf-8"), app.to_str().expect("utf-8"));
    let o = kubevet(&["check", "--format", "json", d, a, a]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["summary"]["files"], 1, "{}", stdout(&o));
    assert_eq!(v["summary"]["objects"], 1);
    let names: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert_eq!(names, ["invalid-object-name"], "{}", stdout(&o));
}

#[test]
fn a_json_schema_given_to_crd_is_reported_and_a_kustomization_beside_crds_is_not() {
    let dir = temp_dir("crd-json-schema");
    std::fs::create_dir_all(dir.join("schemas")).expect("mkdir");
    std::fs::write(
        dir.join("schemas/widget_v1.json"),
        r#"{"$schema":"http://json-schema.org/schema#","type":"object","properties":{"spec":{"type":"object"}}}"#,
    )
    .expect("write");
    std::fs::write(dir.join("schemas/kustomization.yaml"), "resources: []\n").expect("write");
    let cr = dir.join("widget.yaml");
    std::fs::write(
        &cr,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .expect("write");
    let schemas = dir.join("schemas");
    let o = kubevet(&[
        "check",
        "--format",
        "json",
        "--crd",
        schemas.to_str().expect("utf-8"),
        cr.to_str().expect("utf-8"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let on_schema: Vec<&(String, String)> = found
        .iter()
        .filter(|(_, f)| f.ends_with("widget_v1.json"))
        .collect();
    assert_eq!(on_schema.len(), 1, "{}", stdout(&o));
    assert_eq!(on_schema[0].0, "no-manifests");
    assert!(
        !found.iter().any(|(_, f)| f.ends_with("kustomization.yaml")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn crlf_and_bom_keep_columns() {
    let text = "\u{feff}apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n  name: x\r\nspec:\r\n  selector:\r\n    matchLabels: {app: a}\r\n  template:\r\n    metadata:\r\n      labels: {app: b}\r\n    spec:\r\n      containers: [{name: c, image: busybox:1.36}]\r\n";
    let o = kubevet_stdin(&["check", "--format", "concise", "-"], text.as_bytes());
    assert!(
        stdout(&o).contains("-:6:3: error[selector-template-mismatch]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn rules_and_explain() {
    let o = kubevet(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o)
        .lines()
        .any(|l| l.starts_with("selector-template-mismatch") && l.contains("error")));
    let o = kubevet(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert!(v
        .as_array()
        .is_some_and(|a| a.iter().any(|r| r["id"] == "yaml-syntax")));
    let o = kubevet(&["explain", "duplicate-key"]);
    assert!(stdout(&o).starts_with("# duplicate-key"));
    assert_eq!(kubevet(&["explain", "nope"]).status.code(), Some(2));
}

#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = kubevet(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let text = stdout(&o);
        assert!(text.contains("stdin-filename"), "{shell}: {text}");
    }
    assert_eq!(kubevet(&["completions", "tcsh"]).status.code(), Some(2));
    let man = stdout(&kubevet(&["man"]));
    assert!(man.contains(".TH kubevet 1"), "{man}");
    let check = stdout(&kubevet(&["man", "check"]));
    assert!(check.contains(".TH kubevet-check 1"), "{check}");
    assert!(check.contains("\\-\\-unsafe\\-fixes"), "{check}");
    assert_eq!(kubevet(&["man", "nope"]).status.code(), Some(2));
}

#[test]
fn a_baseline_hides_recorded_findings_and_shows_new_ones() {
    let dir = temp_dir("baseline");
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("apps")).expect("mkdir");
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\nsops: {}\n";
    std::fs::write(repo.join("apps/cfg.yaml"), old).expect("write");
    let baseline = dir.join("kubevet-baseline.json");
    let (repo_s, baseline_s) = (repo.to_string_lossy(), baseline.to_string_lossy());
    let run = |args: &[&str]| kubevet(&[&["check"], args].concat());

    assert_eq!(run(&[&repo_s]).status.code(), Some(1));
    let written = run(&[&repo_s, "--write-baseline", &baseline_s]);
    assert_eq!(written.status.code(), Some(0));
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    // Recorded by file (relative to the baseline), rule and object, not by line.
    assert!(text.contains("\"file\": \"repo/apps/cfg.yaml\""), "{text}");
    assert!(text.contains("\"object\": \"ConfigMap cfg\""), "{text}");

    let hidden = run(&[&repo_s, "--baseline", &baseline_s, "-f", "concise"]);
    assert_eq!(hidden.status.code(), Some(0), "{}", stdout(&hidden));
    assert!(stdout(&hidden).is_empty());
    assert!(String::from_utf8_lossy(&hidden.stderr).contains("1 finding in the baseline"));

    // Lines moved above the finding: still the recorded one. A new finding shows and fails.
    let edited = format!(
        "# moved\n{}extra: 1\n",
        old.replace("name: cfg", "name: cfg\n  labels: {}")
    );
    std::fs::write(repo.join("apps/cfg.yaml"), edited).expect("write");
    let new = run(&[&repo_s, "--baseline", &baseline_s, "-f", "concise"]);
    assert_eq!(new.status.code(), Some(1));
    // Two unknown fields where one was recorded: both shown, as either may be the new one.
    assert_eq!(
        stdout(&new).matches("unknown-field").count(),
        2,
        "{}",
        stdout(&new)
    );

    // Fixed: nothing shown, and the note says the baseline can be tightened.
    std::fs::write(repo.join("apps/cfg.yaml"), VALID).expect("write");
    let fixed = run(&[&repo_s, "--baseline", &baseline_s]);
    assert_eq!(fixed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&fixed.stderr).contains("1 recorded finding no longer occurs"));

    // A baseline that is missing or not a baseline stops the gate (exit 2), never passes it.
    let missing = dir.join("none.json");
    assert_eq!(
        run(&[&repo_s, "--baseline", &missing.to_string_lossy()])
            .status
            .code(),
        Some(2)
    );
    std::fs::write(&missing, "{\"findings\": 3}").expect("write");
    let bad = run(&[&repo_s, "--baseline", &missing.to_string_lossy()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a kubevet baseline"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn skipped_kinds_are_not_reported_on_but_still_referenced() {
    let dir = temp_dir("skip-kinds");
    let secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  token: not base64!\n";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    imagePullPolicy: always\n  volumes:\n  - name: creds\n    secret:\n      secretName: creds\n";
    // `credz`, one typo from `creds`, is the evidence that would make a missing `creds` a
    // warning: so a skipped Secret that left the run would show.
    let near = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credz\n";
    std::fs::write(
        dir.join("all.yaml"),
        format!("{secret}---\n{near}---\n{pod}"),
    )
    .expect("write");
    let d = dir.to_string_lossy();
    let rules = |args: &[&str]| {
        let o = kubevet(&[&["check", "--no-config", "-f", "json", &d], args].concat());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let mut r: Vec<String> = v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|x| x["severity"] != "info")
            .map(|x| {
                format!(
                    "{}:{}",
                    x["object"]["kind"].as_str().unwrap_or("?"),
                    x["rule"].as_str().unwrap_or("?")
                )
            })
            .collect();
        r.sort();
        (o.status.code(), r)
    };
    let all = rules(&[]);
    assert_eq!(all.0, Some(1));
    assert_eq!(
        all.1,
        ["Pod:unsupported-value", "Secret:invalid-config-data"]
    );
    // The Secret is not reported on, yet the Pod's volume still finds it.
    assert_eq!(
        rules(&["--skip-kinds", "Secret"]).1,
        ["Pod:unsupported-value"]
    );
    assert_eq!(
        rules(&["--skip-kinds", "v1/Secret,v1/Pod"]),
        (Some(0), vec![])
    );
    // An apiVersion that is not the object's does not match.
    assert_eq!(rules(&["--skip-kinds", "v2/Secret"]).1.len(), 2);
    // The configuration's `skip-kinds`, and a malformed entry there (exit 2).
    std::fs::write(dir.join(".kubevet.yaml"), "skip-kinds: [Pod]\n").expect("write");
    let o = kubevet(&["check", "-f", "concise", &d]);
    assert_eq!(stdout(&o).matches("error[").count(), 1, "{}", stdout(&o));
    assert!(stdout(&o).contains("invalid-config-data"));
    std::fs::write(dir.join(".kubevet.yaml"), "skip-kinds: [\"v1/\"]\n").expect("write");
    assert_eq!(kubevet(&["check", &d]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// An editor sends its buffer on stdin with the file's name: the buffer is judged as the file
/// on disk would be, in its repository's layout.
#[test]
fn a_named_stdin_buffer_takes_its_files_place_in_the_layout() {
    let buffer = |path: &str, extra: &[&str]| {
        let text = std::fs::read(path).expect("fixture");
        let args = [
            &[
                "check",
                "-",
                "--no-config",
                "-f",
                "concise",
                "--stdin-filename",
                path,
            ],
            extra,
        ]
        .concat();
        let o = kubevet_stdin(&args, &text);
        (o.status.code(), stdout(&o))
    };
    // A Helm template is not YAML until rendered: the chart's note, no syntax error.
    let (code, out) = buffer(
        "tests/projects/helm-chart/charts/web/templates/deployment.yaml",
        &[],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("helm-chart-not-rendered") && !out.contains("yaml-syntax"),
        "{out}"
    );
    // A kustomize patch is a partial object: its typo is reported, the fields it leaves to
    // the base are not "missing".
    let (code, out) = buffer("tests/projects/kustomize/overlays/prod/replicas.yaml", &[]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("replicaz") && !out.contains("missing-required-field"),
        "{out}"
    );
    // A JSON 6902 patch is data.
    let (code, out) = buffer(
        "tests/projects/kustomize/overlays/prod/image-patch.yaml",
        &[],
    );
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // A CI workflow buffer: nothing under --skip-non-manifests, as for a named file.
    let (code, out) = buffer(
        "tests/projects/helm-chart/compose.yaml",
        &["--skip-non-manifests"],
    );
    assert_eq!((code, out.as_str()), (Some(0), ""));
    let (code, _) = buffer("tests/projects/helm-chart/compose.yaml", &[]);
    assert_eq!(code, Some(1));
}

/// `kubevet server` speaks LSP on stdin/stdout: an editor's session, framed as on the wire.
#[test]
fn language_server_over_stdio() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubevet server");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut send = |v: serde_json::Value| {
        let body = v.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        stdin.flush().expect("flush");
    };
    let mut recv = || -> serde_json::Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            out.read_line(&mut line).expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = n.parse().expect("length");
            }
        }
        let mut body = vec![0; len];
        out.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("json")
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let init = recv();
    assert_eq!(init["result"]["serverInfo"]["name"], "kubevet");
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: clusterIP\n  ports:\n  - port: 80\n";
    send(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///tmp/kubevet-lsp-svc.yaml", "languageId": "yaml", "version": 3, "text": text}}}),
    );
    let published = recv();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    let codes: Vec<&str> = published["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"unsupported-value"), "{published}");
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    assert_eq!(recv()["id"], 2);
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    assert_eq!(child.wait().expect("exit").code(), Some(0));
}
