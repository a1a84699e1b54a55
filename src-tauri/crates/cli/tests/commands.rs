//! `switchboard models`, `key`, `providers add|remove` and stdin prompts, as a new user would
//! run them, against the loopback fake upstream.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use switchboard_tests::FakeUpstream;

const KEY: &str = "sk-or-v1-commands-00000000000000000";

struct Cli {
    openrouter_base: String,
    data: tempfile::TempDir,
}

impl Cli {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        for var in switchboard_engine::ENVIRONMENT_VARIABLES {
            cmd.env_remove(var);
        }
        cmd.args(args)
            .env("SWITCHBOARD_DATA_DIR", self.data.path())
            .env("OPENROUTER_BASE_URL", &self.openrouter_base)
            .env("OPENROUTER_API_KEY", KEY)
            // No keychain here; keys come from the environment.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("DISPLAY", "")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args, None);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn cli(fake: &FakeUpstream) -> Cli {
    Cli {
        openrouter_base: fake.openrouter_base(),
        data: tempfile::tempdir().unwrap(),
    }
}

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
