//! Group commit for the writes every request makes: its reservation, its settlement and its
//! generation id.
//!
//! At hundreds of requests a second, one transaction per write is the bottleneck: each pays
//! SQLite's lock, journal and commit on its own. Here a write is queued, then its thread takes
//! the connection; whoever holds it (the leader) runs everything queued so far in one
//! `BEGIN IMMEDIATE` transaction and hands each write its result before letting go, so the
//! threads that queued behind it find their writes already done. Nothing is acknowledged before
//! the transaction that holds it commits, so a caller told "recorded" can rely on it, and each
//! reservation's budget check sees every reservation before it in the same transaction (and
//! other processes' through the write lock), so budgets stay exact.
//!
//! Each write runs inside its own savepoint: one that fails (a constraint, say) is rolled back
//! alone and reports its own error; the rest of the batch commits. If the commit itself fails,
//! every write of the batch is tried again alone, so each gets its own, real error.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rusqlite::{Connection, TransactionBehavior};
use switchboard_core::Budget;

use crate::StoreError;
use crate::ledger::{LedgerEntry, Outcome, insert, settle};
use crate::requests::{Refusal, first_refusal};

/// The most writes one transaction takes: bounds how long the leader holds the lock.
const MAX_BATCH: usize = 256;

/// Which budgets a reservation is checked against.
pub(crate) type Applies = Box<dyn Fn(&Budget) -> bool + Send>;

/// One write on the request path.
pub(crate) enum Write {
    /// Check the worst case against the hard budgets and, if it fits, record the pending row.
    Reserve {
        entry: LedgerEntry,
        client: Option<String>,
        session: Option<String>,
        now_ms: i64,
        applies: Applies,
    },
    /// How a request ended, over its pending row (or as a new row).
    Settle(LedgerEntry),
    /// A pending request's generation id.
    Note { id: String, generation_id: String },
}

/// What a write came to: done, or (a reservation only) the budget it would cross.
pub(crate) type Written = Result<(), Refusal>;

/// The queue of writes waiting for a leader, and the results of those it ran.
#[derive(Default)]
pub(crate) struct GroupCommit {
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    next_ticket: u64,
    waiting: Vec<(u64, Write)>,
    finished: HashMap<u64, Result<Written, StoreError>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // Every change to the queue is a single push, drain or insert: a panic elsewhere
        // cannot leave it half-changed.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `write`; its ticket names its result.
    pub(crate) fn enqueue(&self, write: Write) -> u64 {
        let mut q = self.queue();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push((ticket, write));
        ticket
    }

    /// Runs `ticket`'s write on `conn`, the connection the caller now holds: its result if an
    /// earlier leader already ran it, else this caller leads and runs the queue.
    pub(crate) fn run(&self, conn: &mut Connection, ticket: u64) -> Result<Written, StoreError> {
        loop {
            let batch = {
                let mut q = self.queue();
                if let Some(done) = q.finished.remove(&ticket) {
                    return done;
                }
                let n = q.waiting.len().min(MAX_BATCH);
                q.waiting.drain(..n).collect::<Vec<_>>()
            };
            // Results are handed over before the connection is let go, so a thread that
            // queued behind this batch finds its result as soon as it takes the connection.
            let results = run_batch(conn, &batch);
            let mut q = self.queue();
            for ((t, _), result) in batch.iter().zip(results) {
                q.finished.insert(*t, result);
            }
            // A full batch may have left ours queued: lead again.
        }
    }
}

/// Runs `batch` in one IMMEDIATE transaction, each write in its own savepoint; on a failed
/// begin or commit, each write alone.
fn run_batch(conn: &mut Connection, batch: &[(u64, Write)]) -> Vec<Result<Written, StoreError>> {
    if batch.len() > 1 {
        match together(conn, batch) {
            Ok(results) => return results,
            Err(e) => {
                tracing::warn!(error = %e, writes = batch.len(), "a batch of ledger writes failed; writing each alone")
            }
        }
    }
    batch.iter().map(|(_, w)| alone(conn, w)).collect()
}

fn together(
    conn: &mut Connection,
    batch: &[(u64, Write)],
) -> Result<Vec<Result<Written, StoreError>>, StoreError> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for (_, write) in batch {
        let sp = tx.savepoint()?;
        let result = apply(&sp, write);
        if result.is_ok() {
            sp.commit()?;
        } // else dropped: rolled back to before this write
        results.push(result);
    }
    tx.commit()?;
    Ok(results)
}

fn alone(conn: &mut Connection, write: &Write) -> Result<Written, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let written = apply(&tx, write)?;
    tx.commit()?;
    Ok(written)
}

fn apply(conn: &Connection, write: &Write) -> Result<Written, StoreError> {
    match write {
        Write::Reserve {
            entry,
            client,
            session,
            now_ms,
            applies,
        } => {
            if let Some(refusal) = first_refusal(conn, entry.bound, *now_ms, applies)? {
                return Ok(Err(refusal));
            }
            let mut pending = entry.clone();
            pending.outcome = Outcome::Pending;
            insert(conn, &pending, session.as_deref(), client.as_deref())?;
            Ok(Ok(()))
        }
        Write::Settle(entry) => {
            if !settle(conn, entry)? {
                insert(conn, entry, None, None)?;
            }
            Ok(Ok(()))
        }
        Write::Note { id, generation_id } => {
            conn.prepare_cached(
                "UPDATE ledger SET generation_id = ?2 WHERE id = ?1 AND outcome = 'pending'",
            )?
            .execute(rusqlite::params![id, generation_id])?;
            Ok(Ok(()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchboard_core::{Usage, Usd};

    use super::*;
    use crate::{CostSource, Store};

    fn row(id: &str) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            created_ms: 1_795_500_000_000,
            provider_id: "openrouter".into(),
            model: "m".into(),
            served_model: None,
            served_by: None,
            generation_id: None,
            key_label: None,
            usage: Usage::default(),
            cost: Some(Usd::ZERO),
            cost_source: CostSource::Provider,
            ttft_ms: None,
            latency_ms: None,
            outcome: Outcome::Ok,
            finish_reason: None,
            error_code: None,
            route: None,
            request_id: None,
            attempt: None,
            conversation_id: None,
            agent: None,
            bound: None,
        }
    }

    fn reserve(id: &str) -> (u64, Write) {
        let write = Write::Reserve {
            entry: row(id),
            client: None,
            session: None,
            now_ms: 0,
            applies: Box::new(|_| true),
        };
        (0, write)
    }

    /// One batch, three writes, the middle one a duplicate: it alone fails (its savepoint
    /// rolled back), and the two around it are committed.
    #[test]
    fn a_failing_write_in_a_batch_is_rolled_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(Store::open(&path).unwrap());
        let mut conn = Connection::open(&path).unwrap();
        let batch = vec![reserve("a"), reserve("a"), reserve("b")];
        let results = together(&mut conn, &batch).unwrap();
        assert!(matches!(results[0], Ok(Ok(()))));
        assert!(results[1].is_err(), "the duplicate id fails");
        assert!(matches!(results[2], Ok(Ok(()))));
        let rows: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM ledger WHERE outcome = 'pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 2);
    }
}
