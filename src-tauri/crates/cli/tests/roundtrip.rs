//! Every recorded OpenRouter exchange, replayed byte for byte by the loopback fake upstream,
//! must come out of `switchboard chat --json` with the content, reasoning, tool calls, tokens
//! and cost exactly as recorded; recorded errors must come out classified, with exit code 1.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;
use switchboard_tests::fake_upstream::{ai_sdk_dir, ai_sdk_fixture_ids, load_ai_sdk_sse};
use switchboard_tests::{FakeUpstream, Reply};

const KEY: &str = "sk-or-v1-roundtrip-0000000000000000";

/// What the recording says, computed here from the raw `data:` events with a deliberately
/// simple parser (split on blank lines), independent of the product's SSE decoder.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    content: String,
    reasoning: String,
    prompt_tokens: u64,
    completion_tokens: u64,
    reasoning_tokens: u64,
    cached_tokens: u64,
    cost: Option<f64>,
    finish_reason: Option<String>,
    generation_id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
}

impl Expected {
    fn absorb_usage(&mut self, usage: &Value) {
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        self.prompt_tokens = n(&usage["prompt_tokens"]);
        self.completion_tokens = n(&usage["completion_tokens"]);
        self.cached_tokens = n(&usage["prompt_tokens_details"]["cached_tokens"]);
        self.reasoning_tokens = n(&usage["completion_tokens_details"]["reasoning_tokens"]);
        self.cost = usage["cost"].as_f64();
    }

    fn absorb_meta(&mut self, chunk: &Value) {
        let s = |v: &Value| v.as_str().map(str::to_owned);
        self.generation_id = self.generation_id.take().or_else(|| s(&chunk["id"]));
        self.model = self.model.take().or_else(|| s(&chunk["model"]));
        self.provider = self.provider.take().or_else(|| s(&chunk["provider"]));
    }

    fn from_sse(id: &str) -> Self {
        let bytes: Vec<u8> = load_ai_sdk_sse(id).unwrap().chunk_bytes().concat();
        let text = String::from_utf8(bytes).unwrap();
        let mut e = Self::default();
        for event in text.split("\n\n") {
            let Some(data) = event.strip_prefix("data: ") else {
                continue;
            };
            if data == "[DONE]" {
                break;
            }
            let chunk: Value = serde_json::from_str(data).unwrap();
            e.absorb_meta(&chunk);
            let choice = &chunk["choices"][0];
            e.content += choice["delta"]["content"].as_str().unwrap_or("");
            e.reasoning += choice["delta"]["reasoning"].as_str().unwrap_or("");
            if e.finish_reason.is_none() {
                e.finish_reason = choice["finish_reason"].as_str().map(str::to_owned);
            }
            if !chunk["usage"].is_null() {
                e.absorb_usage(&chunk["usage"]);
            }
        }
        e
    }

    fn from_body(body: &str) -> Self {
        let chunk: Value = serde_json::from_str(body.trim()).unwrap();
        let mut e = Self::default();
        e.absorb_meta(&chunk);
        let message = &chunk["choices"][0]["message"];
        e.content = message["content"].as_str().unwrap_or("").to_owned();
        e.reasoning = message["reasoning"].as_str().unwrap_or("").to_owned();
        e.finish_reason = chunk["choices"][0]["finish_reason"]
            .as_str()
            .map(str::to_owned);
        e.absorb_usage(&chunk["usage"]);
        e
    }
}

fn read(id: &str, file: &str) -> Option<String> {
    std::fs::read_to_string(ai_sdk_dir(id).join(file)).ok()
}

