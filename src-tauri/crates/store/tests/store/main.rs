//! The store against real SQLite files in a temporary directory.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::Connection;
use switchboard_core::{
    BaseUrl, BudgetScope, CustomProvider, Preferences, ProviderId, SpendGrouping, Theme, Usage, Usd,
};
use switchboard_store::{
    CostSource, DB_FILE, LATEST_VERSION, LedgerEntry, MIGRATIONS, Outcome, Store, StoreError,
};

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    (dir, path)
}

/// Builds a database as the build that shipped `version` would have left it, with data in it.
fn database_at(path: &std::path::Path, version: u32) {
    let conn = Connection::open(path).unwrap();
    for m in MIGRATIONS.iter().take(version as usize) {
        conn.execute_batch(m.sql).unwrap();
        conn.pragma_update(None, "user_version", m.version).unwrap();
        seed(&conn, m.version);
    }
}

/// Rows that a user of `version` could have had. Every later migration must keep them.
fn seed(conn: &Connection, version: u32) {
    if version == 7 {
        // A pinned conversation whose answer cost the v6 request: v8 rebuilds the search
        // index (now with prefix indexes) and replaces the indexes that list and total it.
        conn.execute_batch(
            "INSERT INTO conversation (id, title, pinned, created_ms, updated_ms, leaf_turn_id)
               VALUES ('c7', 'Pinned chat', 1, 7, 7, 't7');
             INSERT INTO conversation_column (id, conversation_id, position, provider_id, model,
               params_json) VALUES ('k7', 'c7', 0, 'openrouter', 'openai/gpt-4o', '{}');
             INSERT INTO turn (id, conversation_id, text, created_ms)
               VALUES ('t7', 'c7', 'how do narwhals use their tusks', 7);
             INSERT INTO answer (id, turn_id, column_id, attempt, selected, content, status,
               ledger_id, created_ms)
               VALUES ('a7', 't7', 'k7', 1, 1, 'Their tusks sense the water.', 'complete',
               'r6', 7);",
        )
        .unwrap();
    }
    if version == 6 {
        // A budget whose alert fired: v7 copies both tables into a new shape.
        conn.execute_batch(
            "INSERT INTO budget (id, name, scope, scope_value, period, limit_pico, alerts, hard,
                created_ms)
             VALUES ('b6', 'Daily OpenRouter', 'provider', 'openrouter', 'day', 5000000000000,
                '[50,100]', 1, 6);
             INSERT INTO budget_alert (budget_id, period_start, threshold, fired_ms)
             VALUES ('b6', 1000, 50, 7);
             INSERT INTO ledger (id, created_ms, provider_id, model, cost_pico, cost_source,
                outcome, bound_pico)
             VALUES ('r6', 4, 'openrouter', 'openai/gpt-4o', 2000000000, 'provider', 'ok',
                3000000000);",
        )
        .unwrap();
    }
    if version == 5 {
        conn.execute_batch(
            "INSERT INTO ledger (id, created_ms, provider_id, model, cost_pico, cost_source,
                outcome, agent, conversation_id)
             VALUES ('r5', 3, 'openai', 'gpt-4o-mini', 1500000000, 'estimate', 'cancelled',
                'translator', NULL);",
        )
        .unwrap();
    }
    if version == 4 {
        conn.execute_batch(
            "INSERT INTO ledger (id, created_ms, provider_id, model, cost_pico, cost_source,
                outcome, route, request_id, attempt)
             VALUES ('r4', 2, 'anthropic', 'claude-sonnet-4', NULL, 'unknown', 'error', 'code',
                'q1', 2);",
        )
        .unwrap();
    }
    if version == 3 {
        conn.execute_batch(
            r#"INSERT INTO conversation (id, title, created_ms, updated_ms, leaf_turn_id)
                 VALUES ('c1', 'Seeded chat', 1, 1, 't1');
               INSERT INTO conversation_column (id, conversation_id, position, provider_id, model,
                 params_json) VALUES ('k1', 'c1', 0, 'openrouter', 'anthropic/claude-sonnet-4', '{}');
               INSERT INTO turn (id, conversation_id, text, created_ms)
                 VALUES ('t1', 'c1', 'seeded question about walruses', 1);
               INSERT INTO answer (id, turn_id, column_id, attempt, selected, content, status,
                 ledger_id, created_ms)
                 VALUES ('a1', 't1', 'k1', 1, 1, 'seeded answer', 'complete', 'r1', 1);"#,
        )
        .unwrap();
    }
    if version == 2 {
        conn.execute_batch(
            "INSERT INTO ledger (id, created_ms, provider_id, model, prompt_tokens,
                completion_tokens, cost_pico, cost_source, outcome, generation_id)
             VALUES ('r1', 1, 'openrouter', 'anthropic/claude-sonnet-4', 555, 431, 8130000000,
                'provider', 'ok', 'gen-1');
             INSERT INTO catalogue VALUES ('openrouter', 1, '[]');",
        )
        .unwrap();
    }
    if version == 1 {
        conn.execute_batch(
            r#"INSERT INTO setting VALUES ('preferences', '{"theme":"dark"}', 1);
               INSERT INTO custom_provider VALUES
                 ('custom:00000000-0000-0000-0000-000000000001', 'Ollama', 'http://localhost:11434/v1', 1);"#,
        )
        .unwrap();
    }
}

