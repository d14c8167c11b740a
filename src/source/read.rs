//! Reading inputs into [`SourceFile`]s. Failures become diagnostics, never panics.

use std::io::Read;

use super::{FileId, Input, SourceFile};
use crate::diagnostics::{Diagnostic, Severity};
use crate::yaml::Span;

pub const RULE_UNREADABLE: &str = "unreadable-file";
pub const RULE_NO_MANIFESTS: &str = "no-manifests";

/// Reads one input. An unreadable input still yields a (text-less) `SourceFile`, so the
/// diagnostic has a file to name.
pub fn read_input(id: FileId, input: &Input, max_size: u64) -> (SourceFile, Option<Diagnostic>) {
    let (path, bytes) = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            let res = std::io::stdin()
                .lock()
                .take(max_size.saturating_add(1))
                .read_to_end(&mut buf);
            ("-".to_string(), res.map(|_| buf))
        }
        Input::File { path: p, .. } => {
            let path = p.display().to_string();
            // Opened first and asked for its size after: one system call fewer per file
            // than a stat by name, which shows on a walk of 100,000 small files.
            let file = match open(p) {
                Ok(f) => f,
                Err(e) => return unreadable(id, path.clone(), format!("cannot read {path}: {e}")),
            };
            let meta = file.metadata();
            match &meta {
                Ok(m) if m.len() > max_size => {
                    let msg = format!(
                        "{path} is {} bytes, over the {} byte limit (--max-file-size); it was not checked",
                        m.len(),
                        max_size
                    );
                    return unreadable(id, path, msg);
                }
                _ => {}
            }
            let fifo = meta.as_ref().is_ok_and(is_fifo);
            if fifo {
                blocking(&file);
            }
            let size = meta.as_ref().map_or(0, |m| m.len().min(max_size) as usize);
            let mut buf = Vec::with_capacity(size + 1);
            let res = file
                .take(max_size.saturating_add(1))
                .read_to_end(&mut buf)
                .map(|_| buf);
            if fifo && res.as_ref().is_ok_and(Vec::is_empty) {
                let msg = format!(
                    "{path} is a named pipe and nothing was written to it; it was not checked"
                );
                return unreadable(id, path, msg);
            }
            (path, res)
        }
        Input::EmptyDir(p) => {
            let path = p.display().to_string();
            let file = SourceFile::new(id, path.clone(), String::new());
            let d = Diagnostic::new(
                RULE_NO_MANIFESTS,
                Severity::Warning,
                id,
                Span::empty(0),
                format!("no YAML or JSON files found in {path}"),
            )
            .with_help("kubevet looks for *.yaml, *.yml and *.json files, skipping hidden and git-ignored ones");
            return (file, Some(d));
        }
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return unreadable(id, path.clone(), format!("cannot read {path}: {e}")),
    };
    if bytes.len() as u64 > max_size {
        let msg = format!(
            "{path} is over the {max_size} byte limit (--max-file-size); it was not checked"
        );
        return unreadable(id, path, msg);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile::new(id, path, text), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let msg = format!(
                "{path} is not valid UTF-8: invalid byte 0x{:02x} at offset {at}; it was not checked",
                e.as_bytes().get(at).copied().unwrap_or(0)
            );
            let (file, d) = unreadable(id, path, msg);
            (
                file,
                d.map(|d| d.with_help("Kubernetes manifests must be UTF-8; re-save the file as UTF-8 (or it may be a binary file)")),
            )
        }
    }
}

/// Standard input given as text (an editor's buffer), under the same size limit as read.
pub fn read_text(id: FileId, text: &str, max_size: u64) -> (SourceFile, Option<Diagnostic>) {
    let path = super::STDIN.to_string();
    if text.len() as u64 > max_size {
        let msg = format!(
            "{path} is over the {max_size} byte limit (--max-file-size); it was not checked"
        );
        return unreadable(id, path, msg);
    }
    (SourceFile::new(id, path, text.to_string()), None)
}

fn unreadable(id: FileId, path: String, msg: String) -> (SourceFile, Option<Diagnostic>) {
    let file = SourceFile::new(id, path, String::new());
    let d = Diagnostic::new(RULE_UNREADABLE, Severity::Error, id, Span::empty(0), msg);
    (file, Some(d))
}

#[cfg(unix)]
fn is_fifo(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

/// Opens an input. Opening a named pipe blocks until something opens it for writing, which
/// may be never: every input is opened without blocking (no effect on a regular file), and a
/// pipe then switched back to blocking reads by [`blocking`], so a pipe with a writer
/// (`kubevet check <(helm template .)`) is read to its end and one without reads as empty.
fn open(p: &std::path::Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(p)
    }
    #[cfg(not(unix))]
    std::fs::File::open(p)
}

fn blocking(f: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: fcntl on a descriptor the caller owns, with valid flag arguments.
        unsafe {
            let flags = libc::fcntl(f.as_raw_fd(), libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(f.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    let _ = f;
}
