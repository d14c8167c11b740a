//! Lexical path handling: kustomizations name files relative to themselves (`../base`), and
//! those names must meet the paths the user gave, without touching the file system.

use std::path::{Component, Path, PathBuf};

/// `a/./b/../c` -> `a/c`; leading `..` are kept. No file system access, so symlinks are not
/// resolved (a walk does not follow them either).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The directory of a (normalised) file path; `""` for a bare file name.
pub fn dir_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./a")), PathBuf::from("a"));
        assert_eq!(
            normalize(Path::new("../a/b/../../c")),
            PathBuf::from("../c")
        );
        assert_eq!(normalize(Path::new("/x/../y")), PathBuf::from("/y"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
    }
}