/// What the seeds of every version up to `from` must look like after migrating.
fn assert_seeds_survived(store: &Store, from: u32) {
    if from >= 1 {
        let prefs = store.preferences().unwrap();
        assert_eq!(prefs.preferences.theme, Theme::Dark, "v1 preferences kept");
        let providers = store.custom_providers().unwrap();
        assert_eq!(providers.len(), 1, "v1 custom provider kept");
        assert_eq!(providers[0].name, "Ollama");
    }
    if from >= 2 {
        let rows = store.recent_requests(10).unwrap();
        let v2 = rows
            .iter()
            .find(|r| r.id == "r1")
            .expect("v2 ledger row kept");
        assert_eq!(v2.cost.unwrap().to_string(), "0.00813");
        assert_eq!(v2.route, None, "rows from before routing have no route");
        assert!(
            store.catalogue("openrouter").unwrap().is_some(),
            "v2 catalogue kept"
        );
    }
    if from >= 4 {
        let rows = store.recent_requests(10).unwrap();
        let v4 = rows
            .iter()
            .find(|r| r.id == "r4")
            .expect("v4 ledger row kept");
        assert_eq!((v4.route.as_deref(), v4.attempt), (Some("code"), Some(2)));
    }
    if from >= 5 {
        let rows = store.recent_requests(10).unwrap();
        let v5 = rows
            .iter()
            .find(|r| r.id == "r5")
            .expect("v5 ledger row kept through the v6 table copy");
        assert_eq!(
            (v5.outcome, v5.cost_source, v5.agent.as_deref(), v5.bound),
            (
                Outcome::Cancelled,
                CostSource::Estimate,
                Some("translator"),
                None
            )
        );
        assert_eq!(v5.cost.unwrap().to_string(), "0.0015");
    }
    if from >= 6 {
        let budgets = store.budgets().unwrap();
        assert_eq!(budgets.len(), 1, "v6 budget kept through the v7 table copy");
        let b = &budgets[0];
        assert_eq!(
            (
                b.id.as_str(),
                b.name.as_str(),
                b.scope,
                b.scope_value.as_deref()
            ),
            (
                "b6",
                "Daily OpenRouter",
                BudgetScope::Provider,
                Some("openrouter")
            )
        );
        assert_eq!(
            (b.limit.to_string(), b.alerts.as_slice()),
            ("5".into(), &[50, 100][..])
        );
        assert!(
            !store.mark_alert("b6", 1000, 50).unwrap(),
            "the alert that fired before v7 is still on record, so it does not fire again"
        );
        let rows = store.recent_requests(10).unwrap();
        let v6 = rows
            .iter()
            .find(|r| r.id == "r6")
            .expect("v6 ledger row kept");
        assert_eq!(v6.cost.unwrap().to_string(), "0.002");
        let by_client = store.spend_rows(SpendGrouping::Client, None, None).unwrap();
        assert_eq!(
            by_client
                .iter()
                .map(|r| r.label.as_str())
                .collect::<Vec<_>>(),
            ["Switchboard app & CLI"],
            "requests from before client keys were the app's or the CLI's"
        );
    }
    if from >= 3 {
        let view = store
            .conversation_view(&switchboard_core::ConversationId::from("c1"))
            .unwrap();
        assert_eq!(view.turns.len(), 1, "v3 turn kept");
        assert_eq!(
            view.turns[0].answers[0].content, "seeded answer",
            "v3 answer kept"
        );
        assert_eq!(
            view.total_cost.to_string(),
            "0.00813",
            "v3 answer still reads its cost from the v2 ledger row"
        );
        let rows = store.recent_requests(10).unwrap();
        let r1 = rows.iter().find(|r| r.id == "r1").unwrap();
        assert_eq!(
            r1.conversation_id.as_deref(),
            Some("c1"),
            "v4 learns an old request's conversation from its answer"
        );
        assert_eq!(
            store.search("walruses", 5).unwrap().len(),
            1,
            "v3 search index kept"
        );
        let hits = store.search("seeded answer", 5).unwrap();
        assert_eq!(
            hits.iter()
                .map(|h| h.answer_id.as_ref().map(|a| a.as_str()))
                .collect::<Vec<_>>(),
            [Some("a1")],
            "v3 answers are in the search index v8 rebuilt"
        );
    }
    if from >= 7 {
        for prefix in ["tu", "tus", "tusk", "tusks"] {
            let hits = store.search(prefix, 5).unwrap();
            assert_eq!(hits.len(), 1, "{prefix}: question and answer are one hit");
            let hit = &hits[0];
            assert_eq!(hit.turn_id, "t7");
            let (s, e) = hit.highlights[0];
            assert_eq!(&hit.snippet[s as usize..e as usize], "tusks", "{prefix}");
        }
        let first = store.conversation_summaries_after(None, 1).unwrap();
        assert_eq!(
            first[0].id, "c7",
            "the pinned v7 conversation leads the sidebar"
        );
        assert_eq!(
            first[0].total_cost.to_string(),
            "0.002",
            "totalled through v8's index"
        );
        let rest = store
            .conversation_summaries_after(first.last(), 10)
            .unwrap();
        assert_eq!(
            rest.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["c1"],
            "the next page starts after it"
        );
        let (view, skipped) = store
            .conversation_window(&switchboard_core::ConversationId::from("c7"), None, 1)
            .unwrap();
        assert_eq!(
            (view.turns[0].text.as_str(), view.turns[0].version, skipped),
            ("how do narwhals use their tusks", 1, 0)
        );
        assert_eq!(view.total_cost.to_string(), "0.002");
    }
}

