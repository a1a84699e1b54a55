//! Switchboard's local database: one SQLite file in WAL mode, written through one connection.
//!
//! It owns the schema and its forward-only migrations, and one module per table. SQL lives here
//! and nowhere else, so a schema change has exactly one place to go. Callers are synchronous;
//! the engine reaches the store from `spawn_blocking`.

mod agents;
mod catalogue;
mod conversations;
mod custom_provider;
mod error;
mod ledger;
mod migrations;
mod preferences;
mod provider_key;
mod spend;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use agents::RunRow;
pub use catalogue::CachedCatalogue;
pub use conversations::{
    AnswerEnd, ContextTurn, ExportedAnswer, ExportedColumn, ExportedConversation, ExportedTurn,
    MAX_COLUMNS, title_from,
};
pub use error::StoreError;
pub use ledger::{CostSource, LedgerEntry, Outcome, TargetHistory, now_unix_ms};
pub use migrations::{LATEST_VERSION, MIGRATIONS, Migration};
pub use preferences::LoadedPreferences;
pub use provider_key::{KeyRow, MAIN_KEY};
pub use spend::Spent;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "switchboard.db";

/// An open, migrated database.
///
/// Holds the single writer connection; SQLite in WAL mode lets readers proceed while it writes.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
    ///
    /// Before migrating a database that already holds data, a copy is written beside it
    /// (`<file>.pre-v<N>.bak`), so that a failed or buggy migration can never lose anything.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrations::migrate(&mut conn, path)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
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

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        // A panic while holding the lock leaves SQLite itself consistent (statements are atomic),
        // so the connection is still safe to use.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
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
    Ok(())
}

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
