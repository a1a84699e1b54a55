//! `switchboard models`, `key`, `providers add|remove` and stdin prompts, as a new user would
//! run them, against the loopback fake upstream.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use switchboard_tests::FakeUpstream;

use crate::harness::{KEY, cli};

#[test]
fn models_lists_the_catalogue_with_honest_prices_and_works_offline() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let all = cli.json(&["models", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 320, "the recorded catalogue");

    let claude = cli.json(&["models", "--json", "--search", "claude-3.7-sonnet"]);
    let sonnet = claude
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "anthropic/claude-3.7-sonnet")
        .expect("found by search");
    assert_eq!(
        sonnet["prompt_usd_per_mtok"], 3.0,
        "$3 per million input tokens"
    );
    assert_eq!(sonnet["completion_usd_per_mtok"], 15.0);
    assert_eq!(sonnet["variable_pricing"], false);
    assert!(
        sonnet["input_modalities"]
            .as_array()
            .unwrap()
            .contains(&"image".into())
    );
    for key in [
        "id",
        "name",
        "context_length",
        "input_modalities",
        "output_modalities",
        "prompt_usd_per_mtok",
        "completion_usd_per_mtok",
        "variable_pricing",
        "supported_parameters",
    ] {
        assert!(sonnet.get(key).is_some(), "{key} is part of the interface");
    }

    let by_price = cli.json(&["models", "--json", "--sort", "price"]);
    let rows = by_price.as_array().unwrap();
    let auto = rows
        .iter()
        .position(|m| m["id"] == "openrouter/auto")
        .unwrap();
    assert_eq!(rows[auto]["variable_pricing"], true);
    assert_eq!(
        rows[auto]["prompt_usd_per_mtok"],
        Value::Null,
        "variable is not a price"
    );
    assert!(
        rows[auto..].iter().all(|m| m["variable_pricing"] == true),
        "variable prices are kept out of the sort: they all come last"
    );
    let prices: Vec<f64> = rows[..auto]
        .iter()
        .map(|m| m["prompt_usd_per_mtok"].as_f64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first");

    let images = cli.json(&["models", "--json", "--modality", "image"]);
    assert!(
        images.as_array().unwrap().iter().all(|m| {
            m["input_modalities"]
                .as_array()
                .unwrap()
                .contains(&"image".into())
                || m["output_modalities"]
                    .as_array()
                    .unwrap()
                    .contains(&"image".into())
        }),
        "the modality filter holds"
    );

    drop(fake);
    let offline = cli.run(&["models", "--json", "--refresh"], None);
    assert!(offline.status.success(), "the cache serves offline");
    assert!(
        String::from_utf8_lossy(&offline.stderr).contains("cached"),
        "and the user is told: {}",
        String::from_utf8_lossy(&offline.stderr)
    );
}

#[test]
fn key_shows_the_openrouter_keys_usage_limit_and_rate_limit() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let key = cli.json(&["key", "--json"]);
    for field in [
        "label",
        "usage_usd",
        "limit_usd",
        "limit_remaining_usd",
        "is_free_tier",
        "rate_limit",
    ] {
        assert!(key.get(field).is_some(), "{field} in {key}");
    }
    assert!(key["usage_usd"].is_number());
    let text = cli.run(&["key"], None);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("usage"));
}

#[test]
fn a_new_user_adds_a_local_server_and_chats_with_it() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let overview = cli.json(&[
        "providers",
        "add",
        "Local Llama",
        &fake.custom_base(),
        "--json",
    ]);
    assert!(
        overview["providers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Local Llama"),
        "{overview}"
    );
    let out = cli.run(
        &[
            "chat",
            "--provider",
            "local llama",
            "--model",
            "llama3.2",
            "Hello, local model",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Hello, local model"),
        "the local server's answer is printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let record = cli.run(
        &[
            "chat",
            "--json",
            "--provider",
            "Local Llama",
            "--model",
            "llama3.2",
            "-",
        ],
        Some("a prompt from stdin"),
    );
    let record: Value = serde_json::from_slice(&record.stdout).unwrap();
    assert!(
        record["content"]
            .as_str()
            .unwrap()
            .contains("a prompt from stdin")
    );
    assert_eq!(
        record["cost_source"], "unknown",
        "a local server's price is unknown"
    );
    assert_eq!(record["cost_usd"], Value::Null);

    let removed = cli.json(&["providers", "remove", "Local Llama", "--json"]);
    assert_eq!(removed["providers"].as_array().unwrap().len(), 3);
    let gone = cli.run(
        &["chat", "--provider", "Local Llama", "--model", "m", "hi"],
        None,
    );
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no provider"));
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let empty = cli.run(&["chat", "--model", "m", "-"], Some("   "));
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));
    let bad_url = cli.run(&["providers", "add", "X", "localhost:1234"], None);
    assert_eq!(bad_url.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("base URL"));
    let usage = cli.run(&["chat", "hello"], None);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "clap's usage error for a missing --model"
    );
}

