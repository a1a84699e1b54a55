//! Tests of the loopback fake upstream itself, with plain reqwest clients: byte-exact replay of
//! recorded traffic, each injected fault, the echo default in every format, auth error shapes,
//! and the account routes. Other tests build on the fake, so it must be right first.

// Test code: a failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod hostile;
mod replay;
mod routes;

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::Value;
use switchboard_tests::FakeUpstream;

/// The key the fakes in these tests accept.
const KEY: &str = "sk-or-v1-fake-upstream-test-0001";

/// A client that never goes through a proxy from the environment, with a timeout so a broken
/// fake fails the test instead of hanging it.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Which chat endpoint to call.
#[derive(Clone, Copy, Debug)]
enum Api {
    OpenRouter,
    OpenAi,
    Anthropic,
    Custom,
}

/// POSTs `body` to `api`'s chat endpoint with `key` in that provider's auth header.
async fn chat_with(
    fake: &FakeUpstream,
    api: Api,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let c = client();
    let req = match api {
        Api::OpenRouter => c.post(format!("{}/chat/completions", fake.openrouter_base())),
        Api::OpenAi => c.post(format!("{}/chat/completions", fake.openai_base())),
        Api::Custom => c.post(format!("{}/chat/completions", fake.custom_base())),
        Api::Anthropic => c
            .post(format!("{}/messages", fake.anthropic_base()))
            .header("anthropic-version", "2023-06-01"),
    };
    let req = match (api, key) {
        (Api::Anthropic, Some(k)) => req.header("x-api-key", k),
        (_, Some(k)) => req.bearer_auth(k),
        (_, None) => req,
    };
    req.json(body).send().await.unwrap()
}

/// POSTs a one-message chat request (`stream` as given) with the accepted key.
async fn chat(fake: &FakeUpstream, api: Api, stream: bool) -> reqwest::Response {
    let body = serde_json::json!({
        "model": "test/model",
        "max_tokens": 64,
        "stream": stream,
        "messages": [{"role": "user", "content": "hello there"}],
    });
    chat_with(fake, api, Some(KEY), &body).await
}

/// Reads a body chunk by chunk until it ends or fails: the chunks received and the error, if
/// the body ended in one.
async fn read_chunks(resp: reqwest::Response) -> (Vec<Bytes>, Option<reqwest::Error>) {
    let mut stream = resp.bytes_stream();
    let mut chunks = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => chunks.push(chunk),
            Err(err) => return (chunks, Some(err)),
        }
    }
    (chunks, None)
}

/// The whole body of a response that must end cleanly.
async fn read_all(resp: reqwest::Response) -> Vec<u8> {
    let (chunks, err) = read_chunks(resp).await;
    assert!(err.is_none(), "body ended in an error: {err:?}");
    chunks.concat()
}

/// The SSE events in `body`: `(event name, data)` per event, comments skipped.
fn sse_events(body: &[u8]) -> Vec<(Option<String>, String)> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    let mut events = Vec::new();
    for block in text.split("\n\n").filter(|b| !b.is_empty()) {
        let mut name = None;
        let mut data = Vec::new();
        for line in block.lines() {
            if let Some(n) = line.strip_prefix("event: ") {
                name = Some(n.to_owned());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push(d);
            }
        }
        if !data.is_empty() {
            events.push((name, data.join("\n")));
        }
    }
    events
}

/// The JSON of every `data:` event except `[DONE]` (panics on one that is not JSON).
fn sse_json(body: &[u8]) -> Vec<Value> {
    sse_events(body)
        .into_iter()
        .filter(|(_, d)| d != "[DONE]")
        .map(|(_, d)| serde_json::from_str(&d).unwrap_or_else(|e| panic!("{e}: {d}")))
        .collect()
}

/// Polls `done` for up to five seconds.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}