fn schema(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn migrations_are_numbered_without_gaps() {
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(
            m.version as usize,
            i + 1,
            "migration {} out of order",
            m.name
        );
    }
    assert_eq!(LATEST_VERSION as usize, MIGRATIONS.len());
}

#[test]
fn every_earlier_version_migrates_to_the_latest_schema_keeping_its_data() {
    let (_fresh_dir, fresh_path) = temp_db();
    drop(Store::open(&fresh_path).unwrap());
    let fresh_schema = schema(&Connection::open(&fresh_path).unwrap());

    for from in 0..=LATEST_VERSION {
        let (_dir, path) = temp_db();
        database_at(&path, from);
        let store = Store::open(&path).unwrap_or_else(|e| panic!("from v{from}: {e}"));
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        store.integrity_check().unwrap();
        assert_seeds_survived(&store, from);
        drop(store);
        assert_eq!(
            schema(&Connection::open(&path).unwrap()),
            fresh_schema,
            "migrating from v{from} must give the same schema as a fresh database"
        );
    }
}

#[test]
fn a_database_from_a_newer_build_is_refused_and_left_alone() {
    let (_dir, path) = temp_db();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (42);")
        .unwrap();
    conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    let kept: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT x FROM future", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 42);
}

#[test]
fn opens_in_wal_mode_with_fts5_available() {
    let (_dir, path) = temp_db();
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fts5: i64 = conn
        .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fts5, 1, "full-text search needs FTS5 compiled in");
}

