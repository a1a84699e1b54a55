//! The database's files: private to their owner (D14), and failures of the file itself (a
//! full disk, a read-only directory, a damaged file) named with the path and what to do (D16).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use switchboard_store::{DB_FILE, Store, StoreError};

/// Bytes that are no SQLite database: a fixed pseudo-random sequence.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

#[test]
fn a_file_of_random_bytes_is_named_left_alone_and_the_way_out_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let bytes = garbage(64 * 1024);
    std::fs::write(&db, &bytes).unwrap();

    let err = Store::open(&db).unwrap_err();
    assert!(
        matches!(err.kind(), StoreError::Corrupt { .. }),
        "classified as damaged: {err:?}"
    );
    let message = err.to_string();
    let path = db.display().to_string();
    assert!(
        message.starts_with(&format!("{path} is damaged (")),
        "{message}"
    );
    assert!(
        message.contains("Switchboard left it as it is"),
        "{message}"
    );
    assert!(
        message.contains(&format!("move {path} and its -wal and -shm files aside")),
        "{message}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "the file is untouched");

    // With a copy from before an upgrade beside it, the message offers that copy.
    let backup = dir.path().join(format!("{DB_FILE}.pre-v5-from-v3.bak"));
    std::fs::write(&backup, b"").unwrap();
    let message = Store::open(&db).unwrap_err().to_string();
    assert!(
        message.contains(&format!("by moving {} to {path}", backup.display())),
        "{message}"
    );
}

#[test]
fn a_full_disk_names_the_file_and_says_nothing_saved_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    store.put_setting("kept", "yes").unwrap();
    store.cap_size(0).unwrap(); // writes now fail as on a full disk: SQLITE_FULL
    let big = "x".repeat(64 * 1024);
    let err = store.put_setting("lost", &big).unwrap_err();
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");

    let err = err.in_file(store.path());
    assert!(matches!(err.kind(), StoreError::DiskFull), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "The disk holding {} is full, so the database could not be written; nothing saved \
             earlier was lost.",
            store.path().display()
        )),
        "{message}"
    );
    assert!(message.contains("Free some space"), "{message}");
    assert_eq!(store.setting("kept").unwrap().as_deref(), Some("yes"));
}

#[test]
fn no_room_for_the_shared_memory_file_is_a_full_disk_too() {
    // What SQLite answers when the `-shm` file cannot grow on a full disk (seen on a 256 KiB
    // tmpfs): "disk I/O error", extended code SQLITE_IOERR_SHMSIZE.
    let err = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_SHMSIZE),
        Some("disk I/O error".to_owned()),
    );
    assert!(matches!(StoreError::from(err), StoreError::DiskFull));
    let other_io = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_READ),
        None,
    );
    assert!(
        matches!(StoreError::from(other_io), StoreError::Sqlite(_)),
        "other I/O errors are not called a full disk"
    );
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn sidecar(db: &Path, suffix: &str) -> std::path::PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    }

    /// Whether this process is held to file modes. Root (and CAP_DAC_OVERRIDE) is not: it
    /// writes into a 0500 directory, so read-only tests cannot run as root and are skipped.
    fn modes_are_enforced() -> bool {
        let dir = tempfile::tempdir().unwrap();
        chmod(dir.path(), 0o500);
        let enforced = std::fs::write(dir.path().join("probe"), b"").is_err();
        chmod(dir.path(), 0o700);
        enforced
    }

    #[test]
    fn a_fresh_data_directory_and_its_files_are_private() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("new").join("switchboard");
        let db = data.join(DB_FILE);
        let store = Store::open(&db).unwrap();
        store.put_setting("k", "v").unwrap();
        assert_eq!(mode(&data), 0o700, "the data directory");
        assert_eq!(mode(&db), 0o600, "the database");
        for suffix in ["-wal", "-shm"] {
            assert_eq!(mode(&sidecar(&db, suffix)), 0o600, "{suffix}");
        }
    }

    #[test]
    fn looser_permissions_are_tightened_when_the_store_opens() {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let db = data.join(DB_FILE);
        // The first store stays open so that the -wal and -shm files exist.
        let first = Store::open(&db).unwrap();
        first.put_setting("k", "v").unwrap();
        let backup = sidecar(&db, ".pre-v5-from-v3.bak");
        std::fs::write(&backup, b"copy").unwrap();
        let log_like = data.join("notes.txt");
        std::fs::write(&log_like, b"not ours").unwrap();
        chmod(&data, 0o755);
        for path in [
            db.clone(),
            sidecar(&db, "-wal"),
            sidecar(&db, "-shm"),
            backup.clone(),
            log_like.clone(),
        ] {
            chmod(&path, 0o644);
        }

        let _second = Store::open(&db).unwrap();
        assert_eq!(mode(&data), 0o700, "the data directory");
        for path in [
            db.clone(),
            sidecar(&db, "-wal"),
            sidecar(&db, "-shm"),
            backup,
        ] {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        assert_eq!(
            mode(&log_like),
            0o644,
            "files that are not the database's are left"
        );
    }

    #[test]
    fn a_read_only_directory_is_read_and_a_write_names_the_path() {
        if !modes_are_enforced() {
            eprintln!("skipped: this process ignores file modes (root), so 0500 is not read-only");
            return;
        }
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let db = data.join(DB_FILE);
        Store::open(&db)
            .unwrap()
            .put_setting("kept", "yes")
            .unwrap();
        chmod(&data, 0o500);
        let _writable_again = Writable(data.clone());

        let store = Store::open(&db).unwrap();
        assert!(store.read_only(), "opened for reading");
        assert_eq!(store.setting("kept").unwrap().as_deref(), Some("yes"));
        let err = store.put_setting("new", "no").unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        let message = err.in_file(&db).to_string();
        assert!(
            message.starts_with(&format!("Switchboard cannot write to {}", db.display())),
            "{message}"
        );
        assert!(
            message.contains(&format!("Fix the permissions on {}", data.display())),
            "{message}"
        );
    }

    /// Makes a directory writable again when dropped, so the temporary directory can be
    /// removed even if the test fails.
    struct Writable(std::path::PathBuf);

    impl Drop for Writable {
        fn drop(&mut self) {
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700));
        }
    }
}
