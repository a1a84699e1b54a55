//! `switchboard api-keys` and the client views of `spend` and `budget`, as a user would run
//! them: a key is printed once and never stored, listed masked, revoked by name, and its spend
//! and budgets read by its name.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::Value;
use switchboard_tests::FakeUpstream;

use crate::harness::{Cli, KEY, cli};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file in the data directory (the database, its WAL, backups) that holds `needle`.
fn files_holding(cli: &Cli, needle: &str) -> Vec<std::path::PathBuf> {
    switchboard_tests::files::files_containing(cli.data.path(), needle).0
}

#[test]
fn a_key_is_shown_once_kept_only_as_a_hash_and_listed_masked() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let created = cli.json(&["api-keys", "create", "claude-code", "--json"]);
    let key = created["key"].as_str().unwrap().to_owned();
    assert_eq!(
        created,
        serde_json::json!({"name": "claude-code", "key": key}),
        "exactly {{name, key}}"
    );
    assert!(key.starts_with("sb-") && key.len() >= 46, "{key}");

    let text = cli.run(&["api-keys", "create", "cursor"], None);
    assert!(text.status.success(), "{}", stderr(&text));
    let said = stdout(&text);
    assert!(said.contains("Created client key \"cursor\""), "{said}");
    assert!(said.contains("only time the key is shown"), "{said}");
    assert!(said.contains("keeps only its hash"), "{said}");
    let cursor_key = said
        .split_whitespace()
        .find(|w| w.starts_with("sb-"))
        .expect("the key is printed")
        .to_owned();

    let list = cli.json(&["api-keys", "list", "--json"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["name"], "claude-code");
    assert_eq!(
        rows[0]["key"].as_str().unwrap(),
        format!("sb-…{}", &key[key.len() - 4..]),
        "the last four characters, to tell keys apart"
    );
    assert_eq!(rows[0]["last_used_ms"], Value::Null);
    assert_eq!(rows[0]["revoked"], false);
    let shown = cli.run(&["api-keys", "list"], None);
    let table = stdout(&shown);
    assert!(
        table.contains("claude-code") && table.contains("never"),
        "{table}"
    );
    for secret in [&key, &cursor_key] {
        assert!(!table.contains(secret.as_str()), "a listed key is masked");
        assert!(
            files_holding(&cli, secret).is_empty(),
            "the key itself is nowhere in the data directory"
        );
    }
}

#[test]
fn names_are_checked_and_taken_names_refused() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let evil = cli.run(&["api-keys", "create", "ev\u{1b}[2Jil"], None);
    assert_eq!(evil.status.code(), Some(2), "refused as an argument");
    assert!(stderr(&evil).contains("U+001B"), "{}", stderr(&evil));
    let long = cli.run(&["api-keys", "create", &"n".repeat(65)], None);
    assert_eq!(long.status.code(), Some(2));
    assert!(stderr(&long).contains("at most 64"), "{}", stderr(&long));
    let period_alone = cli.run(&["api-keys", "create", "aider", "--period", "day"], None);
    assert_eq!(
        period_alone.status.code(),
        Some(2),
        "a period is the budget's: {}",
        stderr(&period_alone)
    );

    cli.json(&["api-keys", "create", "aider", "--json"]);
    let again = cli.run(&["api-keys", "create", "AIDER", "--json"], None);
    assert_eq!(again.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(err["error"]["code"], "invalid_input");
    assert!(
        stderr(&again).contains("already named \"AIDER\""),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        cli.json(&["api-keys", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_revoked_key_stays_listed_as_revoked() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    cli.json(&["api-keys", "create", "cursor", "--json"]);
    let revoked = cli.run(&["api-keys", "revoke", "Cursor"], None);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(
        stdout(&revoked).contains("Revoked client key \"cursor\""),
        "{}",
        stdout(&revoked)
    );
    let list = cli.json(&["api-keys", "list", "--json"]);
    assert_eq!(list[0]["revoked"], true);
    assert!(list[0]["revoked_ms"].as_i64().unwrap() > 0);
    assert!(stdout(&cli.run(&["api-keys", "list"], None)).contains("revoked just now"));
    let missing = cli.run(&["api-keys", "revoke", "aider"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("no client key named \"aider\""),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn budgets_and_spend_read_clients_by_name() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let created = cli.run(
        &[
            "api-keys",
            "create",
            "claude-code",
            "--budget",
            "5",
            "--period",
            "day",
        ],
        None,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(
        stdout(&created).contains("hard budget of $5.00 a day"),
        "{}",
        stdout(&created)
    );
    let budgets = cli.json(&["budget", "list", "--json"]);
    let b = &budgets[0]["budget"];
    assert_eq!(
        (b["scope"].as_str(), b["hard"].as_bool()),
        (Some("client"), Some(true))
    );
    assert_eq!(b["scopeLabel"], "claude-code");
    let id = cli.json(&["api-keys", "list", "--json"])[0]["id"].clone();
    assert_eq!(b["scopeValue"], id, "stored by id");
    let listed = stdout(&cli.run(&["budget", "list"], None));
    assert!(
        listed.contains("($5.00 a day for client claude-code)"),
        "named, never its id: {listed}"
    );

    let set = cli.run(
        &[
            "budget",
            "set",
            "--name",
            "cc weekly",
            "--limit",
            "20",
            "--period",
            "week",
            "--client",
            "CLAUDE-CODE",
        ],
        None,
    );
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(
        stdout(&set).contains("($20.00 a week for client claude-code)"),
        "{}",
        stdout(&set)
    );
    let unknown = cli.run(
        &[
            "budget", "set", "--name", "x", "--limit", "1", "--client", "cursor",
        ],
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no client key named \"cursor\""),
        "{}",
        stderr(&unknown)
    );

    // The CLI's own requests carry no client key.
    let chat = cli.json(&["chat", "--json", "--model", "openai/gpt-4o-mini", "hi"]);
    assert_eq!(chat["error"], Value::Null);
    let spend = cli.json(&["spend", "--by", "client", "--json"]);
    assert_eq!(spend["rows"].as_array().unwrap().len(), 1);
    assert_eq!(spend["rows"][0]["label"], "Switchboard app & CLI");
    assert_eq!(spend["rows"][0]["requests"], 1);
    let text = stdout(&cli.run(&["spend", "--by", "client"], None));
    assert!(text.contains("Switchboard app & CLI"), "{text}");
}
