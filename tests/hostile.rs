//! Hostile input ends fast, with a diagnostic: huge, deep, self-referencing or never-ending
//! inputs. Sizes are chosen so that the whole file runs in a few seconds in a debug build;
//! the full-size cases (1,000,000 keys/items, 100,000 files) are measured in release by
//! `benches/scaling.py`. Each case also has a wall-clock bound far above its expected time
//! (debug, a loaded 2-core machine), which only a regression to quadratic work would hit.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubevet::{check, check_text, Options, Report};

fn rules(report: &Report) -> Vec<&str> {
    report.diagnostics.iter().map(|d| d.rule).collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubevet-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `f`, failing if it takes longer than `limit`.
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    assert!(took < limit, "{what} took {took:?} (limit {limit:?})");
    out
}

fn check_str(text: &str) -> Report {
    check_text("hostile.yaml", text, &Options::default())
}

#[test]
fn a_million_empty_documents_hit_the_document_limit() {
    let text = "---\n".repeat(1_000_000);
    let r = within(Duration::from_secs(30), "1,000,000 empty documents", || {
        check_str(&text)
    });
    let limit = r
        .diagnostics
        .iter()
        .find(|d| d.rule == "yaml-limits")
        .expect("a yaml-limits diagnostic");
    assert!(limit.message.contains("documents"), "{}", limit.message);
}

#[test]
fn a_map_with_many_keys_is_linear() {
    // A ConfigMap with 100,000 keys (1,000,000 in the benchmark), one of them duplicated
    // at the end: the duplicate must still be found, with both spans.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    for i in 0..100_000 {
        text.push_str(&format!("  k{i}: v\n"));
    }
    text.push_str("  k7: again\n");
    let r = within(Duration::from_secs(30), "100,000 keys", || check_str(&text));
    let dup: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "duplicate-key")
        .collect();
    assert_eq!(dup.len(), 1, "{:?}", rules(&r));
    assert!(dup[0].message.contains("`k7`"), "{}", dup[0].message);
}

#[test]
fn a_map_with_many_wrong_values_is_linear() {
    // Every value of `data` is a number where Kubernetes wants a string: one finding each,
    // and resolving each finding's path must not scan the whole map.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  k{i}: {i}\n"));
    }
    let r = within(Duration::from_secs(30), "20,000 wrong values", || {
        check_str(&text)
    });
    let n = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-type")
        .count();
    assert_eq!(n, 20_000);
}

#[test]
fn a_list_with_many_items_is_linear() {
    // A container with 100,000 env entries (1,000,000 in the benchmark), the last one a
    // duplicate name.
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n    - name: main\n      image: nginx:1.27\n      env:\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("        - name: V{i}\n          value: x\n"));
    }
    text.push_str("        - name: V3\n          value: y\n");
    let r = within(Duration::from_secs(30), "100,000 items", || {
        check_str(&text)
    });
    let dup: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "duplicate-env-var")
        .collect();
    assert_eq!(dup.len(), 1, "{:?}", rules(&r));
}

#[test]
fn many_ports_mounts_and_volumes_in_one_pod_are_linear() {
    let n = 5_000;
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide\nspec:\n  containers:\n    - name: main\n      image: nginx:1.27\n      ports:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "        - containerPort: {}\n          name: p{i}\n",
            1000 + i
        ));
    }
    text.push_str("      volumeMounts:\n");
    for i in 0..n {
        // Every mount names a volume that does not exist.
        text.push_str(&format!(
            "        - name: missing{i}\n          mountPath: /m/{i}\n"
        ));
    }
    text.push_str("  volumes:\n");
    for i in 0..n {
        text.push_str(&format!("    - name: vol{i}\n      emptyDir: {{}}\n"));
    }
    let r = within(Duration::from_secs(30), "a wide pod", || check_str(&text));
    let undeclared = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "volume-mount-undeclared")
        .count();
    assert_eq!(undeclared, n);
}

