//! Client keys: stored as hashes, found only while valid, revoked but never forgotten, and the
//! spend and budgets that follow them.

use rusqlite::Connection;
use switchboard_core::{Budget, BudgetPeriod, BudgetScope, SpendGrouping, Usd};
use switchboard_store::{
    CostSource, LAST_USED_GRANULARITY_MS, NewClientKey, Outcome, Store, StoreError,
};

use super::{entry, temp_db};

fn key<'a>(id: &'a str, name: &'a str, hash: &'a str) -> NewClientKey<'a> {
    NewClientKey {
        id,
        name,
        hash,
        last4: &hash[hash.len() - 4..],
    }
}

fn client_budget(id: &str, client: &str, limit: &str) -> Budget {
    Budget {
        id: id.into(),
        name: format!("{client} cap"),
        scope: BudgetScope::Client,
        scope_value: Some(client.into()),
        scope_label: None,
        period: BudgetPeriod::All,
        limit: Usd::parse(limit).unwrap(),
        alerts: vec![50, 100],
        hard: true,
    }
}

#[test]
fn keys_are_found_by_hash_only_while_valid_and_stay_listed_once_revoked() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let created = store
        .insert_client_key(key("k1", "claude-code", "00aa11bbwxyz"), None)
        .unwrap();
    assert_eq!(
        (
            created.name.as_str(),
            created.masked.as_str(),
            created.revoked_ms,
            created.last_used_ms
        ),
        ("claude-code", "sb-…wxyz", None, None)
    );
    let err = store
        .insert_client_key(key("k2", "Claude-Code", "ffee0000zzzz"), None)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { .. }),
        "names are unique regardless of case: {err}"
    );
    assert_eq!(
        store
            .client_key_by_hash("00aa11bbwxyz")
            .unwrap()
            .map(|k| k.id),
        Some("k1".into())
    );
    assert_eq!(store.client_key_by_hash("00aa11bbwxy0").unwrap(), None);
    assert_eq!(
        store.client_key("CLAUDE-code").unwrap().map(|k| k.id),
        Some("k1".into()),
        "found by name regardless of case"
    );

    let revoked = store.revoke_client_key("Claude-Code").unwrap();
    let at = revoked.revoked_ms.expect("revoked now");
    assert_eq!(
        store.client_key_by_hash("00aa11bbwxyz").unwrap(),
        None,
        "a revoked key no longer authenticates"
    );
    assert_eq!(
        store.revoke_client_key("k1").unwrap().revoked_ms,
        Some(at),
        "revoking again (by id) keeps when it was first revoked"
    );
    let listed = store.client_keys().unwrap();
    assert_eq!(listed.len(), 1, "revoked keys stay listed");
    assert_eq!(
        (listed[0].name.as_str(), listed[0].revoked_ms),
        ("claude-code", Some(at))
    );
    let err = store.revoke_client_key("cursor").unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let err = store
        .insert_client_key(key("k3", "claude-code", "1234567890ab"), None)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { .. }),
        "a revoked key keeps its name, so its spend still reads as that tool: {err}"
    );
}

#[test]
fn last_used_is_written_at_most_once_a_minute() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .insert_client_key(key("k1", "cursor", "abcdef012345"), None)
        .unwrap();
    let t = 1_795_500_000_000;
    assert!(store.touch_client_key("k1", t).unwrap(), "first use");
    assert!(
        !store.touch_client_key("k1", t + 30_000).unwrap(),
        "used again within the minute: nothing written"
    );
    assert!(
        store
            .touch_client_key("k1", t + LAST_USED_GRANULARITY_MS)
            .unwrap()
    );
    assert_eq!(
        store.client_keys().unwrap()[0].last_used_ms,
        Some(t + LAST_USED_GRANULARITY_MS)
    );
}

#[test]
fn a_key_and_its_budget_are_stored_together_or_not_at_all() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .insert_client_key(
            key("k1", "aider", "aaaaaaaa1111"),
            Some(&client_budget("b1", "k1", "5")),
        )
        .unwrap();
    let budgets = store.budgets().unwrap();
    assert_eq!(budgets.len(), 1);
    assert_eq!(
        (
            budgets[0].scope_value.as_deref(),
            budgets[0].scope_label.as_deref()
        ),
        (Some("k1"), Some("aider")),
        "scoped by id, labelled by name"
    );
    assert_eq!(
        budgets[0].describe(),
        "\"k1 cap\" ($5.00 in all for client aider)"
    );
    // The name is taken: neither the key nor its budget is stored.
    let err = store
        .insert_client_key(
            key("k2", "AIDER", "bbbbbbbb2222"),
            Some(&client_budget("b2", "k2", "1")),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
    assert_eq!(
        store.budgets().unwrap().len(),
        1,
        "no budget without its key"
    );
    assert_eq!(store.client_keys().unwrap().len(), 1);
}

#[test]
fn spend_and_budgets_follow_the_client_that_sent_each_request() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .insert_client_key(key("k1", "claude-code", "aaaaaaaa1111"), None)
        .unwrap();
    store
        .insert_client_key(key("k2", "cursor", "bbbbbbbb2222"), None)
        .unwrap();
    let now = switchboard_store::now_unix_ms();
    let send = |id: &str, client: Option<&str>, cost: &str| {
        let mut pending = entry(id, None, CostSource::Unknown, None);
        pending.created_ms = now;
        pending.outcome = Outcome::Pending;
        pending.bound = Some(Usd::parse("1").unwrap());
        assert!(
            store
                .reserve_request(&pending, client, now, |_| true)
                .unwrap()
                .is_ok()
        );
        let mut done = entry(id, Some(cost), CostSource::Provider, None);
        done.created_ms = now;
        store.settle_request(&done).unwrap();
    };
    send("a1", Some("k1"), "0.25");
    send("a2", Some("k1"), "0.5");
    send("b1", Some("k2"), "0.125");
    send("app", None, "1");
    store.revoke_client_key("cursor").unwrap();

    let rows = store.spend_rows(SpendGrouping::Client, None, None).unwrap();
    let got: Vec<(&str, &str, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.label.as_str(),
                r.cost.to_string(),
                r.requests,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("(none)", "Switchboard app & CLI", "1".into(), 1),
            ("k1", "claude-code", "0.75".into(), 2),
            ("k2", "cursor", "0.125".into(), 1),
        ],
        "settling kept each row's client; a revoked key keeps its name"
    );
    let spent = store.spent(&client_budget("b", "k1", "5"), 0).unwrap();
    assert_eq!(
        (spent.cost.to_string(), spent.held),
        ("0.75".into(), Usd::ZERO),
        "a client's budget counts that client's requests only"
    );
}

#[test]
fn budget_alerts_still_belong_to_their_budget_after_the_v7_table_copy() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.save_budget(&client_budget("b1", "k1", "5")).unwrap();
    assert!(store.mark_alert("b1", 0, 50).unwrap());
    let err = store.mark_alert("no-such-budget", 0, 50).unwrap_err();
    assert!(
        err.to_string().contains("FOREIGN KEY"),
        "an alert needs its budget: {err}"
    );
    store.delete_budget("b1").unwrap();
    let left: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM budget_alert", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "deleting a budget still deletes its alert history");
}
