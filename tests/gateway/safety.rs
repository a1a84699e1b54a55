//! Issue 15 item 5 over plain HTTP: a client that leaves mid-stream cancels its upstream
//! request and still leaves its ledger row; bad input gets a clear error in the caller's
//! dialect (oversize 413, malformed or mistyped JSON 400, not JSON 415, a web page's origin
//! 403, an unknown model 404), and the server keeps serving after all of it.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_engine::Outcome;
use switchboard_tests::Reply;

use crate::harness::{Harness, MODEL};
use crate::upstream::chunks;

/// Waits (generously) until `done` holds; false if it never did.
async fn eventually(mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn a_client_that_leaves_mid_stream_cancels_the_upstream_and_keeps_its_row() {
    let h = Harness::start().await;
    // Two pieces of an answer, then the upstream keeps the stream open (keep-alives only).
    let head = chunks("gen-leave-1", &["Still", " going"], (0, 0), "0")[..2].to_vec();
    h.fake.enqueue(Reply::SseThenStall(head));

    let client = reqwest::Client::new();
    let mut response = client
        .post(format!("{}/v1/chat/completions", h.base_url()))
        .bearer_auth(&h.key)
        .json(&json!({"model": MODEL, "stream": true,
            "messages": [{"role": "user", "content": "Talk for a long time."}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut seen = String::new();
    while !seen.contains("going") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
            .await
            .expect("the first pieces arrive")
            .unwrap()
            .expect("the stream is still open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(h.fake.active_streams(), 1, "the upstream is mid-stream");
    assert_eq!(h.gateway.stats().in_flight, 1);

    drop(response); // the client goes away
    drop(client);

    assert!(
        eventually(async || h.fake.active_streams() == 0).await,
        "the upstream request is cancelled when its client leaves"
    );
    assert!(
        eventually(async || h.gateway.stats().in_flight == 0).await,
        "and the gateway forgets it"
    );
    let rows = h.ledger().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].outcome, rows[0].generation_id.as_deref()),
        (Outcome::Cancelled, Some("gen-leave-1")),
        "the row is kept, with the generation id to reconcile what was billed: {:?}",
        rows[0]
    );
    assert!(
        rows[0].cost.is_none() && rows[0].bound.is_some(),
        "its cost is unknown until reconciled, and its worst case stays held: {:?}",
        rows[0]
    );

    // A client that gives up on a whole answer while the upstream sends only keep-alives.
    h.fake.enqueue(Reply::EndlessKeepAlive);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let gave_up = impatient
        .post(format!("{}/v1/chat/completions", h.base_url()))
        .bearer_auth(&h.key)
        .json(&json!({"model": MODEL, "messages": [{"role": "user", "content": "Think hard."}]}))
        .send()
        .await;
    assert!(gave_up.is_err(), "no answer came: {gave_up:?}");
    drop(impatient);
    assert!(
        eventually(async || h.fake.active_streams() == 0).await,
        "waiting for a whole answer, a client that leaves cancels the upstream request too"
    );
    let rows = h.ledger().await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].outcome, Outcome::Cancelled, "{:?}", rows[1]);
}

/// Posts `body` (text) to `path` with a valid key and `extra` headers: (status, JSON body).
async fn post(h: &Harness, path: &str, body: String, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", h.base_url()))
        .bearer_auth(&h.key)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{path} answered {status} with a body that is not JSON ({e}): {text}")
    });
    (status, json)
}

/// The message of an error in either envelope.
fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_in_the_callers_dialect() {
    let h = Harness::with(|c| c.max_body_bytes = 1024 * 1024).await;
    let hi = json!([{"role": "user", "content": "hi"}]);

    // Oversize: one MiB of prompt and a little more.
    let big = json!({"model": MODEL, "max_tokens": 16,
        "messages": [{"role": "user", "content": "a".repeat(1024 * 1024)}]})
    .to_string();
    let (status, body) = post(&h, "/v1/chat/completions", big.clone(), &[]).await;
    assert_eq!(status, 413, "{body}");
    assert!(message(&body).contains("larger than 1 MiB"), "{body}");
    let (status, body) = post(&h, "/v1/messages", big, &[]).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["type"], "error", "Anthropic's envelope: {body}");

    // Malformed JSON, and a field of the wrong type, each named.
    let (status, body) = post(
        &h,
        "/v1/chat/completions",
        r#"{"model": "x", "messages": ["#.into(),
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(message(&body).contains("EOF"), "says what is wrong: {body}");
    let (status, body) = post(
        &h,
        "/v1/chat/completions",
        json!({"model": MODEL, "messages": "hi"}).to_string(),
        &[],
    )
    .await;
    assert_eq!(
        (status, &body["error"]["param"]),
        (400, &json!("messages")),
        "{body}"
    );
    let (status, body) = post(
        &h,
        "/v1/messages",
        json!({"model": MODEL, "max_tokens": "many", "messages": hi}).to_string(),
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    assert!(message(&body).contains("max_tokens"), "{body}");
    let (status, body) = post(
        &h,
        "/v1/responses",
        json!({"model": MODEL, "input": 42}).to_string(),
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(message(&body).contains("input"), "{body}");

    // What a web page can send without asking: text/plain, or anything with its Origin.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", h.base_url()))
        .bearer_auth(&h.key)
        .header("content-type", "text/plain")
        .body(json!({"model": MODEL, "messages": hi}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let chat = json!({"model": MODEL, "messages": hi}).to_string();
    let (status, body) = post(
        &h,
        "/v1/chat/completions",
        chat.clone(),
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(message(&body).contains("https://evil.example"), "{body}");

    // An unknown model, in each dialect.
    let nobody = "nobody/no-such-model";
    let (status, body) = post(
        &h,
        "/v1/chat/completions",
        json!({"model": nobody, "messages": hi}).to_string(),
        &[],
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("model_not_found")),
        "{body}"
    );
    assert!(message(&body).contains(nobody), "{body}");
    let (status, body) = post(
        &h,
        "/v1/responses",
        json!({"model": nobody, "input": "hi"}).to_string(),
        &[],
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("model_not_found")),
        "{body}"
    );
    let (status, body) = post(
        &h,
        "/v1/messages",
        json!({"model": nobody, "max_tokens": 16, "messages": hi}).to_string(),
        &[],
    )
    .await;
    assert_eq!(
        (status, &body["type"], &body["error"]["type"]),
        (404, &json!("error"), &json!("not_found_error")),
        "{body}"
    );

    assert!(h.upstream_chats().is_empty(), "nothing bad went upstream");
    assert!(h.ledger().await.is_empty());
    // And nothing above hurt the server: a good request is answered.
    let (status, body) = post(&h, "/v1/chat/completions", chat, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["object"], "chat.completion");
}
