//! `kubevet server`: the checks as a language server (LSP over standard input and output),
//! for editors. Each open buffer is checked as `kubevet check - --stdin-filename PATH
//! --skip-non-manifests` would check it: in its file's place in the repository (a Helm
//! template gets its chart's note, a kustomize patch is partial), under the nearest
//! `.kubevet.yaml`, and a buffer with no Kubernetes object gets nothing. Findings are
//! published on open and on every change; their fixes are offered as quick fixes.

mod position;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, Response};
use serde_json::{json, Value};

use crate::config::{CliFilters, Config, Resolver};
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::{check, Options};
pub use position::Encoding;
use position::{from_lsp, to_lsp};

/// Serves on standard input and output until the client says `exit`.
pub fn stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io.join().map_err(|e| format!("language server I/O: {e}"))
}

/// Serves one client on `connection` until it shuts the server down.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let err = |e: lsp_server::ProtocolError| format!("language server protocol: {e}");
    let (id, params) = connection.initialize_start().map_err(err)?;
    let encoding = negotiate(&params);
    let result = json!({
        "capabilities": {
            "positionEncoding": encoding.name(),
            "textDocumentSync": {"openClose": true, "change": 1},
            "codeActionProvider": {"codeActionKinds": [QUICK_FIX, FIX_ALL]},
        },
        "serverInfo": {"name": "kubevet", "version": env!("CARGO_PKG_VERSION")},
    });
    connection.initialize_finish(id, result).map_err(err)?;
    let mut server = Server {
        encoding,
        docs: HashMap::new(),
    };
    while let Ok(first) = connection.receiver.recv() {
        // What arrived while the last check ran: of a buffer's changes only the newest is
        // checked, so a fast typist does not queue a check per keystroke.
        let batch: Vec<Message> = std::iter::once(first)
            .chain(connection.receiver.try_iter())
            .collect();
        let superseded = superseded_changes(&batch);
        for (i, msg) in batch.into_iter().enumerate() {
            let out = match msg {
                // Shutdown and exit are handled here rather than by `lsp-server`'s
                // `handle_shutdown`, which waits for `exit` on the channel: a client that
                // sends both at once has its `exit` in this batch already.
                Message::Request(req) if req.method == "shutdown" => {
                    vec![Message::Response(Response::new_ok(req.id, Value::Null))]
                }
                Message::Notification(n) if n.method == "exit" => return Ok(()),
                Message::Request(req) => vec![Message::Response(server.request(req))],
                Message::Notification(_) if superseded.contains(&i) => Vec::new(),
                Message::Notification(n) => server.notification(n),
                Message::Response(_) => Vec::new(),
            };
            for m in out {
                connection
                    .sender
                    .send(m)
                    .map_err(|e| format!("language server: the client went away ({e})"))?;
            }
        }
    }
    Ok(())
}

/// The positions of `didChange` notifications that a later one for the same buffer in the
/// batch replaces (full synchronisation: each carries the whole text). The buffer keeps its
/// older version meanwhile, so a quick fix asked for in between names that version, and the
/// client refuses it rather than applying it to newer text.
fn superseded_changes(batch: &[Message]) -> std::collections::HashSet<usize> {
    let mut last: HashMap<&str, usize> = HashMap::new();
    let mut out = std::collections::HashSet::new();
    for (i, m) in batch.iter().enumerate() {
        let Message::Notification(n) = m else {
            continue;
        };
        if n.method != "textDocument/didChange" {
            continue;
        }
        let uri = n
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(prev) = last.insert(uri, i) {
            out.insert(prev);
        }
    }
    out
}

