//! Requests in flight, shared by every process on the database.
//!
//! Before a request is sent its worst-case cost is checked against the hard budgets and
//! recorded as a `pending` ledger row in one `BEGIN IMMEDIATE` transaction: SQLite's write
//! lock serializes that check-and-hold across the app, the CLI and `switchboard serve`, so N
//! concurrent requests near a limit cannot all read the same headroom. The row settles to
//! the request's real outcome and cost when it ends. A process that dies leaves its rows
//! pending; each engine holds an exclusive lock on its own session file while it lives, so
//! the next one to look can tell the dead from the busy and marks the dead's rows
//! `interrupted`, to be reconciled through their generation ids.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use switchboard_core::{Budget, Usd};

use crate::commit::{Write, Written};
use crate::ledger::LedgerEntry;
use crate::spend::{period_start, spent};
use crate::{Store, StoreError};

/// A hard budget that a request's worst case would cross.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The budget.
    pub budget: Budget,
    /// What its period has cost so far (known costs).
    pub spent: Usd,
    /// What is held for requests whose cost is not known yet (in flight, or interrupted).
    pub held: Usd,
    /// This request's worst case (`None`: unknown, refused only by a budget already used up).
    pub bound: Option<Usd>,
    /// When the budget's period began, Unix ms.
    pub period_start_ms: i64,
}

/// This engine's claim on its pending rows: an exclusively locked file named after the
/// session. The OS drops the lock when the process dies, however it dies.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    path: PathBuf,
    // Held for the lock; never read.
    _file: File,
}

