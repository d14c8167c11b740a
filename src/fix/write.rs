//! Writing a fixed file: a temporary file next to it, the original's permissions, then a
//! rename over it, so an interrupted run leaves the old or the new file, never half of one.

use std::io::Write;
use std::path::Path;

pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    // Write through a symlink to its target rather than replacing the link.
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.kubevet-fix-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