/// UTF-8 where the client offers it (no conversion), else LSP's default UTF-16.
fn negotiate(params: &Value) -> Encoding {
    let offered = params
        .pointer("/capabilities/general/positionEncodings")
        .and_then(Value::as_array);
    match offered {
        Some(list) if list.iter().any(|e| e == "utf-8") => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// An open buffer and what its last check found.
struct Doc {
    version: i64,
    file: SourceFile,
    findings: Vec<Diagnostic>,
}

struct Server {
    encoding: Encoding,
    docs: HashMap<String, Doc>,
}

impl Server {
    fn notification(&mut self, n: Notification) -> Vec<Message> {
        let p = &n.params;
        let uri = p
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let version = p
            .pointer("/textDocument/version")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let text = p.pointer("/textDocument/text").and_then(Value::as_str);
                self.update(uri, version, text.unwrap_or_default().to_string())
            }
            // Full synchronisation: the last change holds the whole text.
            "textDocument/didChange" => {
                let text = p
                    .get("contentChanges")
                    .and_then(Value::as_array)
                    .and_then(|c| c.last())
                    .and_then(|c| c.get("text"))
                    .and_then(Value::as_str);
                match text {
                    Some(t) => self.update(uri, version, t.to_string()),
                    None => Vec::new(),
                }
            }
            "textDocument/didClose" => {
                self.docs.remove(&uri);
                vec![publish(&uri, None, Vec::new())]
            }
            _ => Vec::new(),
        }
    }

    fn request(&mut self, req: Request) -> Response {
        match req.method.as_str() {
            "textDocument/codeAction" => Response::new_ok(req.id, self.code_actions(&req.params)),
            _ => Response::new_err(
                req.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("kubevet does not handle {}", req.method),
            ),
        }
    }

    /// Checks the buffer and publishes what it finds, or says why it could not.
    fn update(&mut self, uri: String, version: i64, text: String) -> Vec<Message> {
        let path = path_of(&uri);
        let (findings, problem) = match check_buffer(&path, &text) {
            Ok(found) => (found, None),
            Err(why) => (Vec::new(), Some(why)),
        };
        let file = SourceFile::new(0, path, text);
        let lsp: Vec<Value> = findings
            .iter()
            .map(|d| lsp_diagnostic(&uri, &file, d, self.encoding))
            .collect();
        let mut out = vec![publish(&uri, Some(version), lsp)];
        if let Some(why) = problem {
            // MessageType 1: Error. A broken configuration is the user's to fix.
            out.push(Message::Notification(Notification::new(
                "window/showMessage".into(),
                json!({"type": 1, "message": why}),
            )));
        }
        self.docs.insert(
            uri,
            Doc {
                version,
                file,
                findings,
            },
        );
        out
    }

    /// Quick fixes for the findings in the requested range, and one action applying every
    /// safe fix of the buffer (`source.fixAll.kubevet`, what editors run on save), filtered
    /// by the kinds the client asks for (`context.only`).
    fn code_actions(&self, params: &Value) -> Value {
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(doc) = self.docs.get(uri) else {
            return json!([]);
        };
        let only: Option<Vec<&str>> = params
            .pointer("/context/only")
            .and_then(Value::as_array)
            .map(|kinds| kinds.iter().filter_map(Value::as_str).collect());
        // LSP kinds are hierarchical: asking for `source.fixAll` gets `source.fixAll.kubevet`.
        let wanted = |kind: &str| {
            only.as_ref().is_none_or(|o| {
                o.iter().any(|w| {
                    kind == *w || kind.strip_prefix(*w).is_some_and(|r| r.starts_with('.'))
                })
            })
        };
        let at = |name: &str| {
            let pos = |k: &str| {
                params
                    .pointer(&format!("/range/{name}/{k}"))
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0)
            };
            from_lsp(&doc.file, pos("line"), pos("character"), self.encoding)
        };
        let (start, end) = (at("start"), at("end"));
        let mut actions: Vec<Value> = Vec::new();
        if wanted(QUICK_FIX) {
            for d in doc
                .findings
                .iter()
                .filter(|d| d.span.start as usize <= end && start <= d.span.end as usize)
            {
                let Some(fix) = &d.fix else { continue };
                let safe = crate::fix::is_safe(d, &doc.file.text);
                let title = if safe {
                    format!("kubevet: {}", fix.description)
                } else {
                    format!(
                        "kubevet: {} (unsafe: may change what the manifest means)",
                        fix.description
                    )
                };
                let mut action = self.action(uri, doc, &title, QUICK_FIX, fix.edits.iter());
                action["isPreferred"] = json!(safe);
                action["diagnostics"] = json!([lsp_diagnostic(uri, &doc.file, d, self.encoding)]);
                actions.push(action);
            }
        }
        if wanted(FIX_ALL) {
            // One round of `--fix`: safe fixes, whole, none touching another (the next check
            // offers the rest).
            let (edits, n) = crate::fix::round_edits(doc.findings.iter(), &doc.file.text, false);
            if n > 0 {
                let title = format!(
                    "kubevet: apply {n} safe fix{}",
                    if n == 1 { "" } else { "es" }
                );
                actions.push(self.action(uri, doc, &title, FIX_ALL, edits.into_iter()));
            }
        }
        Value::Array(actions)
    }

    /// A code action editing the buffer at the version its findings came from, so that a
    /// client whose buffer has moved on refuses it.
    fn action<'e>(
        &self,
        uri: &str,
        doc: &Doc,
        title: &str,
        kind: &str,
        edits: impl Iterator<Item = &'e crate::diagnostics::Edit>,
    ) -> Value {
        let edits: Vec<Value> = edits
            .map(|e| {
                json!({
                    "range": range(&doc.file, e.span.start as usize, e.span.end as usize, self.encoding),
                    "newText": e.new_text,
                })
            })
            .collect();
        json!({
            "title": title,
            "kind": kind,
            "edit": {"documentChanges": [{
                "textDocument": {"uri": uri, "version": doc.version},
                "edits": edits,
            }]},
        })
    }
}

