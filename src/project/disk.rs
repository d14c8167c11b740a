//! What the project stage reads from the file system besides the inputs: whether a
//! directory holds one of the few files that give its files a role (`Chart.yaml`, a
//! kustomization, a chainsaw test), and the limits for parsing those files.
//!
//! Each directory is listed once, and every name is looked up in the listing. Asking the
//! file system name by name cost six failed `stat`s per directory (one per name): about
//! 2,000 system calls, run one after another, on the 350 directories of the real corpus.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::FileType;
use std::path::{Path, PathBuf};

use crate::yaml::Limits;

/// Every name the project stage looks for; a listing keeps only these.
const NAMES: &[&str] = &[
    "Chart.yaml",
    "kustomization.yaml",
    "kustomization.yml",
    "Kustomization",
    "chainsaw-test.yaml",
    "chainsaw-test.yml",
];

/// What a listing says of a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    File,
    /// A directory or a special file: not a file, and a symlink never reads as one.
    NotFile,
    /// A symlink, or a type the listing does not give: the file system decides.
    Ask,
}

impl Kind {
    fn of(t: FileType) -> Kind {
        if t.is_file() {
            Kind::File
        } else if t.is_symlink() {
            Kind::Ask
        } else {
            Kind::NotFile
        }
    }
}

/// What a directory's listing says.
enum Listing {
    /// The names of [`NAMES`] it holds.
    Names(Vec<(&'static str, Kind)>),
    /// No such directory (a kustomization's resource names a file, say): nothing is in it.
    Absent,
    /// It cannot be listed, though its files may be reachable: ask by name.
    Unreadable,
}

pub struct Disk<'a> {
    pub limits: &'a Limits,
    listed: RefCell<HashMap<PathBuf, Listing>>,
}

impl<'a> Disk<'a> {
    pub fn new(limits: &'a Limits) -> Self {
        Disk {
            limits,
            listed: RefCell::new(HashMap::new()),
        }
    }

    /// `dir/name` when it is a file (through symlinks, as `Path::is_file` says); `dir` is
    /// lexical, `""` meaning the working directory.
    pub fn file_in(&self, dir: &Path, name: &'static str) -> Option<PathBuf> {
        debug_assert!(NAMES.contains(&name), "{name} is not listed in NAMES");
        let on_disk = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let kind = {
            let mut listed = self.listed.borrow_mut();
            let names = listed
                .entry(dir.to_path_buf())
                .or_insert_with(|| list(on_disk));
            match names {
                Listing::Names(names) => names.iter().find(|(n, _)| *n == name).map(|&(_, k)| k),
                Listing::Absent => None,
                Listing::Unreadable => Some(Kind::Ask),
            }
        };
        let is_file = match kind {
            None | Some(Kind::NotFile) => false,
            Some(Kind::File) => true,
            Some(Kind::Ask) => on_disk.join(name).is_file(),
        };
        is_file.then(|| dir.join(name))
    }
}

/// The names of [`NAMES`] in `dir`. A case-insensitive file system finds `chart.yaml` when
/// asked for `Chart.yaml`, and so does this, on the systems whose default file system is
/// one.
fn list(dir: &Path) -> Listing {
    use std::io::ErrorKind;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Listing::Absent
        }
        Err(_) => return Listing::Unreadable,
    };
    let mut found = Vec::new();
    for entry in entries {
        // A listing cut short is no listing: the names are then asked for one by one.
        let Ok(entry) = entry else {
            return Listing::Unreadable;
        };
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let Some(&name) = NAMES.iter().find(|&&k| same_name(k, n)) else {
            continue;
        };
        let kind = entry.file_type().map_or(Kind::Ask, Kind::of);
        found.push((name, kind));
    }
    Listing::Names(found)
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn same_name(a: &str, b: &str) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The listing answers as a `stat` of each name would: files, not directories,
    /// symlinks followed, in listed and unlisted directories alike.
    #[test]
    fn a_listing_answers_as_the_file_system() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let top = tmp.path();
        std::fs::write(top.join("Chart.yaml"), "name: x").expect("write");
        std::fs::create_dir(top.join("kustomization.yaml")).expect("mkdir");
        std::fs::create_dir(top.join("sub")).expect("mkdir");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(top.join("Chart.yaml"), top.join("sub/Chart.yaml"))
                .expect("symlink");
            std::os::unix::fs::symlink(top.join("missing"), top.join("sub/Kustomization"))
                .expect("symlink");
            std::os::unix::fs::symlink(top.join("sub"), top.join("sub/kustomization.yml"))
                .expect("symlink");
        }
        let limits = Limits::default();
        let disk = Disk::new(&limits);
        let file = top.join("Chart.yaml");
        for dir in [
            top.to_path_buf(),
            top.join("sub"),
            top.join("missing-dir"),
            file,
        ] {
            for &name in NAMES {
                assert_eq!(
                    disk.file_in(&dir, name),
                    dir.join(name).is_file().then(|| dir.join(name)),
                    "{name} in {}",
                    dir.display()
                );
            }
        }
        assert!(disk.file_in(top, "Chart.yaml").is_some());
        assert!(disk.file_in(top, "kustomization.yaml").is_none());
        #[cfg(unix)]
        {
            assert!(disk.file_in(&top.join("sub"), "Chart.yaml").is_some());
            assert!(disk.file_in(&top.join("sub"), "Kustomization").is_none());
        }
    }
}