/// Runs the CLI with every provider pointed at the fake and keyed from the environment (no
/// keychain in these tests).
fn run_cli(fake: &FakeUpstream, data: &std::path::Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    for var in switchboard_engine::ENVIRONMENT_VARIABLES {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(args)
        .env("SWITCHBOARD_DATA_DIR", data)
        .env("OPENROUTER_BASE_URL", fake.openrouter_base())
        .env("OPENROUTER_API_KEY", KEY)
        .env("OPENAI_BASE_URL", fake.openai_base())
        .env("OPENAI_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", fake.anthropic_base())
        .env("ANTHROPIC_API_KEY", KEY)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/switchboard-test-bus",
        )
        .env("DISPLAY", "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

#[test]
fn every_recorded_exchange_round_trips_through_chat_json() {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut recorded_cost_total = 0.0;
    for id in ai_sdk_fixture_ids() {
        let request: Value = serde_json::from_str(&read(&id, "request.json").unwrap()).unwrap();
        let meta: Value = serde_json::from_str(&read(&id, "response.meta.json").unwrap()).unwrap();
        let body = &request["body"]["json"];
        let model = body["model"].as_str().unwrap();
        let stream = body["stream"].as_bool().unwrap_or(false);
        let status = meta["status"].as_u64().unwrap();
        fake.enqueue(Reply::fixture(id.clone()));
        let mut args = vec!["chat", "--json", "--model", model];
        if !stream {
            args.push("--no-stream");
        }
        args.push("Say something.");
        let (code, out) = run_cli(&fake, data.path(), &args);

        if status != 200 {
            assert_eq!(code, Some(1), "{id}: a recorded error exits 1");
            assert!(
                out["error"]["code"].is_string(),
                "{id}: the error is classified: {out}"
            );
            if status == 400 {
                assert_eq!(out["error"]["code"], "bad_request", "{id}");
                assert_eq!(out["error"]["retryable"], false, "{id}");
            }
            checked += 1;
            continue;
        }
        let expected = if stream {
            Expected::from_sse(&id)
        } else {
            Expected::from_body(&read(&id, "response.json").unwrap())
        };
        assert_eq!(code, Some(0), "{id}: exit code; output {out}");
        assert_eq!(out["error"], Value::Null, "{id}");
        assert_eq!(out["content"], expected.content, "{id}: content");
        assert_eq!(out["reasoning"], expected.reasoning, "{id}: reasoning");
        assert_eq!(
            out["tool_calls"],
            serde_json::json!([]),
            "{id}: no tool calls recorded"
        );
        let usage = &out["usage"];
        assert_eq!(
            usage["prompt_tokens"], expected.prompt_tokens,
            "{id}: prompt tokens"
        );
        assert_eq!(
            usage["completion_tokens"], expected.completion_tokens,
            "{id}: completion tokens"
        );
        assert_eq!(usage["reasoning_tokens"], expected.reasoning_tokens, "{id}");
        assert_eq!(usage["cached_tokens"], expected.cached_tokens, "{id}");
        assert_eq!(
            out["cost_usd"].as_f64(),
            expected.cost,
            "{id}: cost exactly as recorded"
        );
        assert_eq!(
            out["cost_source"], "provider",
            "{id}: usage.cost is the truth"
        );
        assert_eq!(
            out["finish_reason"].as_str(),
            expected.finish_reason.as_deref(),
            "{id}"
        );
        assert_eq!(
            out["generation_id"].as_str(),
            expected.generation_id.as_deref(),
            "{id}"
        );
        assert_eq!(out["model"].as_str(), expected.model.as_deref(), "{id}");
        assert_eq!(
            out["provider"].as_str(),
            expected.provider.as_deref(),
            "{id}"
        );
        assert!(
            out["latency_ms"].as_u64().is_some(),
            "{id}: latency recorded"
        );
        if !expected.content.is_empty() {
            assert!(
                out["ttft_ms"].as_u64().is_some(),
                "{id}: time to first token"
            );
        }
        recorded_cost_total += expected.cost.unwrap_or(0.0);
        checked += 1;
    }
    assert_eq!(checked, 28, "all 28 recordings were replayed");
    assert!(recorded_cost_total > 0.0, "the recordings carry costs");
}

#[test]
fn text_mode_streams_the_answer_and_errors_go_to_stderr_with_exit_1() {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    for var in switchboard_engine::ENVIRONMENT_VARIABLES {
        cmd.env_remove(var);
    }
    let base = |c: &mut Command| {
        c.env("SWITCHBOARD_DATA_DIR", data.path())
            .env("OPENROUTER_BASE_URL", fake.openrouter_base())
            .env("OPENROUTER_API_KEY", KEY)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("DISPLAY", "");
    };
    base(&mut cmd);
    let out = cmd
        .args(["chat", "--model", "openai/gpt-4o-mini", "hello there"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("hello there"),
        "the echo reply is streamed to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A Retry-After this long is not waited out (a short one would be, then retried).
    fake.enqueue(Reply::status(429).header("retry-after", "60"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    base(&mut cmd);
    let out = cmd
        .args(["chat", "--model", "openai/gpt-4o-mini", "again"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rate limited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_stream_cut_midway_keeps_what_arrived_and_says_why() {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    fake.enqueue(Reply::fixture("7DnrB604rYW").cut_after(6));
    let (code, out) = run_cli(
        &fake,
        data.path(),
        &[
            "chat",
            "--json",
            "--model",
            "anthropic/claude-3.7-sonnet",
            "hi",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(out["error"]["code"], "network", "{out}");
    assert_eq!(out["error"]["retryable"], true);
    assert!(
        !out["content"].as_str().unwrap().is_empty(),
        "the text that arrived before the cut is kept: {out}"
    );
}

fn fixture_bytes(path: &str) -> Vec<u8> {
    std::fs::read(switchboard_tests::fake_upstream::fixtures_dir().join(path)).unwrap()
}

/// One chunk per SSE event, as the server sent them.
fn sse_chunks(bytes: &[u8]) -> Vec<Vec<u8>> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .split_inclusive("\n\n")
        .map(|e| e.as_bytes().to_vec())
        .collect()
}

/// The direct OpenAI and Anthropic recordings (tool calls, thinking) through the same CLI.
#[test]
fn direct_openai_and_anthropic_recordings_round_trip_with_tool_calls_and_thinking() {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();

    // OpenAI: tool-call argument deltas, `usage: null` on every chunk, a final `choices: []`
    // usage chunk, `obfuscation` padding.
    let sse = fixture_bytes("openai/run_stream_sync_streams_real_model.1.sse");
    fake.enqueue(Reply::Sse(sse_chunks(&sse)));
    let (code, out) = run_cli(
        &fake,
        data.path(),
        &[
            "chat",
            "--json",
            "--provider",
            "openai",
            "--model",
            "gpt-4o-mini",
            "Capital?",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let calls = out["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{out}");
    assert_eq!(calls[0]["id"], "call_ZR5UUuTt3pf61kjwAJIYdVMj");
    assert_eq!(calls[0]["name"], "get_capital");
    assert_eq!(calls[0]["arguments"], r#"{"country":"UK"}"#);
    assert_eq!(out["finish_reason"], "tool_calls");
    assert_eq!(out["model"], "gpt-4o-mini-2024-07-18");
    assert!(out["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        out["cost_source"], "estimate",
        "OpenAI sends no cost: price table"
    );

    // Anthropic: a thinking block then text, usage from message_start + message_delta.
    let sse = fixture_bytes("anthropic/thinking_stream.response.sse");
    let text = String::from_utf8(sse.clone()).unwrap();
    let mut expected_text = String::new();
    let mut expected_thinking = String::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("data: ")) {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["delta"]["type"].as_str() {
            Some("text_delta") => expected_text += v["delta"]["text"].as_str().unwrap(),
            Some("thinking_delta") => expected_thinking += v["delta"]["thinking"].as_str().unwrap(),
            _ => {}
        }
    }
    fake.enqueue(Reply::Sse(sse_chunks(&sse)));
    let (code, out) = run_cli(
        &fake,
        data.path(),
        &[
            "chat",
            "--json",
            "--provider",
            "anthropic",
            "--model",
            "claude-sonnet-4-20250514",
            "Hi",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out["content"], expected_text.as_str());
    assert_eq!(out["reasoning"], expected_thinking.as_str());
    assert_eq!(out["usage"]["prompt_tokens"], 43);
    assert_eq!(out["usage"]["completion_tokens"], 282);
    assert_eq!(out["finish_reason"], "stop");
    assert_eq!(out["provider"], "Anthropic");
    assert_eq!(out["generation_id"], "msg_01ALwQ87pTS7hH1PjSdC9wJD");

    // Anthropic, non-streaming: four parallel tool_use blocks.
    let body = String::from_utf8(fixture_bytes(
        "anthropic/parallel_tool_calls.1.response.json",
    ))
    .unwrap();
    let recorded: Value = serde_json::from_str(&body).unwrap();
    fake.enqueue(Reply::Json { status: 200, body });
    let (code, out) = run_cli(
        &fake,
        data.path(),
        &[
            "chat",
            "--json",
            "--no-stream",
            "--provider",
            "anthropic",
            "--model",
            "claude-haiku-4-5",
            "Who is youngest?",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let expected: Vec<Value> = recorded["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "tool_use")
        .map(|b| {
            serde_json::json!({
                "id": b["id"], "name": b["name"], "arguments": b["input"].to_string(),
            })
        })
        .collect();
    assert_eq!(expected.len(), 4);
    let got: Vec<Value> = out["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            // Arguments are JSON text; compare as JSON so key order cannot matter.
            let args: Value = serde_json::from_str(c["arguments"].as_str().unwrap()).unwrap();
            serde_json::json!({"id": c["id"], "name": c["name"], "arguments": args.to_string()})
        })
        .collect();
    assert_eq!(got, expected, "every tool call exactly");
    assert_eq!(out["finish_reason"], "tool_calls");
}
