//! Requests in flight: reservations that every process on the file sees, settling, and the
//! rows a dead process leaves behind.

use std::sync::Arc;

use switchboard_core::{Budget, BudgetPeriod, BudgetScope, Usd};
use switchboard_store::{CostSource, LedgerEntry, Outcome, Store};

use super::{entry, temp_db};

fn usd(s: &str) -> Usd {
    Usd::parse(s).unwrap()
}

fn hard_cap(limit: &str) -> Budget {
    Budget {
        id: "cap".into(),
        name: "cap".into(),
        scope: BudgetScope::Global,
        scope_value: None,
        scope_label: None,
        period: BudgetPeriod::All,
        limit: usd(limit),
        alerts: vec![],
        hard: true,
    }
}

/// A request about to be sent, holding `bound`.
fn pending(id: &str, bound: &str) -> LedgerEntry {
    LedgerEntry {
        bound: Some(usd(bound)),
        outcome: Outcome::Pending,
        cost: None,
        cost_source: CostSource::Unknown,
        usage: Default::default(),
        created_ms: switchboard_store::now_unix_ms(),
        ..entry(id, None, CostSource::Unknown, Some(&format!("gen-{id}")))
    }
}

fn settled(id: &str, cost: &str) -> LedgerEntry {
    LedgerEntry {
        bound: Some(usd("0.02")),
        created_ms: switchboard_store::now_unix_ms(),
        ..entry(
            id,
            Some(cost),
            CostSource::Provider,
            Some(&format!("gen-{id}")),
        )
    }
}

fn reserve(store: &Store, e: &LedgerEntry) -> bool {
    store
        .reserve_request(e, None, switchboard_store::now_unix_ms(), |_| true)
        .unwrap()
        .is_ok()
}

#[test]
fn a_reservation_is_a_pending_row_held_until_it_settles_to_the_real_cost() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.save_budget(&hard_cap("0.05")).unwrap();
    assert!(reserve(&store, &pending("q1", "0.02")));
    let spent = store.spent(&hard_cap("0.05"), 0).unwrap();
    assert_eq!((spent.cost, spent.held), (Usd::ZERO, usd("0.02")));
    assert_eq!(
        store.recent_requests(5).unwrap()[0].outcome,
        Outcome::Pending,
        "the row exists before the request is sent"
    );
    // Reports leave requests in flight out; they are not unknown costs.
    assert_eq!(store.ledger_total().unwrap(), (Usd::ZERO, 0));

    store.settle_request(&settled("q1", "0.013")).unwrap();
    let spent = store.spent(&hard_cap("0.05"), 0).unwrap();
    assert_eq!((spent.cost, spent.held), (usd("0.013"), Usd::ZERO));
    let row = &store.recent_requests(5).unwrap()[0];
    assert_eq!((row.outcome, row.id.as_str()), (Outcome::Ok, "q1"));
    assert_eq!(store.ledger_total().unwrap(), (usd("0.013"), 0));
}

#[test]
fn a_reservation_that_would_cross_a_hard_budget_is_refused_and_records_nothing() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.save_budget(&hard_cap("0.05")).unwrap();
    store.record_request(&settled("done", "0.04")).unwrap();
    let refusal = store
        .reserve_request(
            &pending("q2", "0.02"),
            None,
            switchboard_store::now_unix_ms(),
            |_| true,
        )
        .unwrap()
        .expect_err("0.04 spent + 0.02 worst case > 0.05");
    assert_eq!(refusal.budget.name, "cap");
    assert_eq!((refusal.spent, refusal.held), (usd("0.04"), Usd::ZERO));
    assert_eq!(refusal.bound, Some(usd("0.02")));
    assert_eq!(store.recent_requests(5).unwrap().len(), 1, "no row for it");
    // A budget the request is not in the scope of does not refuse it.
    assert!(
        store
            .reserve_request(
                &pending("q3", "0.02"),
                None,
                switchboard_store::now_unix_ms(),
                |_| { false }
            )
            .unwrap()
            .is_ok()
    );
}

/// The in-memory reservations this replaces let 32 processes spend $0.16 on a $0.05 cap.
#[test]
fn two_stores_on_one_file_see_each_others_reservations_under_concurrency() {
    let (_dir, path) = temp_db();
    let a = Arc::new(Store::open(&path).unwrap());
    let b = Arc::new(Store::open(&path).unwrap());
    a.save_budget(&hard_cap("0.05")).unwrap();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(if i % 2 == 0 { &a } else { &b });
            std::thread::spawn(move || reserve(&store, &pending(&format!("c{i}"), "0.01")))
        })
        .collect();
    let admitted = threads
        .into_iter()
        .filter(|_| true)
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(
        admitted, 5,
        "exactly the five $0.01 worst cases fit under $0.05"
    );
    let held = b.spent(&hard_cap("0.05"), 0).unwrap().held;
    assert_eq!(held, usd("0.05"));
}

