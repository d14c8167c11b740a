use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

use super::*;

/// A client talking to a server running on its own thread.
struct Client {
    conn: Connection,
    server: Option<std::thread::JoinHandle<Result<(), String>>>,
    next_id: i32,
}

impl Client {
    fn start(capabilities: Value) -> (Client, Value) {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || serve(&server));
        let mut c = Client {
            conn,
            server: Some(handle),
            next_id: 0,
        };
        let init = c.request("initialize", json!({"capabilities": capabilities}));
        c.notify("initialized", json!({}));
        (c, init)
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.into(), params);
        self.conn.sender.send(n.into()).expect("send");
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let r = Request::new(id.clone(), method.into(), params);
        self.conn.sender.send(r.into()).expect("send");
        loop {
            match self.recv() {
                Message::Response(resp) if resp.id == id => {
                    return resp.response_result.unwrap_or(Value::Null);
                }
                _ => continue,
            }
        }
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers")
    }

    /// The next `publishDiagnostics` notification's parameters.
    fn published(&self) -> Value {
        loop {
            if let Message::Notification(n) = self.recv() {
                if n.method == "textDocument/publishDiagnostics" {
                    return n.params;
                }
            }
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let handle = self.server.take().expect("running");
        assert_eq!(handle.join().expect("server thread"), Ok(()));
    }
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    imagePullPolicy: always\n";

fn temp_uri(name: &str, text: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("kubevet-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("pod é.yaml");
    std::fs::write(&path, text).expect("write");
    let uri = format!("file://{}", path.display()).replace(' ', "%20");
    (dir, uri)
}

#[test]
fn findings_are_published_with_ranges_and_fixes_offered() {
    let (dir, uri) = temp_uri("publish", POD);
    let (mut c, init) = Client::start(json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    c.open(&uri, POD);
    let p = c.published();
    assert_eq!(p["uri"], uri.as_str());
    assert_eq!(p["version"], 1);
    let diags = p["diagnostics"].as_array().expect("list");
    let bad = diags
        .iter()
        .find(|d| d["code"] == "unsupported-value")
        .unwrap_or_else(|| panic!("{p:#}"));
    // `always` on line 9 (0-based 8), after `    imagePullPolicy: `.
    assert_eq!(
        bad["range"],
        json!({"start": {"line": 8, "character": 21}, "end": {"line": 8, "character": 27}})
    );
    assert_eq!(bad["severity"], 1);
    assert_eq!(bad["source"], "kubevet");

    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": bad["range"], "context": {"diagnostics": [bad]}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true, "{actions:#}");
    let edit = &fix["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(edit["newText"], "Always");

    // A change is checked again; closing clears the buffer's findings.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": POD.replace("always", "Always")}]}),
    );
    let p = c.published();
    assert_eq!(p["version"], 2);
    assert!(!p["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .any(|d| d["code"] == "unsupported-value"));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(c.published()["diagnostics"], json!([]));
    c.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_buffer_without_kubernetes_objects_gets_nothing() {
    let (mut c, _) = Client::start(json!({}));
    c.open(
        "file:///nowhere/.github/workflows/ci.yaml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    );
    assert_eq!(c.published()["diagnostics"], json!([]));
    let none = c.request("textDocument/hover", json!({}));
    assert_eq!(none, Value::Null);
    c.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    // Non-ASCII before the finding on its line: UTF-8 counts its bytes, UTF-16 its units.
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - {name: web, image: \"nginx:1.27\", env: [{name: X, value: \"é😀\"}], imagePullPolicy: always}\n";
    let line = text.lines().nth(6).unwrap_or_default();
    let bytes = line.find("always").unwrap_or_default();
    let units = line[..bytes].encode_utf16().count();
    assert_ne!(bytes, units);
    for (offered, want, character) in [
        (json!(["utf-8", "utf-16"]), "utf-8", bytes),
        (json!(["utf-16"]), "utf-16", units),
    ] {
        let (c, init) = Client::start(json!({"general": {"positionEncodings": offered}}));
        assert_eq!(init["capabilities"]["positionEncoding"], want);
        c.open("untitled:Untitled-1", text);
        let p = c.published();
        let bad = p["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["code"] == "unsupported-value")
            .cloned()
            .unwrap_or_else(|| panic!("{p:#}"));
        assert_eq!(
            bad["range"]["start"],
            json!({"line": 6, "character": character}),
            "{want}"
        );
        c.shutdown();
    }
}

#[test]
fn file_uris_are_percent_decoded() {
    assert_eq!(path_of("file:///a/b%20c/%C3%A9.yaml"), "/a/b c/é.yaml");
    assert_eq!(path_of("untitled:Untitled-1"), "untitled:Untitled-1");
    assert_eq!(path_of("file:///a/%zz"), "/a/%zz");
}

#[test]
fn of_queued_changes_only_the_newest_is_checked() {
    let change = |uri: &str, v: i64| {
        Message::Notification(Notification::new(
            "textDocument/didChange".into(),
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": ""}]}),
        ))
    };
    let open = Message::Notification(Notification::new("textDocument/didOpen".into(), json!({})));
    let batch = [
        change("a", 1),
        change("b", 1),
        open,
        change("a", 2),
        change("a", 3),
    ];
    let mut got: Vec<usize> = superseded_changes(&batch).into_iter().collect();
    got.sort_unstable();
    assert_eq!(got, [0, 3]);
}

#[test]
fn malformed_messages_are_answered_not_fatal() {
    let (mut c, _) = Client::start(json!({}));
    // No uri, no text; a change with no content; a quick fix for a buffer never opened;
    // binary-looking text.
    c.notify("textDocument/didOpen", json!({}));
    assert_eq!(c.published()["diagnostics"], json!([]));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///x.yaml"}}),
    );
    let none = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///never.yaml"}, "range": {}}),
    );
    assert_eq!(none, json!([]));
    c.open("file:///tmp/kubevet-lsp-odd.yaml", "\u{0}\u{1}: [\n{{{{\n");
    let p = c.published();
    assert!(p["diagnostics"].is_array(), "{p:#}");
    c.shutdown();
}

#[test]
fn fix_all_applies_every_safe_fix_and_only_what_is_asked_for() {
    // Two safe fixes (enum case) and an unsafe one (a relative mount path).
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  restartPolicy: always\n  containers:\n  - name: web\n    image: nginx:1.27\n    imagePullPolicy: always\n    volumeMounts:\n    - name: data\n      mountPath: data\n  volumes:\n  - name: data\n    emptyDir: {}\n";
    let (mut c, _) = Client::start(json!({}));
    c.open("untitled:fix-all", text);
    let p = c.published();
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let all = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "untitled:fix-all"}, "range": range, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = all.as_array().expect("list");
    assert_eq!(actions.len(), 1, "{all:#}\n{p:#}");
    assert_eq!(actions[0]["kind"], "source.fixAll.kubevet");
    let edits = actions[0]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .expect("edits");
    let texts: Vec<&str> = edits.iter().filter_map(|e| e["newText"].as_str()).collect();
    assert_eq!(texts, ["Always", "Always"], "{all:#}");
    // The unsafe fix (an absolute mount path) is offered on its own, not in the fix-all.
    assert!(
        p["diagnostics"].as_array().expect("list").len() >= 3,
        "{p:#}"
    );
    // Asking for quick fixes only: no fix-all.
    let quick = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "untitled:fix-all"}, "range": range, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert!(quick
        .as_array()
        .expect("list")
        .iter()
        .all(|a| a["kind"] == "quickfix"));
    c.shutdown();
}

#[test]
fn shutdown_and_exit_sent_together_end_the_server() {
    let (c, _) = Client::start(json!({}));
    let id = RequestId::from(99);
    let shutdown = Request::new(id.clone(), "shutdown".into(), Value::Null);
    c.conn.sender.send(shutdown.into()).expect("send");
    c.notify("exit", Value::Null);
    match c.recv() {
        Message::Response(r) => assert_eq!(r.id, id),
        m => panic!("{m:?}"),
    }
    let mut c = c;
    let handle = c.server.take().expect("running");
    assert_eq!(handle.join().expect("server thread"), Ok(()));
}

#[test]
fn a_buffer_over_the_size_limit_is_reported_not_checked() {
    let opts = Options {
        paths: vec![PathBuf::from("-")],
        stdin_filename: Some("big.yaml".into()),
        stdin_text: Some(Arc::from("apiVersion: v1\nkind: ConfigMap\n")),
        max_file_size: 10,
        ..Options::default()
    };
    let report = check(&opts).expect("checked");
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, ["unreadable-file"]);
    assert!(report.diagnostics[0].message.contains("byte limit"));
}
