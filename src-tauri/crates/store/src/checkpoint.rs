//! Moves the write-ahead log back into the database file off the request path.
//!
//! SQLite checkpoints on its own inside whichever commit pushes the log past 1,000 pages, and
//! that commit pays for copying the pages and two fsyncs: several milliseconds on an ordinary
//! disk, once every few dozen requests. Measured on the local API at 100 requests/s, that was
//! the whole p99 tail (5–6 ms with it, under 2 ms without). So the writer connection turns
//! automatic checkpoints off, and this thread checkpoints instead on its own connection, in
//! PASSIVE mode, which never waits for and never blocks a reader or a writer.
//!
//! The thread sleeps until the writer connection has been used, then checkpoints at most once
//! per [`PAUSE`]; an idle app costs no wake-ups.
//!
//! The log is rewritten from its start only when a write begins after a checkpoint copied all
//! of it; under constant writes a background checkpoint may never finish before the next
//! commit lands. So the writer keeps SQLite's automatic checkpoint as a backstop at
//! [`BACKSTOP_PAGES`] (ten times the default): run inside a commit, it copies everything, and
//! the log is bounded as before. If the thread cannot start, the default stays.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// The writer's automatic checkpoint, in log pages, while this thread runs (SQLite's default
/// is 1,000): about 40 MB of log before a commit pays for a checkpoint.
pub(crate) const BACKSTOP_PAGES: i64 = 10_000;

/// The least time between two checkpoints while writes keep coming.
const PAUSE: Duration = Duration::from_millis(200);

/// The background checkpoint of one database; stops (after a last checkpoint) when dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    signal: Arc<Signal>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug, Default)]
struct Signal {
    /// Set by every use of the writer connection, cleared by each checkpoint.
    dirty: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
}

impl Signal {
    fn stopped(&self) -> std::sync::MutexGuard<'_, bool> {
        self.stop.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits up to `timeout` (forever with `None`) for a stop or, when `for_dirty`, for the
    /// writer to be used. Returns whether to stop.
    fn wait(&self, timeout: Option<Duration>, for_dirty: bool) -> bool {
        let keep_waiting =
            |stop: &mut bool| !(*stop || for_dirty && self.dirty.load(Ordering::Acquire));
        let guard = self.stopped();
        let guard = match timeout {
            Some(t) => {
                self.wake
                    .wait_timeout_while(guard, t, keep_waiting)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => self
                .wake
                .wait_while(guard, keep_waiting)
                .unwrap_or_else(PoisonError::into_inner),
        };
        *guard
    }
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (already in WAL mode) on a thread of its
    /// own; `None` when its connection or thread cannot be had.
    pub(crate) fn start(path: &Path) -> Option<Self> {
        let conn = match Connection::open(path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "no background checkpoint: SQLite checkpoints inline");
                return None;
            }
        };
        let signal = Arc::new(Signal::default());
        let theirs = Arc::clone(&signal);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".to_owned())
            .spawn(move || run(&conn, &theirs))
            .ok()?;
        Some(Self {
            signal,
            thread: Some(thread),
        })
    }

    /// Says the writer connection was used: a checkpoint follows within [`PAUSE`]. Cheap
    /// enough for every use (one atomic swap; a notify only on the first since a checkpoint).
    pub(crate) fn mark(&self) {
        if !self.signal.dirty.swap(true, Ordering::AcqRel) {
            let _stop = self.signal.stopped();
            self.signal.wake.notify_one();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        *self.signal.stopped() = true;
        self.signal.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: &Connection, signal: &Signal) {
    loop {
        // Asleep until the writer is used, then let writes gather for a moment.
        let stop = signal.wait(None, true) || signal.wait(Some(PAUSE), false);
        signal.dirty.store(false, Ordering::Release);
        checkpoint(conn);
        if stop {
            return;
        }
    }
}

fn checkpoint(conn: &Connection) {
    // PASSIVE copies what no reader still needs and returns; a busy database is not an error.
    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        row.get::<_, i64>(0)
    });
    if let Err(e) = done {
        tracing::debug!(error = %e, "background checkpoint failed; the next one retries");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits for a state (every row's page copied into the database file), never for a time.
    fn wait_until_copied(path: &Path, rows: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        // Each 4,000-byte row fills a 4 KiB page of its own.
        while std::fs::metadata(path).unwrap().len() < rows * 4096 {
            assert!(
                std::time::Instant::now() < deadline,
                "{rows} rows never reached the database file"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn writes_reach_the_database_file_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        // No checkpoint inside a commit at all, so only the background one can copy pages.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB);")
            .unwrap();
        let checkpointer = Checkpointer::start(&path).unwrap();
        for round in 1..=3 {
            for _ in 0..200 {
                conn.execute("INSERT INTO t VALUES (zeroblob(4000))", [])
                    .unwrap();
                checkpointer.mark();
            }
            // Without the background checkpoint nothing would ever reach the file.
            wait_until_copied(&path, round * 200);
        }
        drop(checkpointer);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 600);
    }
}