const QUICK_FIX: &str = "quickfix";
const FIX_ALL: &str = "source.fixAll.kubevet";

/// The buffer's findings, as `kubevet check - --stdin-filename PATH --skip-non-manifests`
/// reports them, or why it could not be checked (a broken configuration file).
fn check_buffer(path: &str, text: &str) -> Result<Vec<Diagnostic>, String> {
    let resolver = Resolver::new(None, false, CliFilters::default()).map_err(|e| e.render())?;
    let settings = resolver
        .for_path(std::path::Path::new(path))
        .map_err(|e| e.render())?
        .map(|c| c.settings.clone())
        .unwrap_or_default();
    let config = Config::from_settings(&settings)?;
    let opts = Options {
        paths: vec![PathBuf::from(crate::source::STDIN)],
        crd_paths: settings.crds.clone(),
        config,
        skip_non_manifests: true,
        stdin_filename: Some(path.to_string()),
        stdin_text: Some(Arc::from(text)),
        configs: Some(Arc::new(resolver)),
        ..Options::default()
    };
    let report = check(&opts).map_err(|e| e.to_string())?;
    // `helm template` output opened as a buffer is split into its templates by their
    // `# Source:` lines; findings are published only where their offsets are the buffer's:
    // in the part that starts it, under its own name (or the empty text of a buffer over
    // the size limit).
    let whole: Vec<bool> = report
        .files
        .iter()
        .map(|f| f.path == path && text.starts_with(f.text.as_str()))
        .collect();
    Ok(report
        .diagnostics
        .into_iter()
        .filter(|d| whole.get(d.file).copied().unwrap_or(false))
        .collect())
}

fn publish(uri: &str, version: Option<i64>, diagnostics: Vec<Value>) -> Message {
    let mut params = json!({"uri": uri, "diagnostics": diagnostics});
    if let Some(v) = version {
        params["version"] = json!(v);
    }
    Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    ))
}

fn range(file: &SourceFile, start: usize, end: usize, enc: Encoding) -> Value {
    let (sl, sc) = to_lsp(file, start, enc);
    let (el, ec) = to_lsp(file, end, enc);
    json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}})
}

fn lsp_diagnostic(uri: &str, file: &SourceFile, d: &Diagnostic, enc: Encoding) -> Value {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| l.file == d.file)
        .map(|l| {
            json!({
                "location": {"uri": uri, "range": range(file, l.span.start as usize, l.span.end as usize, enc)},
                "message": l.message,
            })
        })
        .collect();
    let severity = match d.severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    };
    let mut v = json!({
        "range": range(file, d.span.start as usize, d.span.end as usize, enc),
        "severity": severity,
        "code": d.rule,
        "source": "kubevet",
        "message": message,
    });
    if !related.is_empty() {
        v["relatedInformation"] = Value::Array(related);
    }
    v
}

/// The file path of a `file://` URI (percent-decoded); other schemes (an unsaved buffer)
/// keep the URI, which names no file on disk.
fn path_of(uri: &str) -> String {
    let Some(rest) = uri.strip_prefix("file://") else {
        return uri.to_string();
    };
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
