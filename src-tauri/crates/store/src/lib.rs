//! Switchboard's local database: one SQLite file in WAL mode, written through one connection.
//!
//! It owns the schema and its forward-only migrations, and one module per table. SQL lives here
//! and nowhere else, so a schema change has exactly one place to go. Callers are synchronous;
//! the engine reaches the store from `spawn_blocking`.

mod agents;
mod catalogue;
mod checkpoint;
mod client_keys;
mod commit;
mod conversations;
mod custom_provider;
mod error;
mod ledger;
mod migrations;
mod model_price;
mod permissions;
mod preferences;
mod provider_key;
mod requests;
mod spend;
mod team_spend;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use agents::RunRow;
pub use catalogue::CachedCatalogue;
pub use client_keys::{LAST_USED_GRANULARITY_MS, NewClientKey};
pub use conversations::{
    AnswerEnd, ContextTurn, ExportedAnswer, ExportedColumn, ExportedConversation, ExportedTurn,
    MAX_COLUMNS, title_from,
};
pub use error::StoreError;
pub use ledger::{CostSource, LedgerEntry, Outcome, TargetHistory, now_unix_ms};
pub use migrations::{LATEST_VERSION, MIGRATIONS, Migration};
pub use model_price::{DEFAULT_MODEL, ModelPriceRow};
pub use permissions::{create_private_dir, make_private, make_private_files};
pub use preferences::LoadedPreferences;
pub use provider_key::{KeyRow, MAIN_KEY};
pub use requests::Refusal;
pub use spend::Spent;
pub use team_spend::KeyDaySpend;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "switchboard.db";

/// An open, migrated database.
///
/// Holds the single writer connection; SQLite in WAL mode lets readers proceed while it writes.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    read_only: bool,
    /// This process's claim on its requests in flight (see `requests.rs`).
    session: Option<requests::Session>,
    /// Writes on the request path, committed in groups (see `commit.rs`).
    commits: commit::GroupCommit,
    /// Checkpoints the write-ahead log off the request path (see `checkpoint.rs`); `None`
    /// when read-only, or when SQLite checkpoints inside commits as usual.
    checkpointer: Option<checkpoint::Checkpointer>,
    /// Counts this process's changes to configuration (keys, providers, budgets, prices,
    /// catalogues, client keys, settings); see [`Store::config_revision`].
    config_revision: AtomicU64,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
    ///
    /// Before migrating a database that already holds data, a copy is written beside it
    /// (`<file>.pre-v<N>.bak`), so that a failed or buggy migration can never lose anything.
    ///
    /// The directory is made private to its owner (0700) and the database, its journal files
    /// and its backups 0600 (unix). When the database cannot be written (a read-only
    /// directory or file) but can be read, it is opened read-only, so reports still work;
    /// [`Store::read_only`] says so, and writes fail naming the file. Failures a person must
    /// act on name the file and say what to do ([`StoreError::in_file`]).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_at(path).map_err(|e| e.in_file(path))
    }

    fn open_at(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            permissions::create_private_dir(dir).map_err(|source| StoreError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        create_private_file(path);
        let store = match Self::open_writable(path) {
            Ok(store) => store,
            Err(err @ StoreError::ReadOnly { .. }) if path.is_file() => {
                match Self::open_read_only(path) {
                    Ok(store) => {
                        tracing::warn!(path = %path.display(), %err, "database opened read-only");
                        store
                    }
                    Err(StoreError::TooNew { found, supported }) => {
                        return Err(StoreError::TooNew { found, supported });
                    }
                    // The reason it cannot be written is the one to fix.
                    Err(_) => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
            // The database, `-wal`, `-shm` and the `.pre-v….bak` copies.
            permissions::make_private_files(dir, &name.to_string_lossy(), "");
        }
        Ok(store)
    }

    fn open_writable(path: &Path) -> Result<Self, StoreError> {
        // The app, the CLI and a local API server may open a new data directory at the same
        // moment: switching a fresh file to WAL fails at once ("database is locked", no busy
        // wait) while another connection holds it, and two processes must not both migrate.
        // Opening is serialized by a lock file; everything after it runs concurrently.
        let _opening = OpenLock::take(path);
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        switchboard_fts5::register(&conn)?;
        // SQLite opens a file it may not write read-only without saying so.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly {
                detail: "the file is read-only".to_owned(),
            });
        }
        migrations::migrate(&mut conn, path)?;
        let checkpointer = checkpoint::Checkpointer::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)?;
        }
        let store = Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            read_only: false,
            session: path.parent().and_then(requests::Session::start),
            commits: commit::GroupCommit::default(),
            checkpointer,
            config_revision: AtomicU64::new(0),
        };
        // Requests a dead process left in flight: marked interrupted, reconciled later. A
        // failure here (a full disk) must not keep the database from opening: the rows stay
        // pending, still holding their worst case against the budgets, and the next start or
        // reconciliation marks them.
        match store.interrupt_orphaned_requests() {
            Ok(0) => {}
            Ok(interrupted) => tracing::info!(
                interrupted,
                "requests left in flight by a process that died"
            ),
            Err(e) => tracing::warn!(
                error = %e,
                "requests left in flight by a process that died could not be marked yet"
            ),
        }
        Ok(store)
    }

    /// Opens a database that cannot be written, for reading. Its schema must be current:
    /// migrating needs write access.
    fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let version = |conn: &Connection| migrations::user_version(conn).map_err(StoreError::from);
        let plain = Connection::open_with_flags(path, flags).map_err(StoreError::from);
        let (conn, found) = match plain.and_then(|c| version(&c).map(|v| (c, v))) {
            Ok(opened) => opened,
            // A WAL database needs its `-shm` file even to be read, and a read-only
            // directory cannot hold a new one. With no `-wal` file left over, every commit is
            // in the database file itself, so it can be read as immutable.
            Err(StoreError::ReadOnly { .. }) if !has_wal(path) => {
                let conn = Connection::open_with_flags(immutable_uri(path)?, flags)?;
                let found = version(&conn)?;
                (conn, found)
            }
            Err(err) => return Err(err),
        };
        if found > migrations::LATEST_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: migrations::LATEST_VERSION,
            });
        }
        if found < migrations::LATEST_VERSION {
            return Err(StoreError::ReadOnly {
                detail: format!(
                    "it must be upgraded to schema version {}, which needs write access",
                    migrations::LATEST_VERSION
                ),
            });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "query_only", true)?;
        switchboard_fts5::register(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
            read_only: true,
            session: None,
            commits: commit::GroupCommit::default(),
            checkpointer: None,
            config_revision: AtomicU64::new(0),
        })
    }

    /// Whether the database was opened read-only because it cannot be written; writes fail
    /// with [`StoreError::ReadOnly`].
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Where the database file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let conn = self.conn()?;
        Ok(migrations::user_version(&conn)?)
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when SQLite reports "ok".
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let report: String = self
            .conn()?
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if report == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt { detail: report })
        }
    }

    /// A number that changes whenever this process changes configuration through this store:
    /// what callers keep copies of (which keys and providers exist, budgets, prices, client
    /// keys) is current as long as it has not moved. Other processes' changes do not move it;
    /// copies kept against it must also expire.
    pub fn config_revision(&self) -> u64 {
        self.config_revision.load(Ordering::Acquire)
    }

    /// The connection, for a write that changes configuration: the revision moves when the
    /// write is done (after it, so a copy read before the write cannot pass for current).
    fn config_conn(&self) -> Result<ConfigConn<'_>, StoreError> {
        Ok(ConfigConn {
            conn: self.conn()?,
            revision: &self.config_revision,
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        // A panic while holding the lock leaves SQLite itself consistent (statements are atomic),
        // so the connection is still safe to use.
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.mark();
        }
        Ok(conn)
    }
}