#[test]
fn preferences_round_trip_and_unreadable_ones_are_kept_aside() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.preferences().unwrap().preferences,
        Preferences::default()
    );

    let mut prefs = Preferences {
        theme: Theme::Light,
        ..Preferences::default()
    };
    prefs.base_urls.openrouter = Some(BaseUrl::parse("http://127.0.0.1:9/api/v1").unwrap());
    store.save_preferences(&prefs).unwrap();
    assert_eq!(store.preferences().unwrap().preferences, prefs);

    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE setting SET value = '{not json' WHERE key = 'preferences'",
            [],
        )
        .unwrap();
    let loaded = store.preferences().unwrap();
    assert_eq!(loaded.preferences, Preferences::default());
    let aside = loaded
        .quarantined_as
        .expect("bad document is kept, not dropped");
    let kept: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT value FROM setting WHERE key = ?1", [&aside], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, "{not json");
}

fn custom(name: &str, url: &str) -> CustomProvider {
    CustomProvider {
        id: ProviderId::custom(uuid::Uuid::new_v4()),
        name: name.into(),
        base_url: BaseUrl::parse(url).unwrap(),
    }
}

#[test]
fn custom_providers_have_unique_names_and_delete_for_real() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let ollama = custom("Ollama", "http://localhost:11434/v1");
    store.insert_custom_provider(&ollama).unwrap();
    let err = store
        .insert_custom_provider(&custom("ollama", "http://x/v1"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");

    let mut renamed = ollama.clone();
    renamed.name = "Local Ollama".into();
    store.update_custom_provider(&renamed).unwrap();
    assert_eq!(store.custom_providers().unwrap(), vec![renamed]);

    store.delete_custom_provider(&ollama.id).unwrap();
    assert!(store.custom_providers().unwrap().is_empty());
    let err = store.delete_custom_provider(&ollama.id).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

#[test]
fn a_full_disk_is_reported_as_such_and_loses_nothing_saved() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let first = custom("Kept", "http://kept/v1");
    store.insert_custom_provider(&first).unwrap();
    store.cap_size(0).unwrap();

    let long_url = format!("http://{}/v1", "a".repeat(60));
    let mut saw_full = false;
    for i in 0..10_000 {
        match store.insert_custom_provider(&custom(&format!("p{i}"), &long_url)) {
            Ok(()) => {}
            Err(StoreError::DiskFull) => {
                saw_full = true;
                break;
            }
            Err(other) => panic!("expected DiskFull, got {other}"),
        }
    }
    assert!(saw_full, "the size cap must be hit");
    assert!(store.custom_providers().unwrap().contains(&first));
    store.integrity_check().unwrap();
}

fn entry(
    id: &str,
    cost: Option<&str>,
    source: CostSource,
    generation: Option<&str>,
) -> LedgerEntry {
    LedgerEntry {
        id: id.into(),
        created_ms: 1_795_500_000_000,
        provider_id: "openrouter".into(),
        model: "m".into(),
        served_model: None,
        served_by: None,
        generation_id: generation.map(Into::into),
        key_label: Some("keychain ••••abcd".into()),
        usage: Usage {
            prompt_tokens: 10,
            completion_tokens: 20,
            ..Usage::default()
        },
        cost: cost.map(|c| Usd::parse(c).unwrap()),
        cost_source: source,
        ttft_ms: Some(120),
        latency_ms: Some(900),
        outcome: Outcome::Ok,
        finish_reason: Some("stop".into()),
        error_code: None,
        route: Some("code".into()),
        request_id: Some(format!("req-{id}")),
        attempt: Some(1),
        conversation_id: None,
        agent: None,
        bound: None,
    }
}

#[test]
fn routed_attempts_keep_their_route_and_the_history_feeds_the_router() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    for i in 0..5 {
        let mut e = entry(&format!("r{i}"), Some("0.001"), CostSource::Provider, None);
        e.created_ms += i;
        e.attempt = Some(u32::try_from(i).unwrap() + 1);
        e.outcome = if i == 2 {
            Outcome::Error
        } else if i == 3 {
            Outcome::Cancelled
        } else {
            Outcome::Ok
        };
        store.record_request(&e).unwrap();
    }
    let rows = store.recent_requests(1).unwrap();
    assert_eq!(
        (rows[0].route.as_deref(), rows[0].attempt),
        (Some("code"), Some(5))
    );
    let history = store.target_history(0, 3).unwrap();
    // The newest three per target, oldest first, without the cancelled one.
    let outcomes: Vec<bool> = history.iter().map(|h| h.ok).collect();
    assert_eq!(outcomes, [true, false, true]);
    assert_eq!(history[0].ttft_ms, Some(120));
    assert!(store.target_history(1_795_500_000_004, 10).unwrap().len() == 1);
}

