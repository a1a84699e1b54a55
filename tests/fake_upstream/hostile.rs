//! The faults of a careless or hostile upstream: a key echoed in an error, a redirect, one huge
//! event, a cost no request can have, and an HTML page where an answer should be.

use std::time::Duration;

use serde_json::Value;
use switchboard_tests::{FakeUpstream, Reply};

use crate::{Api, KEY, chat, read_all, read_chunks, sse_events, sse_json};

#[tokio::test]
async fn echo_key_repeats_the_key_whole_and_in_pieces_in_each_providers_shape() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::EchoKey { status: 401 });
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(KEY), "the whole key: {message}");
    assert!(
        message.contains(&format!("{}…", &KEY[..12])),
        "its head: {message}"
    );
    assert!(
        message.contains(&format!("…{}", &KEY[KEY.len() - 10..])),
        "its tail: {message}"
    );

    fake.enqueue(Reply::EchoKey { status: 400 });
    let resp = chat(&fake, Api::Anthropic, true).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "error", "Anthropic's shape");
    assert!(body["error"]["message"].as_str().unwrap().contains(KEY));
}

#[tokio::test]
async fn a_redirect_is_its_status_and_location_only() {
    let fake = FakeUpstream::start(KEY);
    let no_follow = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for status in [302, 307, 308] {
        let location = format!("http://127.0.0.1:9/elsewhere/{status}");
        fake.enqueue(Reply::Redirect {
            status,
            location: location.clone(),
        });
        let resp = no_follow
            .post(format!("{}/chat/completions", fake.openrouter_base()))
            .bearer_auth(KEY)
            .json(&serde_json::json!({"model": "m", "messages": []}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(resp.headers()["location"], location.as_str());
        assert!(resp.bytes().await.unwrap().is_empty(), "no body");
    }
}

#[tokio::test]
async fn a_huge_event_is_one_event_of_the_size_asked_in_pieces() {
    let fake = FakeUpstream::start(KEY);
    let size = 1024 * 1024;
    for api in [Api::OpenRouter, Api::Anthropic] {
        fake.enqueue(Reply::HugeEvent { bytes: size });
        let resp = chat(&fake, api, true).await;
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        let (chunks, err) = read_chunks(resp).await;
        assert!(err.is_none(), "{api:?}: a complete body");
        let body = chunks.concat();
        let events = sse_events(&body);
        let (_, big) = events.iter().max_by_key(|(_, d)| d.len()).expect("events");
        // `data: ` + data + the blank line.
        let event_len = 6 + big.len() + 2;
        assert!(
            event_len.abs_diff(size) < 64,
            "{api:?}: the big event is {event_len} bytes, asked {size}"
        );
        let parsed: Value = serde_json::from_str(big).expect("the big event is JSON");
        assert!(parsed.is_object(), "{api:?}");
        if matches!(api, Api::OpenRouter) {
            assert!(
                String::from_utf8_lossy(&body).ends_with("data: [DONE]\n\n"),
                "then the usual end"
            );
        }
    }
}

#[tokio::test]
async fn usage_cost_is_written_verbatim_in_stream_and_body() {
    let fake = FakeUpstream::start(KEY);
    for raw in ["-1", "\"0.5\"", "1e30"] {
        fake.enqueue(Reply::UsageCost(raw.to_owned()));
        let resp = chat(&fake, Api::OpenRouter, true).await;
        let events = sse_json(&read_all(resp).await);
        let usage = events
            .iter()
            .find_map(|e| e.get("usage").filter(|u| !u.is_null()))
            .expect("a usage chunk");
        assert_eq!(
            usage["cost"],
            serde_json::from_str::<Value>(raw).unwrap(),
            "{raw}"
        );

        fake.enqueue(Reply::UsageCost(raw.to_owned()));
        let resp = chat(&fake, Api::OpenAi, false).await;
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body["usage"]["cost"],
            serde_json::from_str::<Value>(raw).unwrap(),
            "{raw}, OpenAI body"
        );
    }
}

#[tokio::test]
async fn html_is_a_200_page_whatever_was_asked() {
    let fake = FakeUpstream::start(KEY);
    let page = "<html><body>Sign in to the Wi-Fi</body></html>";
    fake.enqueue(Reply::Html(page.into()));
    let resp = tokio::time::timeout(Duration::from_secs(10), chat(&fake, Api::OpenRouter, true))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(read_all(resp).await, page.as_bytes());
}