/// The connection while configuration is written; see [`Store::config_conn`].
struct ConfigConn<'a> {
    conn: MutexGuard<'a, Connection>,
    revision: &'a AtomicU64,
}

impl std::ops::Deref for ConfigConn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for ConfigConn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for ConfigConn<'_> {
    fn drop(&mut self) {
        self.revision.fetch_add(1, Ordering::AcqRel);
    }
}

/// An exclusive lock on `<db>.open-lock` while a process sets up and migrates the database.
/// Without a writable directory there is nothing to lock, and nothing can be migrated either.
struct OpenLock(Option<std::fs::File>);

impl OpenLock {
    fn take(db: &Path) -> Self {
        let mut name = db.as_os_str().to_owned();
        name.push(".open-lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(name))
            .ok()
            .filter(|f| f.lock().is_ok());
        Self(file)
    }
}

impl Drop for OpenLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
        }
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL: readers never block the writer and a crash mid-write leaves the last commit intact.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "SQLite refused WAL mode; continuing with {mode}");
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;",
    )?;
    // Room for every statement the request path repeats (reservations, settlements, key and
    // budget reads), so a busy local API never parses the same SQL twice.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Creates a missing database file with owner-only permissions: SQLite would create it with
/// the umask's (usually 0644), and its `-wal` and `-shm` files copy the database's mode.
fn create_private_file(path: &Path) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    // It exists already, or cannot be made here: SQLite reports the latter when it opens it.
    let _ = options.open(path);
}

/// Whether a `-wal` file with content lies beside the database.
fn has_wal(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0)
}

/// `file:<path>?immutable=1`: SQLite reads the file without locks or a `-shm` file.
fn immutable_uri(path: &Path) -> Result<String, StoreError> {
    let text = path.to_str().ok_or_else(|| StoreError::ReadOnly {
        detail: "its path is not valid UTF-8, so it cannot be opened read-only".to_owned(),
    })?;
    // Only these three are special in a SQLite URI's path.
    let escaped = text
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    Ok(format!("file:{escaped}?immutable=1"))
}

#[allow(
    clippy::disallowed_methods,
    reason = "the store's clock: the one place timestamps are read (clippy.toml)"
)]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Caps the database file at about `bytes` (SQLite's `max_page_count`); writes past it fail
    /// exactly as on a full disk. Tests use it to prove a full disk loses nothing.
    pub fn cap_size(&self, bytes: i64) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        conn.pragma_update(None, "max_page_count", (bytes / page).max(1))?;
        Ok(())
    }
}
