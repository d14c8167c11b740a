//! End-to-end test suites (chainsaw, kuttl): the files their steps use are partial objects,
//! matched against what runs in a cluster (a Deployment with only `status`, say) or merged
//! onto what an operator created, not objects to apply on their own.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::disk::Disk;
use super::paths;
use crate::source::SourceFile;
use crate::yaml::{self, Limits, Node};

const TEST_FILES: [&str; 2] = ["chainsaw-test.yaml", "chainsaw-test.yml"];

/// Test suites are small; a larger file is not read for its references.
const MAX_TEST_BYTES: u64 = 1024 * 1024;

#[derive(Default)]
pub struct Assertions {
    files: HashSet<PathBuf>,
}

impl Assertions {
    /// Reads the chainsaw tests in the inputs' directories.
    pub fn collect<'p>(inputs: impl Iterator<Item = &'p Path>, disk: &Disk) -> Assertions {
        let mut out = Assertions::default();
        let mut dirs: HashSet<&Path> = HashSet::new();
        for path in inputs {
            let dir = paths::dir_of(path);
            if !dirs.insert(dir) {
                continue;
            }
            for name in TEST_FILES {
                if let Some(test) = disk.file_in(dir, name) {
                    out.read_test(dir, &test, disk.limits);
                }
            }
        }
        out
    }

    /// Used by an `assert`/`error` step, or named as kuttl names them (`00-assert.yaml`,
    /// `01-errors.yaml`).
    pub fn is_assertion(&self, path: &Path) -> bool {
        self.files.contains(path)
            || path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(kuttl_assertion)
    }

    fn read_test(&mut self, dir: &Path, test: &Path, limits: &Limits) {
        if std::fs::metadata(test).map_or(true, |m| m.len() > MAX_TEST_BYTES) {
            return;
        }
        let Ok(text) = std::fs::read_to_string(test) else {
            return;
        };
        let file = SourceFile::new(0, test.display().to_string(), text);
        for doc in yaml::parse_file(&file, limits).documents {
            self.collect_steps(dir, &doc.root);
        }
    }

    /// Every file a step uses (`assert`, `error`, but also `apply`/`update`/`patch`, which
    /// chainsaw merges onto objects that already run, so they are as partial), wherever the
    /// step is (`try`, `catch`, `finally`, `cleanup`).
    fn collect_steps(&mut self, dir: &Path, node: &Node) {
        for e in node.entries() {
            if matches!(
                e.key.key_text(),
                Some("assert" | "error" | "apply" | "create" | "update" | "patch" | "delete")
            ) {
                if let Some(f) = e.value.get("file").and_then(Node::as_str) {
                    self.files.insert(paths::normalize(&dir.join(f)));
                }
            }
            self.collect_steps(dir, &e.value);
        }
        for item in node.items() {
            self.collect_steps(dir, item);
        }
    }
}

/// kuttl's convention, which chainsaw also follows: `NN-assert*.yaml`, `NN-error*.yaml`.
fn kuttl_assertion(name: &str) -> bool {
    let Some((num, rest)) = name.split_once('-') else {
        return false;
    };
    !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit())
        && (rest.starts_with("assert") || rest.starts_with("error"))
}
