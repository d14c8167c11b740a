//! The pre-commit hooks, run by the real `pre-commit` (installed from PyPI into a throwaway
//! venv; the test skips when that is not possible, e.g. offline).
//!
//! The repository under test holds, besides manifests, a `.pre-commit-config.yaml`, a CI
//! workflow, a Helm chart (values and a template) and a kustomize overlay with a patch, as real
//! ones do: the hook passes on them and fails, naming the line, on a broken manifest.
//!
//! The `kubevet-system` hook always runs (it uses the kubevet binary this test suite built,
//! put on PATH). The source-built `kubevet` hook compiles kubevet (minutes), so it runs only
//! with `KUBEVET_TEST_PRECOMMIT_SOURCE=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const GOOD: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n";
/// An `unsupported-value` error on line 9.
const BROKEN: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    imagePullPolicy: always\n";

fn cache() -> PathBuf {
    std::env::temp_dir().join("kubevet-test-cache")
}

/// `pre-commit` in a cached venv; `None` when it cannot be installed.
fn pre_commit() -> Option<PathBuf> {
    let venv = cache().join("pre-commit-venv");
    let bin = venv.join("bin/pre-commit");
    if bin.exists() {
        return Some(bin);
    }
    std::fs::create_dir_all(cache()).ok()?;
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let ok = quiet(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        && quiet(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "pre-commit",
        ]));
    (ok && bin.exists()).then_some(bin)
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "git {args:?}");
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A hook of this repository's `.pre-commit-hooks.yaml`: (entry, language).
fn hook(id: &str) -> (String, String) {
    let text = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml"))
        .expect("hooks file");
    let file = kubevet::source::SourceFile::new(0, "hooks.yaml".into(), text);
    let parsed = kubevet::yaml::parse_file(&file, &kubevet::yaml::Limits::default());
    let hooks = parsed.documents[0].root.to_json();
    let h = hooks
        .as_array()
        .expect("list")
        .iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("hook {id}"))
        .clone();
    (
        h["entry"].as_str().expect("entry").to_string(),
        h["language"].as_str().expect("language").to_string(),
    )
}

fn temp_repo(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubevet-precommit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("k8s")).expect("mkdir");
    git(&dir, &["init", "-q"]);
    git(&dir, &["config", "user.email", "test@example.com"]);
    git(&dir, &["config", "user.name", "test"]);
    std::fs::write(dir.join("k8s/settings.yaml"), GOOD).expect("write");
    // What a repository holds besides manifests; pre-commit names every one of them, and
    // none is a finding.
    let others: &[(&str, &str)] = &[
        (
            ".github/workflows/ci.yml",
            "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make test\n",
        ),
        ("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n"),
        ("chart/values.yaml", "image:\n  repository: nginx\n  tag: \"1.27\"\n"),
        (
            "chart/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n",
        ),
        (
            "overlay/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../k8s\npatches:\n- path: replicas.yaml\n",
        ),
        (
            "overlay/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
        ),
    ];
    for (path, text) in others {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn run(pre_commit: &Path, dir: &Path, hook_id: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_kubevet"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    git(dir, &["add", "-A"]);
    Command::new(pre_commit)
        .args(["run", hook_id, "--all-files", "--color", "never"])
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", cache().join("pre-commit-home"))
        .env_remove("GIT_DIR")
        .output()
        .expect("run pre-commit")
}

/// The configuration for one hook of this repository, at HEAD, as a user would write it.
fn config(hook_id: &str, args: &[&str]) -> String {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("\n        args: [{}]", args.join(", "))
    };
    let head = git_out(Path::new(ROOT), &["rev-parse", "HEAD"]);
    format!("repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: {hook_id}{args}\n")
}

fn exercise(pre_commit: &Path, hook_id: &str) {
    let dir = temp_repo(hook_id);
    std::fs::write(dir.join(".pre-commit-config.yaml"), config(hook_id, &[])).expect("write");
    let o = run(pre_commit, &dir, hook_id);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "good manifests pass:\n{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("Passed"), "{text}");

    std::fs::write(dir.join("k8s/web.yaml"), BROKEN).expect("write");
    let o = run(pre_commit, &dir, hook_id);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "a broken manifest fails:\n{text}");
    assert!(
        text.contains("k8s/web.yaml:9:22: error[unsupported-value]"),
        "the finding names the line:\n{text}"
    );

    // `args:` overrides the entry's --format.
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        config(hook_id, &["--format", "github"]),
    )
    .expect("write");
    let o = run(pre_commit, &dir, hook_id);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("::error file=k8s/web.yaml,line=9,col=22"),
        "{text}"
    );
}

#[test]
fn system_hook_runs_under_pre_commit() {
    let (entry, language) = hook("kubevet-system");
    assert_eq!(language, "system");
    assert!(entry.starts_with("kubevet check"), "{entry}");
    let Some(pc) = pre_commit() else {
        eprintln!("skipping: could not install pre-commit from PyPI (offline?)");
        return;
    };
    exercise(&pc, "kubevet-system");
}

#[test]
fn source_hook_runs_under_pre_commit() {
    let (entry, language) = hook("kubevet");
    assert_eq!(language, "rust");
    assert_eq!(
        entry,
        hook("kubevet-system").0,
        "both hooks run the same command"
    );
    if std::env::var_os("KUBEVET_TEST_PRECOMMIT_SOURCE").is_none() {
        eprintln!(
            "skipping: set KUBEVET_TEST_PRECOMMIT_SOURCE=1 to build the hook from source (minutes)"
        );
        return;
    }
    let Some(pc) = pre_commit() else {
        eprintln!("skipping: could not install pre-commit from PyPI (offline?)");
        return;
    };
    exercise(&pc, "kubevet");
}
