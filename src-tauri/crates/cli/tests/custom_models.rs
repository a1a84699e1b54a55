//! A custom OpenAI-compatible server from the command line: `models --provider NAME` lists what
//! it serves (by its name, never its id, and from the cache once it is off), and `price` gives
//! its models a price so a chat's cost is an estimate rather than unknown.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_tests::FakeUpstream;

use crate::harness::{KEY, cli};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn models_of_a_custom_server_are_listed_by_name_priced_and_kept_offline() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let added = cli.run(
        &["providers", "add", "Desk Ollama", &fake.custom_base()],
        None,
    );
    assert!(added.status.success(), "{}", text(&added.stderr));

    let listed = cli.json(&["models", "--provider", "desk ollama", "--json"]);
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1, "the fake serves one model: {listed}");
    assert_eq!(rows[0]["id"], "llama3.2:3b");
    assert_eq!(rows[0]["provider"], "Desk Ollama", "its name, not its id");
    assert_eq!(
        rows[0]["prompt_usd_per_mtok"],
        serde_json::Value::Null,
        "no price yet: unknown, never 0"
    );
    let table = cli.run(&["models", "--provider", "Desk Ollama"], None);
    let table = text(&table.stdout);
    assert!(
        table.contains("llama3.2:3b") && table.contains("not set"),
        "{table}"
    );
    assert!(
        table.contains("Desk Ollama") && !table.contains("custom:"),
        "{table}"
    );

    let refused = cli.run(
        &["price", "set", "Desk Ollama", "--input=-1", "--output", "0"],
        None,
    );
    assert_eq!(refused.status.code(), Some(1), "a negative price");
    assert!(
        text(&refused.stderr).contains("cannot be negative"),
        "{}",
        text(&refused.stderr)
    );
    let prices = cli.json(&[
        "price",
        "set",
        "Desk Ollama",
        "--input",
        "0.5",
        "--output",
        "$1.5",
        "--json",
    ]);
    assert_eq!(prices[0]["provider"], "Desk Ollama");
    assert_eq!(
        prices[0]["model"],
        serde_json::Value::Null,
        "the provider's default"
    );
    assert_eq!(prices[0]["prompt_usd_per_mtok"], 0.5);
    let listed = cli.json(&["models", "--provider", "Desk Ollama", "--json"]);
    assert_eq!(
        listed[0]["completion_usd_per_mtok"], 1.5,
        "the default prices it"
    );

    let chat = cli.json(&[
        "chat",
        "--provider",
        "Desk Ollama",
        "--model",
        "llama3.2:3b",
        "--json",
        "Say hello",
    ]);
    assert_eq!(chat["cost_source"], "estimate", "{chat}");
    assert!(chat["cost_usd"].as_f64().unwrap() > 0.0, "{chat}");

    drop(fake);
    let offline = cli.json(&["models", "--provider", "Desk Ollama", "--json"]);
    assert_eq!(
        offline[0]["id"], "llama3.2:3b",
        "the cached list serves offline"
    );
    let refresh = cli.run(
        &["models", "--provider", "Desk Ollama", "--refresh", "--json"],
        None,
    );
    assert!(refresh.status.success(), "{}", text(&refresh.stderr));
    let stale: serde_json::Value = serde_json::from_slice(&refresh.stdout).unwrap();
    assert_eq!(
        stale[0]["id"], "llama3.2:3b",
        "a failed refresh keeps the list"
    );
    let why = text(&refresh.stderr);
    assert!(
        why.contains("Desk Ollama's models could not be refreshed") && !why.contains("custom:"),
        "{why}"
    );

    let removed = cli.json(&["price", "rm", "Desk Ollama", "--json"]);
    assert_eq!(removed, serde_json::json!([]));
}

#[test]
fn a_custom_provider_cannot_take_a_built_in_name_in_any_case() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    for name in ["OpenAI", "OPENROUTER", "anthropic"] {
        let out = cli.run(&["providers", "add", name, &fake.custom_base()], None);
        assert_eq!(out.status.code(), Some(1), "{name} was accepted");
        assert!(
            text(&out.stderr).contains("reserved"),
            "{}",
            text(&out.stderr)
        );
    }
    let unknown = cli.run(&["models", "--provider", "nobody"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("no provider nobody"),
        "{}",
        text(&unknown.stderr)
    );
}
