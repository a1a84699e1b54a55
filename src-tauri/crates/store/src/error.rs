//! What can go wrong in the store.

use std::path::{Path, PathBuf};

/// A store failure, specific enough for the engine to tell the user what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The disk (or the file system's quota) is full. The transaction was rolled back.
    #[error("the disk is full; free some space and try again (nothing saved earlier was lost)")]
    DiskFull,
    /// The database cannot be written: the file, or the directory its journal files go in, is
    /// read-only, or cannot be opened at all. Nothing was written.
    #[error("the database cannot be opened for writing: {detail}")]
    ReadOnly {
        /// What SQLite or the OS said.
        detail: String,
    },
    /// The database was written by a newer Switchboard.
    #[error(
        "the database is at schema version {found}, newer than this build understands ({supported}); \
         update Switchboard (the file was left untouched)"
    )]
    TooNew {
        /// The file's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A migration failed; the database is unchanged at `from`.
    #[error("migrating the database to version {version} failed: {source}")]
    Migration {
        /// The version being migrated to.
        version: u32,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// A name that must be unique is taken.
    #[error("{entity} \"{name}\" already exists")]
    Duplicate {
        /// What kind of thing.
        entity: &'static str,
        /// The clashing name.
        name: String,
    },
    /// The row asked for does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// What kind of thing.
        entity: &'static str,
        /// Its id.
        id: String,
    },
    /// The file is not a database or its pages are damaged (SQLite's `NOTADB` and `CORRUPT`),
    /// `PRAGMA integrity_check` reported problems, or a stored value does not parse.
    #[error("the database is damaged: {detail}")]
    Corrupt {
        /// What SQLite or the parser said.
        detail: String,
    },
    /// The data directory could not be created or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A full disk, a read-only directory or a damaged file, with the database file it
    /// happened to: what a person needs to act on it. Made by [`StoreError::in_file`].
    #[error("{}", file_message(path, backup.as_deref(), source))]
    InFile {
        /// The database file.
        path: PathBuf,
        /// The newest copy saved before a migration, if one lies beside the file.
        backup: Option<PathBuf>,
        /// What happened.
        #[source]
        source: Box<StoreError>,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let rusqlite::Error::SqliteFailure(e, _) = &err else {
            return Self::Sqlite(err);
        };
        match e.code {
            // A full disk is SQLITE_FULL on a write, or, when there is no room to create or
            // grow the shared-memory (`-shm`) file, the "disk I/O error" SQLITE_IOERR_SHMSIZE.
            C::DiskFull => Self::DiskFull,
            C::SystemIoFailure if e.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE => {
                Self::DiskFull
            }
            C::ReadOnly | C::CannotOpen | C::PermissionDenied => Self::ReadOnly {
                detail: err.to_string(),
            },
            C::NotADatabase | C::DatabaseCorrupt => Self::Corrupt {
                detail: err.to_string(),
            },
            _ => Self::Sqlite(err),
        }
    }
}

impl StoreError {
    /// `NotFound` for the `entity` with this id or name.
    pub(crate) fn not_found(entity: &'static str, id: &str) -> Self {
        Self::NotFound {
            entity,
            id: id.to_owned(),
        }
    }

    /// `Duplicate` for the `entity` named `name` when `err` is a constraint violation, else
    /// `err` as is. Letting the unique index refuse the write, rather than looking first, leaves
    /// no gap between the check and the write; callers use it only for writes whose sole
    /// breakable constraint is that index.
    pub(crate) fn unique_violation(err: rusqlite::Error, entity: &'static str, name: &str) -> Self {
        if let rusqlite::Error::SqliteFailure(e, _) = &err
            && e.code == rusqlite::ErrorCode::ConstraintViolation
        {
            return Self::Duplicate {
                entity,
                name: name.to_owned(),
            };
        }
        err.into()
    }

    /// The failure itself, looking through [`StoreError::InFile`].
    pub fn kind(&self) -> &Self {
        match self {
            Self::InFile { source, .. } => source.kind(),
            other => other,
        }
    }

    /// Names the database file `path` in a failure the user has to act on (a full disk, a
    /// read-only directory, a damaged file, an I/O error), so the message can say which file
    /// and what to do. Other failures, and ones already naming a file, are returned as they
    /// are.
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            Self::DiskFull | Self::ReadOnly { .. } | Self::Corrupt { .. } | Self::Sqlite(_) => {
                Self::InFile {
                    path: path.to_owned(),
                    backup: newest_backup(path),
                    source: Box::new(self),
                }
            }
            other => other,
        }
    }
}

/// The message for a failure of the file at `path`: what happened, what was kept, what to do.
fn file_message(path: &Path, backup: Option<&Path>, error: &StoreError) -> String {
    let file = path.display();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .display();
    match error {
        StoreError::DiskFull => format!(
            "The disk holding {file} is full, so the database could not be written; nothing \
             saved earlier was lost. Free some space on that disk and try again."
        ),
        StoreError::ReadOnly { detail } => format!(
            "Switchboard cannot write to {file} ({detail}). Nothing was changed. Fix the \
             permissions on {dir} and the files in it so that your user can write them, or set \
             SWITCHBOARD_DATA_DIR to a writable directory."
        ),
        StoreError::Corrupt { detail } => {
            let restore = match backup {
                Some(bak) => format!(
                    "Quit Switchboard, then restore the copy saved before the last upgrade by \
                     moving {} to {file}, or",
                    bak.display()
                ),
                None => "Quit Switchboard, then".to_owned(),
            };
            format!(
                "{file} is damaged ({detail}). Switchboard left it as it is. {restore} move \
                 {file} and its -wal and -shm files aside (for example to {file}.damaged) to \
                 start with an empty database; keep the old file in case its data can be \
                 recovered."
            )
        }
        other => format!(
            "The database {file} failed ({other}). Nothing was changed; if this keeps \
             happening, check the disk and the permissions on {dir}."
        ),
    }
}

/// The newest `<file>.pre-v….bak` beside `path`, by modification time.
fn newest_backup(path: &Path) -> Option<PathBuf> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    let prefix = format!("{}.pre-", path.file_name()?.to_string_lossy());
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".bak")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}
