//! What can go wrong in the store.

use std::path::PathBuf;

/// A store failure, specific enough for the engine to tell the user what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The disk (or the file system's quota) is full. The transaction was rolled back.
    #[error("the disk is full; free some space and try again (nothing saved earlier was lost)")]
    DiskFull,
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
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        // Disk-full shows up as SQLITE_FULL, and on some file systems as an I/O error on write.
        if let rusqlite::Error::SqliteFailure(e, _) = &err
            && e.code == rusqlite::ErrorCode::DiskFull
        {
            return Self::DiskFull;
        }
        Self::Sqlite(err)
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
}