impl Session {
    /// Creates and locks this process's session file under `dir`; `None` when the directory
    /// cannot be written (then nothing can be written to the database either).
    pub(crate) fn start(dir: &Path) -> Option<Self> {
        let sessions = dir.join("sessions");
        crate::permissions::create_private_dir(&sessions).ok()?;
        let id = uuid::Uuid::now_v7().to_string();
        // Locked under a temporary name, then renamed: a `.lock` file is never seen unlocked
        // while its owner lives, so no other process can take it for a dead one's.
        let staging = sessions.join(format!("{id}.new"));
        let path = sessions.join(format!("{id}.lock"));
        let file = File::create(&staging).ok()?;
        file.try_lock().ok()?;
        std::fs::rename(&staging, &path).ok()?;
        Some(Self {
            id,
            path,
            _file: file,
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the engine that owned `session` is still running.
fn alive(dir: &Path, session: &str) -> bool {
    let path = dir.join("sessions").join(format!("{session}.lock"));
    match File::options().write(true).open(&path) {
        // Locked by its owner: alive. Any other failure to lock is read as alive too, so a
        // busy request is never marked interrupted on a doubt.
        Ok(file) => !matches!(file.try_lock(), Ok(())),
        Err(_) => false,
    }
}

impl Store {
    /// Checks `entry`'s worst case (`entry.bound`) against every hard budget for which
    /// `applies` holds and, if it fits all of them, records `entry` as this session's pending
    /// row, sent by `client` (a client key's id; `None` for the app and the CLI), all in one
    /// IMMEDIATE transaction. Returns the first budget it would cross instead. The client is
    /// written only here: settling a row never changes who sent it.
    pub fn reserve_request(
        &self,
        entry: &LedgerEntry,
        client: Option<&str>,
        now_ms: i64,
        applies: impl Fn(&Budget) -> bool + Send + 'static,
    ) -> Result<Result<(), Refusal>, StoreError> {
        self.write(Write::Reserve {
            entry: entry.clone(),
            client: client.map(str::to_owned),
            session: self.session.as_ref().map(|s| s.id.clone()),
            now_ms,
            applies: Box::new(applies),
        })
    }

    /// The first hard budget for which `applies` holds that a request with worst case
    /// `bound` would cross now; nothing is recorded.
    pub fn budget_refusal(
        &self,
        bound: Option<Usd>,
        now_ms: i64,
        applies: impl Fn(&Budget) -> bool,
    ) -> Result<Option<Refusal>, StoreError> {
        first_refusal(&*self.conn()?, bound, now_ms, &applies)
    }

    /// Writes how a request ended over its pending row (or as a new row, if it had none).
    /// Returns once the transaction that holds it has committed.
    pub fn settle_request(&self, entry: &LedgerEntry) -> Result<(), StoreError> {
        self.write(Write::Settle(entry.clone())).map(drop)
    }

    /// Notes a pending request's generation id as soon as it is known, so that a crash
    /// before the request settles can still be reconciled with the provider's bill.
    pub fn note_generation(&self, id: &str, generation_id: &str) -> Result<(), StoreError> {
        self.write(Write::Note {
            id: id.to_owned(),
            generation_id: generation_id.to_owned(),
        })
        .map(drop)
    }

    /// Queues `write` for the next group commit and returns once it has committed (or
    /// failed); see `commit.rs`.
    fn write(&self, write: Write) -> Result<Written, StoreError> {
        let ticket = self.commits.enqueue(write);
        let mut conn = self.conn()?;
        self.commits.run(&mut conn, ticket)
    }

    /// Marks `interrupted` every pending row whose engine is gone (its process died: a
    /// crash, `kill -9`, power). Their cost is unknown until reconciliation finds it; until
    /// then their worst case stays held against hard budgets. Returns how many rows changed.
    pub fn interrupt_orphaned_requests(&self) -> Result<usize, StoreError> {
        let Some(dir) = self.path.parent().map(Path::to_owned) else {
            return Ok(0);
        };
        let own = self.session.as_ref().map(|s| s.id.clone());
        let conn = self.conn()?;
        let sessions: Vec<Option<String>> = {
            let mut stmt =
                conn.prepare("SELECT DISTINCT session FROM ledger WHERE outcome = 'pending'")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut changed = 0;
        for session in sessions {
            if session.is_some() && session == own {
                continue;
            }
            if session.as_deref().is_some_and(|s| alive(&dir, s)) {
                continue;
            }
            changed += conn.execute(
                "UPDATE ledger SET outcome = 'interrupted', session = NULL
                 WHERE outcome = 'pending' AND session IS ?1",
                [&session],
            )?;
        }
        drop(conn);
        remove_dead_session_files(&dir, own.as_deref());
        Ok(changed)
    }
}

/// Known costs plus what is held, plus `bound`, against each applicable hard budget's limit.
pub(crate) fn first_refusal(
    conn: &rusqlite::Connection,
    bound: Option<Usd>,
    now_ms: i64,
    applies: &impl Fn(&Budget) -> bool,
) -> Result<Option<Refusal>, StoreError> {
    for budget in crate::spend::budgets(conn)? {
        if !budget.hard || !applies(&budget) {
            continue;
        }
        let start = period_start(conn, budget.period, now_ms)?;
        let so_far = spent(conn, &budget, start)?;
        let committed = so_far.cost + so_far.held;
        let over = match bound {
            Some(bound) => committed + bound > budget.limit,
            None => committed >= budget.limit,
        };
        if over {
            return Ok(Some(Refusal {
                budget,
                spent: so_far.cost,
                held: so_far.held,
                bound,
                period_start_ms: start,
            }));
        }
    }
    Ok(None)
}

/// Deletes session files no process holds (their rows, if any, were just interrupted).
fn remove_dead_session_files(dir: &Path, own: Option<&str>) {
    let Ok(entries) = std::fs::read_dir(dir.join("sessions")) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if Some(stem) == own || path.extension().is_none_or(|e| e != "lock") {
            continue;
        }
        if let Ok(file) = File::options().write(true).open(&path) {
            match file.try_lock() {
                Ok(()) => {
                    let _ = std::fs::remove_file(&path);
                }
                Err(TryLockError::WouldBlock | TryLockError::Error(_)) => {}
            }
        }
    }
}