const ROUTING: &str = r#"
[[routes]]
name = "code"
[[routes.targets]]
provider = "openrouter"
model = "first/model"
[[routes.targets]]
provider = "openrouter"
model = "second/model"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }
"#;

#[test]
fn route_import_explain_export_and_a_routed_chat_with_its_attempts() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let file = cli.data.path().join("routing.toml");

    std::fs::write(
        &file,
        ROUTING.replace("then = { route = \"code\" }", "then = { route = 3 }"),
    )
    .unwrap();
    let out = cli.run(&["route", "import", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("routing.toml: line 14: "), "{err}");

    std::fs::write(&file, ROUTING).unwrap();
    let out = cli.run(&["route", "import", file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "imported 1 route(s), 1 rule(s), 0 limit(s)\n"
    );

    let explained = cli.json(&[
        "route",
        "explain",
        "--task",
        "code",
        "--json",
        "fix this bug",
    ]);
    assert_eq!(explained["rule"], "code questions");
    assert_eq!(explained["route"], "code");
    assert_eq!(explained["order"][0]["model"], "first/model");
    assert_eq!(explained["request"]["prompt_tokens"], 3);
    let text = cli.run(&["route", "explain", "--route", "code", "hello"], None);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("✓ openrouter first/model"), "{text}");
    assert!(
        text.contains("route \"code\" (priority): openrouter first/model chosen"),
        "{text}"
    );

    fake.enqueue(switchboard_tests::Reply::Status {
        status: 503,
        retry_after: None,
        body: None,
    });
    fake.enqueue(switchboard_tests::Reply::Status {
        status: 503,
        retry_after: None,
        body: None,
    });
    let chat = cli.json(&["chat", "--route", "code", "--json", "hello"]);
    assert_eq!(chat["content"], "Echo: hello");
    assert_eq!(chat["route"], "code");
    let attempts: Vec<(String, String, String)> = chat["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a["ms"].is_u64());
            (
                a["model"].as_str().unwrap().to_owned(),
                a["outcome"].as_str().unwrap().to_owned(),
                a["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        attempts,
        [
            s("first/model", "error", "upstream"),
            s("first/model", "error", "upstream"),
            s("second/model", "ok", ""),
        ],
        "one retry on a 5xx, then the next target"
    );
    assert_eq!(chat["attempts"][0]["provider"], "openrouter");

    let out = cli.run(&["route", "export", "-"], None);
    let exported = String::from_utf8_lossy(&out.stdout);
    assert!(exported.starts_with("# Switchboard routing"), "{exported}");
    assert!(exported.contains("name = \"code questions\""), "{exported}");
}

#[test]
fn spend_reports_exactly_and_a_budget_set_from_the_cli_refuses_what_would_cross_it() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    cli.json(&["models", "--json"]); // the catalogue gives the worst case its prices
    for _ in 0..2 {
        fake.enqueue(switchboard_tests::Reply::fixture("7buJmKWfmK3")); // costs $0.0013545
        let out = cli.json(&["chat", "--json", "--model", "openai/gpt-3.5-turbo", "hi"]);
        assert_eq!(out["cost_usd"], 0.0013545);
        assert!(
            out.get("attempts").is_none(),
            "the published record is unchanged"
        );
    }
    let spend = cli.json(&["spend", "--by", "model", "--json"]);
    assert_eq!(spend["total_usd"], 0.002709);
    assert_eq!(spend["rows"][0]["key"], "openai/gpt-3.5-turbo");
    assert_eq!(spend["rows"][0]["requests"], 2);
    let today = cli.json(&["spend", "--by", "day", "--json"]);
    assert_eq!(today["rows"].as_array().unwrap().len(), 1);
    let none = cli.json(&["spend", "--json", "--until", "2000-01-01"]);
    assert_eq!(none["total_usd"], 0.0);
    let csv = cli.run(&["spend", "--by", "provider", "--csv"], None);
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("key,label,cost_usd,"), "{csv}");
    assert!(csv.contains("openrouter,openrouter,0.002709,0,2,"), "{csv}");
    let bad = cli.run(&["spend", "--since", "yesterday"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a date like 2026-11-24"));

    let set = cli.run(
        &[
            "budget",
            "set",
            "--name",
            "Daily",
            "--limit",
            "0.003",
            "--period",
            "day",
            "--provider",
            "openrouter",
        ],
        None,
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let list = cli.json(&["budget", "list", "--json"]);
    assert_eq!(list[0]["spent"], "0.002709");
    assert_eq!(
        list[0]["budget"]["alerts"],
        serde_json::json!([50, 80, 100])
    );
    let refused = cli.run(
        &[
            "chat",
            "--max-tokens",
            "1000",
            "--model",
            "openai/gpt-3.5-turbo",
            "hi",
        ],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("Budget \"Daily\" ($0.003 a day for provider openrouter) would be exceeded"),
        "{err}"
    );
    assert_eq!(fake.queued(), 0, "nothing was sent");
    let rm = cli.run(&["budget", "rm", "daily"], None);
    assert!(rm.status.success());
    assert_eq!(
        cli.json(&["budget", "list", "--json"]),
        serde_json::json!([])
    );
}