#[test]
fn settings_round_trip_and_unreadable_ones_are_moved_aside() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.setting("router").unwrap(), None);
    store.put_setting("router", "{}").unwrap();
    store.put_setting("router", "{\"routes\":[]}").unwrap();
    assert_eq!(
        store.setting("router").unwrap().as_deref(),
        Some("{\"routes\":[]}")
    );
    let aside = store.quarantine_setting("router").unwrap();
    assert!(aside.starts_with("router.unreadable."));
    assert_eq!(store.setting("router").unwrap(), None);
    assert!(
        store.setting(&aside).unwrap().is_some(),
        "kept for the user"
    );
}

#[test]
fn ledger_sums_are_exact_and_unknown_costs_are_kept_apart() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    for i in 0..10 {
        store
            .record_request(&entry(
                &format!("r{i}"),
                Some("0.1"),
                CostSource::Provider,
                None,
            ))
            .unwrap();
    }
    store
        .record_request(&entry("unknown", None, CostSource::Unknown, None))
        .unwrap();
    let (total, unknown) = store.ledger_total().unwrap();
    assert_eq!(total.to_string(), "1", "ten times 0.1 is exactly 1");
    assert_eq!(
        unknown, 1,
        "the unknown-cost row is counted, not summed as zero"
    );
    let rows = store.recent_requests(100).unwrap();
    assert_eq!(rows.len(), 11);
    assert_eq!(
        rows.iter().find(|r| r.id == "r3").unwrap(),
        &entry("r3", Some("0.1"), CostSource::Provider, None),
        "every field reads back as written"
    );
}

#[test]
fn estimates_are_reconciled_with_the_providers_cost_once() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .record_request(&entry(
            "a",
            Some("0.002"),
            CostSource::Estimate,
            Some("gen-a"),
        ))
        .unwrap();
    store
        .record_request(&entry(
            "b",
            Some("0.5"),
            CostSource::Provider,
            Some("gen-b"),
        ))
        .unwrap();
    assert_eq!(
        store.unreconciled_generations(10, 0).unwrap(),
        vec!["gen-a".to_string()]
    );
    assert!(
        store
            .reconcile_cost("gen-a", Usd::parse("0.00213").unwrap())
            .unwrap()
    );
    assert!(
        !store
            .reconcile_cost("gen-b", Usd::parse("9").unwrap())
            .unwrap(),
        "a provider cost is never overwritten"
    );
    let rows = store.recent_requests(10).unwrap();
    let a = rows.iter().find(|r| r.id == "a").unwrap();
    assert_eq!(
        (a.cost.unwrap().to_string(), a.cost_source),
        ("0.00213".into(), CostSource::Provider)
    );
    assert!(store.unreconciled_generations(10, 0).unwrap().is_empty());
}

