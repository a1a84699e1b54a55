//! Injected faults: error statuses with Retry-After, a slow first byte, a connection cut
//! mid-stream, malformed JSON, and an endless keep-alive that ends when its client leaves.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::Value;
use switchboard_tests::{FakeUpstream, Reply};

use crate::{Api, KEY, chat, eventually, read_all, read_chunks};

#[tokio::test]
async fn a_429_carries_retry_after_and_openrouters_error_shape() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::Status {
        status: 429,
        retry_after: Some(7),
        body: None,
    });
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 429);
    assert!(body["error"]["message"].is_string());
}

#[tokio::test]
async fn error_statuses_come_in_each_providers_shape() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::status(402));
    let resp = chat(&fake, Api::OpenRouter, false).await;
    assert_eq!(resp.status(), 402);
    assert!(resp.headers().get("retry-after").is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 402);

    fake.enqueue(Reply::status(529));
    let resp = chat(&fake, Api::Anthropic, true).await;
    assert_eq!(resp.status().as_u16(), 529);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "overloaded_error");
    assert!(body["request_id"].as_str().unwrap().starts_with("req_"));

    fake.enqueue(Reply::status(503));
    let resp = chat(&fake, Api::OpenAi, true).await;
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["type"], "server_error");
    assert!(body["error"]["message"].is_string());

    let custom = r#"{"error":{"code":429,"message":"Provider returned error","metadata":{"provider_name":"Google","raw":"rate-limited upstream"}}}"#;
    fake.enqueue(Reply::Status {
        status: 429,
        retry_after: None,
        body: Some(custom.into()),
    });
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.text().await.unwrap(), custom);
}

#[tokio::test]
async fn a_slow_first_byte_delays_the_headers() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::Echo.slow_first_byte(Duration::from_millis(400)));
    let start = Instant::now();
    let resp = chat(&fake, Api::OpenRouter, true).await;
    let to_headers = start.elapsed();
    assert_eq!(resp.status(), 200);
    assert!(
        to_headers >= Duration::from_millis(350),
        "headers after {to_headers:?}"
    );
    read_all(resp).await;

    // Faults compose: a slow 503.
    fake.enqueue(Reply::status(503).slow_first_byte(Duration::from_millis(300)));
    let start = Instant::now();
    let resp = chat(&fake, Api::OpenRouter, false).await;
    assert_eq!(resp.status(), 503);
    assert!(start.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn a_cut_stream_ends_in_a_transport_error_before_done() {
    let fake = FakeUpstream::start(KEY);
    let recorded = FakeUpstream::fixture_sse_bytes("7DnrB604rYW");
    fake.enqueue(Reply::fixture("7DnrB604rYW").cut_after(5));
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 200);
    let (chunks, err) = read_chunks(resp).await;
    let err = err.expect("the body must end in an error, not a clean end");
    assert!(
        err.is_body() || err.is_decode() || err.is_request(),
        "{err:?}"
    );
    let got = chunks.concat();
    assert_eq!(
        got,
        recorded[..5].concat(),
        "exactly the first five chunks arrive"
    );
    assert!(!String::from_utf8_lossy(&got).contains("[DONE]"));
    assert!(eventually(|| fake.active_streams() == 0).await);

    // The next request on the same fake is unaffected.
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert!(
        String::from_utf8(read_all(resp).await)
            .unwrap()
            .ends_with("data: [DONE]\n\n")
    );
}

#[tokio::test]
async fn a_cut_json_body_is_a_transport_error_too() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::fixture("3u9jN7ced3f").cut_after(0));
    let resp = chat(&fake, Api::OpenRouter, false).await;
    assert_eq!(resp.status(), 200);
    let (chunks, err) = read_chunks(resp).await;
    assert!(err.is_some(), "a cut body must not look complete");
    assert!(chunks.concat().is_empty());
}

#[tokio::test]
async fn malformed_json_is_a_200_that_a_parser_must_reject() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::MalformedJson);
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let body = String::from_utf8(read_all(resp).await).unwrap();
    let bad = body
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .filter(|d| *d != "[DONE]")
        .filter(|d| serde_json::from_str::<Value>(d).is_err())
        .count();
    assert_eq!(bad, 1, "{body}");

    fake.enqueue(Reply::MalformedJson);
    let resp = chat(&fake, Api::OpenRouter, false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body = read_all(resp).await;
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    fake.enqueue(Reply::MalformedJson);
    let resp = chat(&fake, Api::Anthropic, true).await;
    let body = String::from_utf8(read_all(resp).await).unwrap();
    assert!(
        body.starts_with("event: content_block_delta\ndata: {"),
        "{body}"
    );
}

#[tokio::test]
async fn an_endless_keep_alive_stops_when_the_client_leaves() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::EndlessKeepAlive);
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let start = Instant::now();
    let mut received = Vec::new();
    while received.len() < 3 * 25 {
        received.extend_from_slice(&stream.next().await.unwrap().unwrap());
    }
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "about 100 ms apart"
    );
    assert!(received.starts_with(b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"));
    assert_eq!(fake.active_streams(), 1);
    drop(stream);
    assert!(
        eventually(|| fake.active_streams() == 0).await,
        "the server-side stream must end once its client is gone"
    );
}

#[tokio::test]
async fn an_endless_keep_alive_ends_when_the_fake_stops() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::EndlessKeepAlive);
    let resp = chat(&fake, Api::OpenRouter, true).await;
    let mut stream = resp.bytes_stream();
    stream.next().await.unwrap().unwrap();
    drop(fake);
    // The body ends (cleanly or not) instead of streaming forever.
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(
        end.is_ok(),
        "the stream kept going after the fake was dropped"
    );
}

#[tokio::test]
async fn scripted_headers_are_added() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::status(429).header("x-ratelimit-remaining-requests", "0"));
    let resp = chat(&fake, Api::OpenAi, false).await;
    assert_eq!(resp.headers()["x-ratelimit-remaining-requests"], "0");
}