#[test]
fn a_dead_processs_pending_rows_become_interrupted_and_a_live_ones_do_not() {
    let (dir, path) = temp_db();
    let live = Store::open(&path).unwrap();
    assert!(reserve(&live, &pending("busy", "0.02")));
    // A process that died mid-request: its row is pending and its session file is there,
    // but nothing holds the file's lock any more.
    drop(Store::open(&path).unwrap());
    let sessions = dir.path().join("sessions");
    std::fs::write(sessions.join("dead-session.lock"), b"").unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO ledger (id, created_ms, provider_id, model, cost_source, outcome,
                generation_id, bound_pico, session)
             VALUES ('crashed', 1, 'openrouter', 'm', 'unknown', 'pending', 'gen-crashed',
                20000000000, 'dead-session')",
            [],
        )
        .unwrap();
    }

    let next = Store::open(&path).unwrap();
    let rows = next.recent_requests(10).unwrap();
    let outcome = |id: &str| rows.iter().find(|r| r.id == id).unwrap().outcome;
    assert_eq!(
        outcome("crashed"),
        Outcome::Interrupted,
        "the dead one's row"
    );
    assert_eq!(
        outcome("busy"),
        Outcome::Pending,
        "the live one's row is left alone"
    );
    assert!(
        !sessions.join("dead-session.lock").exists(),
        "the dead session's file is cleared"
    );
    // Its cost is unknown until reconciled, so its worst case stays held for hard budgets
    // and it is offered to reconciliation by its generation id.
    let spent = next.spent(&hard_cap("1"), 0).unwrap();
    assert_eq!(spent.held, usd("0.04"), "0.02 busy + 0.02 interrupted");
    assert_eq!(spent.unknown, 1, "the interrupted row is an unknown cost");
    assert!(
        next.unreconciled_generations(10, 0)
            .unwrap()
            .contains(&"gen-crashed".to_owned())
    );
    assert!(next.reconcile_cost("gen-crashed", usd("0.0123")).unwrap());
    let spent = next.spent(&hard_cap("1"), 0).unwrap();
    assert_eq!((spent.cost, spent.held), (usd("0.0123"), usd("0.02")));
    drop(live);
}

#[test]
fn a_generation_id_is_noted_while_the_request_is_in_flight() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let mut e = pending("g", "0.01");
    e.generation_id = None;
    assert!(reserve(&store, &e));
    store.note_generation("g", "gen-early").unwrap();
    assert_eq!(
        store.request_by_generation("gen-early").unwrap().as_deref(),
        Some("g")
    );
}

/// The app and the CLI starting together on a new data directory both migrated it: the second
/// failed with "duplicate column name" (found by the CLI's multi-process tests).
#[test]
fn processes_opening_a_new_database_at_once_migrate_it_exactly_once() {
    for _ in 0..5 {
        let (_dir, path) = temp_db();
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version()))
            })
            .collect();
        for t in threads {
            let opened = t.join().unwrap();
            assert!(
                matches!(opened, Ok(Ok(v)) if v == switchboard_store::LATEST_VERSION),
                "{opened:?}"
            );
        }
    }
}

/// Writes on the request path are committed in groups: many threads reserving and settling
/// at once still hold exactly what fits, settle every row, and a write that fails inside a
/// group (a duplicate id) fails alone while the rest of its group commits.
#[test]
fn grouped_writes_stay_exact_and_a_failing_write_fails_alone() {
    let (_dir, path) = temp_db();
    let store = Arc::new(Store::open(&path).unwrap());
    store.save_budget(&hard_cap("0.30")).unwrap();
    store.record_request(&settled("taken", "0")).unwrap();
    // Another process holds the write lock for a moment, so the threads below queue up
    // behind the first and go in as one group when it lets go.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let threads: Vec<_> = (0..48)
        .map(|i| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let id = if i == 7 {
                    "taken".to_owned()
                } else {
                    format!("r{i}")
                };
                let held = store.reserve_request(
                    &pending(&id, "0.01"),
                    None,
                    switchboard_store::now_unix_ms(),
                    // No budget applies to the duplicate: it always reaches its insert.
                    move |_| i != 7,
                );
                (id, held)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    blocker.execute_batch("COMMIT").unwrap();
    let mut admitted = Vec::new();
    let mut refused = 0;
    for t in threads {
        match t.join().unwrap() {
            (id, Ok(Ok(()))) => admitted.push(id),
            (_, Ok(Err(_))) => refused += 1,
            (id, Err(e)) => assert_eq!(id, "taken", "only the duplicate fails: {e}"),
        }
    }
    assert_eq!(
        admitted.len(),
        30,
        "exactly thirty $0.01 worst cases fit under $0.30"
    );
    assert_eq!(refused, 17, "the other seventeen are refused, not lost");
    assert_eq!(store.spent(&hard_cap("0.30"), 0).unwrap().held, usd("0.30"));

    // Every admitted request settles from its own thread at once: all land, at their cost.
    let threads: Vec<_> = admitted
        .into_iter()
        .map(|id| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || store.settle_request(&settled(&id, "0.004")).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let spent = store.spent(&hard_cap("0.30"), 0).unwrap();
    assert_eq!((spent.cost, spent.held), (usd("0.12"), Usd::ZERO));
}