#[test]
fn many_volume_items_are_compared_in_linear_time() {
    // Each item path is checked against the ones before it (pod-spec-warning's clashes):
    // 100,000 items, every tenth one a file where another needs a directory.
    let n = 100_000;
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: items\nspec:\n  containers:\n    - name: main\n      image: nginx:1.27\n      volumeMounts:\n        - {name: cfg, mountPath: /etc/cfg}\n  volumes:\n    - name: cfg\n      configMap:\n        name: cfg\n        items:\n",
    );
    for i in 0..n {
        let path = if i % 10 == 9 {
            format!("d{}", i - 1)
        } else {
            format!("d{i}/f")
        };
        text.push_str(&format!("          - {{key: k{i}, path: {path}}}\n"));
    }
    let r = within(Duration::from_secs(30), "100,000 volume items", || {
        check_str(&text)
    });
    let clashes = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "pod-spec-warning")
        .count();
    assert_eq!(clashes, n / 10);
}

#[test]
fn a_huge_file_is_refused_by_its_size() {
    // A sparse 1 GB file: the size check refuses it before reading a byte.
    let dir = temp_dir("huge");
    let path = dir.join("huge.yaml");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(1 << 30).expect("sparse file");
    drop(f);
    let opts = Options {
        paths: vec![path],
        ..Options::default()
    };
    let r = within(Duration::from_secs(5), "a 1 GB file", || {
        check(&opts).expect("check")
    });
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule == "unreadable-file")
        .expect("unreadable-file");
    assert!(d.message.contains("byte limit"), "{}", d.message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deep_nesting_hits_the_depth_limit() {
    let depth = 100_000;
    let block = format!("{}x\n", "- ".repeat(depth));
    let flow_seq = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
    let flow_map = format!("{}x{}\n", "{a: ".repeat(depth), "}".repeat(depth));
    let block_map = {
        // Block mappings cannot nest on one line: 2,000 levels of `a:` indented by one.
        let mut s = String::new();
        for i in 0..2_000 {
            s.push_str(&" ".repeat(i));
            s.push_str("a:\n");
        }
        s
    };
    for (what, text) in [
        ("block sequences", &block),
        ("flow sequences", &flow_seq),
        ("flow mappings", &flow_map),
        ("block mappings", &block_map),
    ] {
        let r = within(Duration::from_secs(20), what, || check_str(text));
        assert!(
            rules(&r).contains(&"yaml-limits"),
            "{what}: {:?}",
            rules(&r)
        );
    }
}

#[test]
fn alias_bombs_hit_the_alias_budget() {
    // The "billion laughs": each level repeats the previous one ten times.
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let r = within(Duration::from_secs(10), "billion laughs", || {
        check_str(&text)
    });
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule == "yaml-limits")
        .expect("yaml-limits");
    assert!(d.message.contains("aliases"), "{}", d.message);

    // Nested anchors: every level anchors the whole level below it.
    let mut nested = String::new();
    for i in 0..150 {
        nested.push_str(&" ".repeat(i * 2));
        nested.push_str(&format!("k{i}: &n{i}\n"));
    }
    nested.push_str(&" ".repeat(300));
    nested.push_str("leaf: [");
    nested.push_str(&vec!["x"; 20_000].join(", "));
    nested.push_str("]\n");
    let r = within(Duration::from_secs(20), "nested anchors", || {
        check_str(&nested)
    });
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule == "yaml-limits")
        .expect("yaml-limits for nested anchors");
    assert!(d.message.contains("anchors hold"), "{}", d.message);
}

