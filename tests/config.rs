//! `.kubevet.yaml`: nearest-wins lookup, severity overrides and the exit code, excludes,
//! flags over the file, errors with spans and suggestions, `kubevet config show|schema`, and
//! the README's example configurations against the published schema.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The fixture repository, copied to a temporary directory with a `.git` marking its root.
fn repo(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubevet-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&Path::new(ROOT).join("tests/fixtures/config-repo"), &dir);
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir .git");
    dir
}

fn kubevet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run kubevet")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn nearest_configuration_wins_and_severity_changes_the_exit_code() {
    let dir = repo("nearest");
    // Root config: the error stands (exit 1), resources-unset is ignored.
    let apps = kubevet(&dir, &["check", "--format", "concise", "apps"]);
    assert_eq!(apps.status.code(), Some(1), "{}", out(&apps));
    assert!(
        out(&apps).contains("error[unsupported-value]"),
        "{}",
        out(&apps)
    );
    assert!(!out(&apps).contains("resources-unset"), "{}", out(&apps));
    // legacy/.kubevet.yaml: the same finding is a warning (exit 0), and the root's ignore
    // does not apply there (nearest wins, files do not merge).
    let legacy = kubevet(&dir, &["check", "--format", "concise", "legacy"]);
    assert_eq!(legacy.status.code(), Some(0), "{}", out(&legacy));
    assert!(
        out(&legacy).contains("warning[unsupported-value]"),
        "{}",
        out(&legacy)
    );
    assert!(
        out(&legacy).contains("info[resources-unset]"),
        "{}",
        out(&legacy)
    );
    // Both in one run: each file gets its own configuration.
    let both = kubevet(&dir, &["check", "--format", "concise", "."]);
    let text = out(&both);
    assert!(
        text.contains("apps/web.yaml:9:22: error[unsupported-value]"),
        "{text}"
    );
    assert!(
        text.contains("legacy/old.yaml:9:22: warning[unsupported-value]"),
        "{text}"
    );
    // vendor/ is excluded by the root configuration: its broken file is not read.
    assert!(!text.contains("vendor"), "{text}");
}

#[test]
fn flags_override_the_file() {
    let dir = repo("flags");
    let o = kubevet(&dir, &["check", "--fail-on", "warning", "legacy"]);
    assert_eq!(o.status.code(), Some(1), "--fail-on over the file");
    let o = kubevet(
        &dir,
        &["check", "--no-config", "--format", "concise", "legacy"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "--no-config: the default severity"
    );
    let o = kubevet(
        &dir,
        &[
            "check",
            "--config",
            ".kubevet.yaml",
            "--format",
            "concise",
            "legacy",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "--config: that file everywhere");
    assert!(!out(&o).contains("resources-unset"), "{}", out(&o));
    // --exclude replaces the file's exclude: vendor/ is read again.
    let o = kubevet(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--exclude",
            "legacy/**",
            ".",
        ],
    );
    let text = out(&o);
    assert!(text.contains("vendor/broken.yaml"), "{text}");
    assert!(!text.contains("legacy/"), "{text}");
    // --extend-exclude adds to it.
    let o = kubevet(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--extend-exclude",
            "apps",
            ".",
        ],
    );
    let text = out(&o);
    assert!(
        !text.contains("apps/") && !text.contains("vendor/"),
        "{text}"
    );
    assert!(text.contains("legacy/old.yaml"), "{text}");
    // A file named explicitly is checked even when excluded.
    let o = kubevet(
        &dir,
        &["check", "--format", "concise", "vendor/broken.yaml"],
    );
    assert!(out(&o).contains("yaml-syntax"), "{}", out(&o));
    // --select replaces the file's rule selection.
    let o = kubevet(
        &dir,
        &[
            "check",
            "--format",
            "concise",
            "--select",
            "resources",
            "apps",
        ],
    );
    assert!(out(&o).contains("info[resources-unset]"), "{}", out(&o));
    assert!(!out(&o).contains("unsupported-value"), "{}", out(&o));
}

