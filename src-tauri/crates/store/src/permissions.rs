//! Keeping the data directory private: it holds every chat, the ledger and agent runs, so
//! only its owner may read it (directories 0700, files 0600 on unix). Other systems keep
//! per-user data private by default, so there this does nothing beyond creating directories.
//!
//! Tightening never blocks start-up: a file that cannot be changed (a read-only mount, a file
//! owned by someone else) is logged and used as it is.

use std::io;
use std::path::Path;

/// Creates `dir` (and any missing parents, with the usual permissions) so that only its owner
/// can use it, and takes group and other access away from an existing one.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if !dir.is_dir() {
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(dir) {
            Ok(()) => {}
            // Another process made it first.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    make_private(dir);
    Ok(())
}

/// Takes group and other access away from `path` (a file or a directory) if it has any; the
/// owner's own bits are kept, so a directory made read-only stays read-only. Failures are
/// logged, not returned.
pub fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        // A symlink's own mode means nothing, and following it could change a file
        // elsewhere.
        if meta.file_type().is_symlink() {
            return;
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 == 0 {
            return;
        }
        let private = std::fs::Permissions::from_mode(mode & 0o700);
        if let Err(err) = std::fs::set_permissions(path, private) {
            tracing::warn!(path = %path.display(), %err, "cannot make this private to its owner");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Makes private every file in `dir` whose name starts with `prefix` and ends with `suffix`
/// (the database with its `-wal`, `-shm` and `.bak` copies; the log files).
pub fn make_private_files(dir: &Path, prefix: &str, suffix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(suffix) {
            make_private(&entry.path());
        }
    }
}