#[test]
fn a_symlink_loop_in_a_walked_directory_ends() {
    let dir = temp_dir("symlinks");
    std::fs::write(
        dir.join("ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
    )
    .expect("write");
    std::fs::create_dir_all(dir.join("sub")).expect("sub");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).expect("symlink");
        std::os::unix::fs::symlink("self.yaml", dir.join("self.yaml")).expect("symlink");
    }
    let opts = Options {
        paths: vec![dir.clone()],
        ..Options::default()
    };
    let r = within(Duration::from_secs(10), "a symlink loop", || {
        check(&opts).expect("check")
    });
    assert_eq!(r.files.len(), 1, "only ok.yaml: links are not followed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_fifo_on_the_command_line_does_not_hang() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("pipe.yaml");
    let status = Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo not available; skipped");
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubevet"))
        .args(["check", "--format", "concise"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubevet");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kubevet hangs on a FIFO with no writer");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("named pipe"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_of_many_small_files() {
    // 2,000 files here (100,000 in the benchmark's `files` shape).
    let dir = temp_dir("many");
    for i in 0..2_000 {
        std::fs::write(
            dir.join(format!("cm{i:05}.yaml")),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  a: b\n"),
        )
        .expect("write");
    }
    let opts = Options {
        paths: vec![dir.clone()],
        ..Options::default()
    };
    let r = within(Duration::from_secs(30), "2,000 files", || {
        check(&opts).expect("check")
    });
    assert_eq!(r.files.len(), 2_000);
    assert_eq!(r.objects, 2_000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A non-ASCII line with many findings: columns are counted once per line, not per finding.
#[test]
fn a_long_non_ascii_line() {
    let mut text = String::from("{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"é\"}, \"data\": {");
    for i in 0..20_000 {
        text.push_str(&format!("\"ключ{i}\": {i}, "));
    }
    text.push_str("\"z\": \"z\"}}\n");
    let r = within(Duration::from_secs(30), "a long non-ASCII line", || {
        check_str(&text)
    });
    assert!(rules(&r).iter().filter(|r| **r == "invalid-type").count() >= 20_000);
    // Every format renders it in bounded time; the human one shows each finding's
    // neighbourhood of the line, not the line (which was quadratic: every finding read all
    // 500 KB of it).
    let render = |format| {
        let mut out = Vec::new();
        within(
            Duration::from_secs(30),
            &format!("rendering it as {format:?}"),
            || kubevet::diagnostics::render::render(&r, format, false, &mut out).expect("render"),
        );
        out
    };
    render(kubevet::diagnostics::render::Format::Json);
    let human = render(kubevet::diagnostics::render::Format::Human);
    let longest = human.split(|b| *b == b'\n').map(<[u8]>::len).max();
    assert!(
        longest.is_some_and(|l| l < 600),
        "a line of {longest:?} bytes"
    );
}

#[test]
fn deep_schemas_and_resources_are_checked_within_the_stack() {
    // A CRD nesting `properties` to the YAML depth limit, which the built-in
    // CustomResourceDefinition schema checks through its recursive JSONSchemaProps, and
    // resources of it nested as deep: valid (the quick check) and invalid at the bottom
    // (the cut-down schema and the compiled validator), in a debug build. A long
    // description makes the schema outweigh its resources, so that they are checked
    // against cuts of it too (`crd_cut.rs`).
    let levels = 90;
    let mut schema = String::from("{type: string}");
    for _ in 0..levels {
        schema = format!("{{type: object, properties: {{a: {schema}}}}}");
    }
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
         name: deeps.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names:\n    \
         plural: deeps\n    kind: Deep\n  versions:\n  - name: v1\n    served: true\n    \
         storage: true\n    schema:\n      openAPIV3Schema: {{type: object, properties: \
         {{spec: {schema}, pad: {{type: string, description: {pad}}}}}}}\n",
        pad = "x".repeat(8 * 1024)
    );
    let resource = |leaf: &str| {
        format!(
            "apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: d\nspec: {}{leaf}{}\n",
            "{a: ".repeat(levels),
            "}".repeat(levels)
        )
    };
    let text = format!("{crd}---\n{}---\n{}", resource("x"), resource("1"));
    let r = within(Duration::from_secs(30), "deep schemas", || check_str(&text));
    let types: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule == "invalid-type")
        .collect();
    assert_eq!(types.len(), 1, "{:?}", rules(&r));
    assert!(!rules(&r).contains(&"yaml-limits"), "{:?}", rules(&r));
}