#[test]
fn mistakes_are_diagnostics_with_spans_and_suggestions() {
    let dir = repo("mistakes");
    std::fs::write(
        dir.join("apps/.kubevet.yaml"),
        "fail_on: warning\nseverity:\n  unsupported-valu: off\n  image-latest-tag: loud\n",
    )
    .expect("write");
    let o = kubevet(&dir, &["check", "apps"]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(e.contains("unknown setting `fail_on`"), "{e}");
    assert!(e.contains("did you mean `fail-on`?"), "{e}");
    assert!(e.contains("apps/.kubevet.yaml:1:1"), "{e}");
    assert!(
        e.contains("unknown rule `unsupported-valu`; did you mean `unsupported-value`?"),
        "{e}"
    );
    assert!(e.contains("apps/.kubevet.yaml:4:21"), "{e}");
    assert!(e.contains("expected error, warning, info or off"), "{e}");
    // A YAML syntax error in the configuration is reported the same way.
    std::fs::write(dir.join("apps/.kubevet.yaml"), "select: [\n").expect("write");
    let o = kubevet(&dir, &["check", "apps"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("yaml-syntax"), "{}", err(&o));
}

#[test]
fn config_show_and_schema() {
    let dir = repo("show");
    let o = kubevet(&dir, &["config", "show", "legacy/old.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["config-file"]
        .as_str()
        .expect("file")
        .ends_with("legacy/.kubevet.yaml"));
    assert_eq!(v["severity"]["unsupported-value"], "warning");
    assert_eq!(v["fail-on"], "error");
    let v: serde_json::Value =
        serde_json::from_slice(&kubevet(&dir, &["config", "show", "vendor/broken.yaml"]).stdout)
            .expect("json");
    assert_eq!(v["excluded"], true);
    assert_eq!(v["ignore"][0], "resources-unset");
    let o = kubevet(&dir, &["config", "schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema JSON");
    let keys: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = kubevet::config::file::KEYS.to_vec();
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(
        keys, expected,
        "the schema and the loader know the same keys"
    );
}

/// Every ```yaml block after a `<!-- config-example -->` marker in the README.
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let marker = "<!-- config-example -->\n```yaml\n";
    let mut out = Vec::new();
    let mut rest = readme.as_str();
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let end = rest.find("```").expect("closing fence");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn readme_examples_match_the_schema_and_load() {
    let schema: serde_json::Value =
        serde_json::from_str(kubevet::config::SCHEMA).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let examples = readme_examples();
    assert!(
        examples.len() >= 2,
        "README config examples: {}",
        examples.len()
    );
    for text in &examples {
        let file = kubevet::source::SourceFile::new(0, "example.yaml".into(), text.clone());
        let parsed = kubevet::yaml::parse_file(&file, &kubevet::yaml::Limits::default());
        let json = parsed.documents[0].root.to_json();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{text}\n{errors:#?}");
        if let Err(e) = kubevet::config::file::parse(file, Path::new(".")) {
            panic!("{text}\n{}", e.render());
        }
    }
    // Not vacuous: a misspelt key fails the schema.
    assert!(!validator.is_valid(&serde_json::json!({"fail_on": "error"})));
}

#[test]
fn suppressions_of_rules_a_configuration_switches_off_are_not_unused() {
    let dir = repo("suppress");
    // The root configuration ignores resources-unset: a suppression of it is not stale.
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: web # kubevet-ignore: resources-unset, image-latest-tag\n    image: nginx:1.27\n";
    std::fs::write(dir.join("apps/ok.yaml"), text).expect("write");
    let o = kubevet(&dir, &["check", "--format", "concise", "apps/ok.yaml"]);
    let t = out(&o);
    assert!(!t.contains("`resources-unset`"), "{t}");
    // image-latest-tag runs there and finds nothing: that one is unused.
    assert!(t.contains("suppresses `image-latest-tag`"), "{t}");
}

#[test]
fn per_object_ignores_select_objects_by_namespace_kind_and_name() {
    let dir = std::env::temp_dir().join(format!("kubevet-config-{}-objects", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    let deployment = |name: &str, ns: Option<&str>| {
        let ns = ns
            .map(|n| format!("\n  namespace: {n}"))
            .unwrap_or_default();
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}{ns}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: c\n        image: nginx:latest\n")
    };
    let text = [
        deployment("prometheus-server", Some("monitoring")),
        deployment("grafana", Some("monitoring")),
        deployment("web", None),
    ]
    .join("---\n");
    std::fs::write(dir.join("app.yaml"), text).expect("write");
    let concise = |d: &Path| {
        let o = kubevet(
            d,
            &[
                "check",
                "--select",
                "image-latest-tag",
                "--format",
                "concise",
                ".",
            ],
        );
        out(&o)
    };
    // Without configuration, each of the three is reported.
    assert_eq!(
        concise(&dir).matches("image-latest-tag").count(),
        3,
        "{}",
        concise(&dir)
    );
    std::fs::write(
        dir.join(".kubevet.yaml"),
        "per-object-ignores:\n  - rules: [image-latest-tag]\n    namespaces: [monitoring]\n    names: [\"prometheus-*\"]\n  - rules: [images]\n    kinds: [Deployment]\n    namespaces: [default]\n",
    )
    .expect("write");
    // The first entry takes `prometheus-server` (both selectors match) but not `grafana`;
    // the second takes `web`, in the default namespace, by category.
    let o = concise(&dir);
    assert_eq!(o.matches("image-latest-tag").count(), 1, "{o}");
    // grafana's image, in the second document.
    assert!(o.contains("app.yaml:31:16"), "{o}");
    // `--namespace` is the default namespace the selector compares with.
    let o = kubevet(
        &dir,
        &[
            "check",
            "--select",
            "image-latest-tag",
            "--format",
            "concise",
            "--namespace",
            "apps",
            ".",
        ],
    );
    assert_eq!(
        out(&o).matches("image-latest-tag").count(),
        2,
        "{}",
        out(&o)
    );
    // A mistake in an entry is a configuration error with its span and a suggestion.
    std::fs::write(
        dir.join(".kubevet.yaml"),
        "per-object-ignores:\n  - rules: [image-latest-tag]\n    nmes: [web]\n",
    )
    .expect("write");
    let o = kubevet(&dir, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("unknown key `nmes`") && e.contains("did you mean `names`?"),
        "{e}"
    );
    assert!(e.contains(".kubevet.yaml:3:5"), "{e}");
    assert!(e.contains("selects no objects"), "{e}");
}