#[test]
fn the_catalogue_cache_is_replaced_not_appended() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert!(store.catalogue("openrouter").unwrap().is_none());
    store.save_catalogue("openrouter", "[1]").unwrap();
    store.save_catalogue("openrouter", "[2]").unwrap();
    assert_eq!(
        store.catalogue("openrouter").unwrap().unwrap().models_json,
        "[2]"
    );
}

mod agents;
mod client_keys;
mod requests;

mod spend {
    use switchboard_core::{Budget, BudgetPeriod, BudgetScope, SpendGrouping, Usd};
    use switchboard_store::{CostSource, Outcome, Store};

    use super::{entry, temp_db};

    const DAY: i64 = 86_400_000;

    fn budget(scope: BudgetScope, value: Option<&str>, period: BudgetPeriod) -> Budget {
        Budget {
            id: format!("b-{}-{}", scope.as_str(), period.as_str()),
            name: "test".into(),
            scope,
            scope_value: value.map(Into::into),
            scope_label: None,
            period,
            limit: Usd::parse("1.00").unwrap(),
            alerts: vec![50, 80, 100],
            hard: true,
        }
    }

    #[test]
    fn periods_start_at_local_midnight_monday_and_the_first() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let now = 1_795_500_000_000; // a Tuesday afternoon in November 2026 (UTC)
        let day = store.period_start(BudgetPeriod::Day, now).unwrap();
        assert!(day <= now && now - day < DAY + 3_600_000, "{day}");
        let week = store.period_start(BudgetPeriod::Week, now).unwrap();
        assert!(week <= day && day - week < 7 * DAY + 3_600_000);
        let month = store.period_start(BudgetPeriod::Month, now).unwrap();
        assert!(month <= week || month <= day);
        assert_eq!(store.period_start(BudgetPeriod::All, now).unwrap(), 0);
        // The period start itself starts its period (idempotent), in the user's calendar.
        assert_eq!(store.period_start(BudgetPeriod::Week, week).unwrap(), week);
        assert_eq!(
            store.period_start(BudgetPeriod::Month, month).unwrap(),
            month
        );
        assert_eq!(
            store
                .period_start(BudgetPeriod::Day, day + DAY / 2)
                .unwrap(),
            day
        );
    }

    #[test]
    fn budgets_are_saved_listed_replaced_and_deleted() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let mut b = budget(BudgetScope::Provider, Some("openrouter"), BudgetPeriod::Day);
        store.save_budget(&b).unwrap();
        b.limit = Usd::parse("2.50").unwrap();
        b.alerts = vec![90];
        store.save_budget(&b).unwrap();
        assert_eq!(store.budgets().unwrap(), [b.clone()]);
        assert!(store.mark_alert(&b.id, 0, 90).unwrap());
        assert!(
            !store.mark_alert(&b.id, 0, 90).unwrap(),
            "each threshold fires once a period"
        );
        assert!(
            store.mark_alert(&b.id, 1, 90).unwrap(),
            "and again next period"
        );
        store.delete_budget(&b.id).unwrap();
        assert!(store.budgets().unwrap().is_empty());
        assert!(store.delete_budget(&b.id).is_err());
    }

    #[test]
    fn spend_sums_exactly_by_scope_and_keeps_unknown_costs_apart() {
        let (_dir, path) = temp_db();
        let store = Store::open(&path).unwrap();
        let mut rows = Vec::new();
        for (i, (provider, model, cost, conv)) in [
            ("openrouter", "a/one", Some("0.10"), Some("c1")),
            ("openrouter", "a/one", Some("0.20"), Some("c1")),
            ("openrouter", "b/two", None, Some("c2")),
            ("anthropic", "claude", Some("0.05"), None),
        ]
        .into_iter()
        .enumerate()
        {
            let mut e = entry(&format!("s{i}"), cost, CostSource::Provider, None);
            e.provider_id = provider.into();
            e.model = model.into();
            e.conversation_id = conv.map(Into::into);
            e.created_ms = 1_795_500_000_000 + i64::try_from(i).unwrap() * DAY;
            e.outcome = Outcome::Ok;
            store.record_request(&e).unwrap();
            rows.push(e);
        }
        let or = store
            .spent(
                &budget(BudgetScope::Provider, Some("openrouter"), BudgetPeriod::All),
                0,
            )
            .unwrap();
        assert_eq!((or.cost.to_string(), or.unknown), ("0.3".into(), 1));
        let all = store
            .spent(&budget(BudgetScope::Global, None, BudgetPeriod::All), 0)
            .unwrap();
        assert_eq!(all.cost.to_string(), "0.35");
        let model = store
            .spent(
                &budget(BudgetScope::Model, Some("a/one"), BudgetPeriod::All),
                rows[1].created_ms,
            )
            .unwrap();
        assert_eq!(model.cost.to_string(), "0.2", "only since the period start");
        let conv = store
            .spent(
                &budget(BudgetScope::Conversation, Some("c1"), BudgetPeriod::All),
                0,
            )
            .unwrap();
        assert_eq!(conv.cost.to_string(), "0.3");

        let by_model = store.spend_rows(SpendGrouping::Model, None, None).unwrap();
        let keys: Vec<(&str, String, u64)> = by_model
            .iter()
            .map(|r| (r.key.as_str(), r.cost.to_string(), r.unknown_requests))
            .collect();
        assert_eq!(
            keys,
            [
                ("a/one", "0.3".into(), 0),
                ("claude", "0.05".into(), 0),
                ("b/two", "0".into(), 1)
            ],
            "costliest first; unknown-only groups last"
        );
        let by_day = store.spend_rows(SpendGrouping::Day, None, None).unwrap();
        assert_eq!(by_day.len(), 4);
        assert!(
            by_day.windows(2).all(|w| w[0].key < w[1].key),
            "oldest first"
        );
        let by_week = store.spend_rows(SpendGrouping::Week, None, None).unwrap();
        let total: Usd = by_week.iter().map(|r| r.cost).sum();
        assert_eq!(total.to_string(), "0.35");
        let ranged = store
            .spend_rows(
                SpendGrouping::Provider,
                Some(rows[1].created_ms),
                Some(rows[3].created_ms),
            )
            .unwrap();
        assert_eq!(ranged.len(), 1);
        assert_eq!(
            (ranged[0].requests, ranged[0].cost.to_string()),
            (2, "0.2".into())
        );
        let convs = store
            .spend_rows(SpendGrouping::Conversation, None, None)
            .unwrap();
        assert!(convs.iter().any(|r| r.key == "(none)"));
    }
}

#[test]
fn the_open_conversation_is_remembered_until_it_is_deleted() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.last_conversation().unwrap(), None, "nothing yet");
    let id = store
        .create_conversation(&[switchboard_core::ColumnSpec {
            provider: "openrouter".parse().unwrap(),
            model: "a/one".into(),
            params: Default::default(),
        }])
        .unwrap();
    store.set_last_conversation(Some(&id)).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .last_conversation()
            .unwrap()
            .as_ref()
            .map(|c| c.as_str()),
        Some(id.as_str()),
        "kept across a restart"
    );
    store.delete_conversation(&id).unwrap();
    assert_eq!(
        store.last_conversation().unwrap(),
        None,
        "a deleted conversation is not reopened"
    );
    store.set_last_conversation(Some(&id)).unwrap();
    store.set_last_conversation(None).unwrap();
    assert_eq!(store.last_conversation().unwrap(), None, "cleared");
}
