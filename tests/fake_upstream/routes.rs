//! The echo default in every format, the scripted queue, auth error shapes, request recording,
//! and the account and catalogue routes.

use serde_json::{Value, json};
use switchboard_tests::fake_upstream::fixtures_dir;
use switchboard_tests::{FakeUpstream, Reply};

use crate::{Api, KEY, chat, chat_with, client, read_all, sse_events, sse_json};

const MANAGEMENT: &str = "sk-or-v1-management-key-0009";

/// The text of an OpenAI-style stream: its `delta.content` pieces joined.
fn streamed_text(chunks: &[Value]) -> String {
    chunks
        .iter()
        .filter_map(|c| {
            c.pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
        })
        .collect()
}

#[tokio::test]
async fn the_openrouter_echo_streams_chunks_with_usage_and_cost() {
    let fake = FakeUpstream::start(KEY);
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let body = read_all(resp).await;
    assert!(body.starts_with(b": OPENROUTER PROCESSING\n\n"));
    assert!(body.ends_with(b"data: [DONE]\n\n"));
    let chunks = sse_json(&body);
    assert_eq!(streamed_text(&chunks), "Echo: hello there");
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    assert!(chunks.iter().all(|c| c["model"] == "test/model"));
    let id = chunks[0]["id"].as_str().unwrap();
    assert!(id.starts_with("gen-"), "{id}");
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "stop")
    );
    let usage = &chunks.last().unwrap()["usage"];
    assert!(usage["cost"].as_f64().unwrap() > 0.0);
    assert!(usage["completion_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_openrouter_echo_answers_json_when_not_streaming() {
    let fake = FakeUpstream::start(KEY);
    let resp = chat(&fake, Api::OpenRouter, false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body = read_all(resp).await;
    assert!(
        body[0].is_ascii_whitespace(),
        "leading whitespace like the real API"
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "Echo: hello there"
    );
    assert!(body["usage"]["cost"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn the_openai_echo_sends_usage_only_when_asked() {
    let fake = FakeUpstream::start(KEY);
    let request = |include: bool| {
        json!({"model": "gpt-4o-mini", "stream": true, "stream_options": {"include_usage": include},
            "messages": [{"role": "system", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "what is up"}]}]})
    };
    let resp = chat_with(&fake, Api::OpenAi, Some(KEY), &request(true)).await;
    let chunks = sse_json(&read_all(resp).await);
    assert_eq!(streamed_text(&chunks), "Echo: what is up");
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"], json!([]));
    assert!(last["usage"]["total_tokens"].as_u64().unwrap() > 0);
    assert!(
        last["usage"].get("cost").is_none(),
        "OpenAI reports no cost"
    );
    assert!(
        chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c["usage"].is_null())
    );

    let resp = chat_with(&fake, Api::OpenAi, Some(KEY), &request(false)).await;
    let chunks = sse_json(&read_all(resp).await);
    assert!(chunks.iter().all(|c| c.get("usage").is_none()));

    let resp = chat(&fake, Api::OpenAi, false).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "Echo: hello there"
    );
}

#[tokio::test]
async fn the_anthropic_echo_uses_named_events() {
    let fake = FakeUpstream::start(KEY);
    let resp = chat(&fake, Api::Anthropic, true).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    let body = read_all(resp).await;
    let events = sse_events(&body);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_deref().unwrap()).collect();
    assert_eq!(names.first(), Some(&"message_start"));
    assert_eq!(names.last(), Some(&"message_stop"));
    assert!(names.contains(&"message_delta"));
    let mut text = String::new();
    for (name, data) in &events {
        let data: Value = serde_json::from_str(data).unwrap();
        assert_eq!(Some(data["type"].as_str().unwrap()), name.as_deref());
        if let Some(t) = data.pointer("/delta/text").and_then(Value::as_str) {
            text.push_str(t);
        }
    }
    assert_eq!(text, "Echo: hello there");
    assert!(!String::from_utf8_lossy(&body).contains("[DONE]"));

    let resp = chat(&fake, Api::Anthropic, false).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["type"], "message");
    assert_eq!(body["content"][0]["text"], "Echo: hello there");
    assert_eq!(body["stop_reason"], "end_turn");
}

#[tokio::test]
async fn the_custom_server_needs_no_key() {
    let fake = FakeUpstream::start(KEY);
    let body = json!({"model": "llama3.2:3b", "stream": false,
        "messages": [{"role": "user", "content": "hi"}]});
    let resp = chat_with(&fake, Api::Custom, None, &body).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], "Echo: hi");
}

#[tokio::test]
async fn bad_keys_get_each_providers_401_and_do_not_use_the_queue() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::status(503));
    let body =
        json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]});

    let resp = chat_with(&fake, Api::OpenRouter, Some("sk-wrong-key-000"), &body).await;
    assert_eq!(resp.status(), 401);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(
        err,
        json!({"error": {"code": 401, "message": "User not found."}})
    );
    let resp = chat_with(&fake, Api::OpenRouter, None, &body).await;
    assert_eq!(resp.status(), 401);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"]["message"], "No auth credentials found");

    let resp = chat_with(&fake, Api::OpenAi, Some("sk-wrong-key-000"), &body).await;
    assert_eq!(resp.status(), 401);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(err["error"]["code"], "invalid_api_key");
    assert!(
        !err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sk-wrong-key-000")
    );

    let resp = chat_with(&fake, Api::Anthropic, Some("sk-wrong-key-000"), &body).await;
    assert_eq!(resp.status(), 401);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["type"], "error");
    assert_eq!(err["error"]["type"], "authentication_error");
    assert_eq!(err["error"]["message"], "invalid x-api-key");

    let resp = client()
        .post(format!("{}/messages", fake.anthropic_base()))
        .header("x-api-key", KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "anthropic-version is required");

    assert_eq!(
        fake.queued(),
        1,
        "rejected requests leave the scripted reply queued"
    );
    assert_eq!(chat(&fake, Api::OpenRouter, true).await.status(), 503);
}

#[tokio::test]
async fn anthropic_requires_max_tokens() {
    let fake = FakeUpstream::start(KEY);
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "x"}]});
    let resp = chat_with(&fake, Api::Anthropic, Some(KEY), &body).await;
    assert_eq!(resp.status(), 400);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn replies_are_taken_in_order_by_any_chat_endpoint_then_the_echo_resumes() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::json(200, &json!({"first": true})));
    fake.enqueue(Reply::Json {
        status: 201,
        body: "  {\"second\":true}".into(),
    });
    fake.enqueue(Reply::sse_text(
        "data: {\"third\":true}\n\ndata: [DONE]\n\n",
    ));
    assert_eq!(fake.queued(), 3);

    let resp = chat(&fake, Api::OpenAi, false).await;
    assert_eq!(resp.text().await.unwrap(), r#"{"first":true}"#);
    let resp = chat(&fake, Api::Anthropic, false).await;
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.text().await.unwrap(), "  {\"second\":true}");
    let resp = chat(&fake, Api::Custom, true).await;
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    assert_eq!(
        read_all(resp).await,
        b"data: {\"third\":true}\n\ndata: [DONE]\n\n"
    );
    assert_eq!(fake.queued(), 0);
    let resp = chat(&fake, Api::OpenRouter, false).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "Echo: hello there"
    );
}

#[tokio::test]
async fn every_request_is_recorded_with_its_json_body() {
    let fake = FakeUpstream::start(KEY);
    chat(&fake, Api::Anthropic, false).await;
    client()
        .get(format!("{}/nowhere?x=1", fake.origin()))
        .send()
        .await
        .unwrap();
    let sent = fake.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].path, "/anthropic/v1/messages");
    assert_eq!(sent[0].header("x-api-key"), Some(KEY));
    assert_eq!(sent[0].header("anthropic-version"), Some("2023-06-01"));
    let body = sent[0].json().unwrap();
    assert_eq!(body["messages"][0]["content"], "hello there");
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(sent[1].path, "/nowhere?x=1");
    assert_eq!(sent[1].json(), None);
}

async fn get(fake: &FakeUpstream, path: &str, key: Option<&str>) -> reqwest::Response {
    let req = client().get(format!("{}{path}", fake.openrouter_base()));
    let req = match key {
        Some(k) => req.bearer_auth(k),
        None => req,
    };
    req.send().await.unwrap()
}

#[tokio::test]
async fn credits_need_the_management_key() {
    let fake = FakeUpstream::start(KEY).with_management_key(MANAGEMENT);
    let resp = get(&fake, "/credits", Some(KEY)).await;
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {"code": 403, "message": "Only management keys can fetch credits"}})
    );
    let resp = get(&fake, "/credits", Some("sk-unknown-key-1")).await;
    assert_eq!(resp.status(), 401);

    let resp = get(&fake, "/credits", Some(MANAGEMENT)).await;
    assert_eq!(resp.status(), 200);
    let before: Value = resp.json().await.unwrap();
    assert_eq!(before["data"]["total_credits"], 25.0);
    let used = before["data"]["total_usage"].as_f64().unwrap();

    fake.enqueue(Reply::fixture("3u9jN7ced3f"));
    read_all(chat(&fake, Api::OpenRouter, false).await).await;
    let after: Value = get(&fake, "/credits", Some(MANAGEMENT))
        .await
        .json()
        .await
        .unwrap();
    let grown = after["data"]["total_usage"].as_f64().unwrap() - used;
    assert!(
        (grown - 0.00813).abs() < 1e-9,
        "the served generation's cost: {grown}"
    );

    let key: Value = get(&fake, "/key", Some(MANAGEMENT))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(key["data"]["is_management_key"], true);
    let key: Value = get(&fake, "/key", Some(KEY)).await.json().await.unwrap();
    assert_eq!(key["data"]["is_management_key"], false);
    assert_eq!(key["data"]["usage"], 0.42);
}

#[tokio::test]
async fn served_generations_can_be_looked_up() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::fixture("7DnrB604rYW"));
    let chunks = sse_json(&read_all(chat(&fake, Api::OpenRouter, true).await).await);
    let id = chunks[0]["id"].as_str().unwrap().to_owned();
    let cost = chunks
        .iter()
        .rev()
        .find_map(|c| c["usage"]["cost"].as_f64())
        .unwrap();
    assert_eq!(fake.generation_ids(), vec![id.clone()]);

    let resp = get(&fake, &format!("/generation?id={id}"), Some(KEY)).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let data = &body["data"];
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["total_cost"].as_f64(), Some(cost));
    assert_eq!(data["model"], "anthropic/claude-3.7-sonnet");
    assert_eq!(data["streamed"], true);
    assert_eq!(data["finish_reason"], "stop");
    assert!(data["tokens_prompt"].as_u64().unwrap() > 0);
    assert!(data["created_at"].as_str().unwrap().ends_with('Z'));

    // The echo is remembered too; unknown ids are 404s; the key is checked.
    let echo = sse_json(&read_all(chat(&fake, Api::OpenRouter, true).await).await);
    let echo_id = echo[0]["id"].as_str().unwrap();
    let resp = get(&fake, &format!("/generation?id={echo_id}"), Some(KEY)).await;
    assert_eq!(resp.status(), 200);
    let resp = get(&fake, "/generation?id=gen-0-unknown", Some(KEY)).await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 404);
    let resp = get(
        &fake,
        &format!("/generation?id={id}"),
        Some("sk-other-key-22"),
    )
    .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn the_catalogue_and_endpoints_are_served() {
    let fake = FakeUpstream::start(KEY);
    let resp = get(&fake, "/models", None).await;
    assert_eq!(resp.status(), 200);
    let body = resp.bytes().await.unwrap();
    let snapshot = fixtures_dir().join("catalogue/cline_2025-05-12_models.decoded.json");
    let catalogue: Value = serde_json::from_slice(&body).unwrap();
    let models = catalogue["data"].as_array().unwrap();
    if snapshot.is_file() {
        assert_eq!(body.as_ref(), std::fs::read(&snapshot).unwrap().as_slice());
        assert_eq!(models.len(), 320);
    } else {
        assert!(models.len() >= 3);
    }
    let first = models[0]["id"].as_str().unwrap();
    let (author, slug) = first.split_once('/').unwrap();

    let resp = get(&fake, &format!("/models/{author}/{slug}/endpoints"), None).await;
    assert_eq!(resp.status(), 200, "{first}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["id"], first);
    let endpoint = &body["data"]["endpoints"][0];
    assert!(endpoint["pricing"]["prompt"].is_string());
    assert!(endpoint["provider_name"].is_string());

    let recorded = fixtures_dir()
        .join("catalogue/cline_2025-05-12_endpoints_google-gemini-2.5-pro-preview.decoded.json");
    if recorded.is_file() {
        let resp = get(
            &fake,
            "/models/google/gemini-2.5-pro-preview/endpoints",
            None,
        )
        .await;
        let body: Value = resp.json().await.unwrap();
        let file: Value = serde_json::from_slice(&std::fs::read(&recorded).unwrap()).unwrap();
        assert_eq!(body, file);
    }

    let resp = get(&fake, "/models/nobody/nothing/endpoints", None).await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn the_other_providers_model_lists_still_answer() {
    let fake = FakeUpstream::start(KEY);
    let resp = client()
        .get(format!("{}/models", fake.openai_base()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let resp = client()
        .get(format!("{}/models", fake.anthropic_base()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"][0]["id"], "claude-sonnet-4-5");
    let resp = client()
        .get(format!("{}/models", fake.custom_base()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[test]
fn the_fake_can_be_built_to_accept_any_key() {
    let fake = FakeUpstream::builder().start().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let body = json!({"messages": [{"role": "user", "content": "x"}]});
        let resp = chat_with(&fake, Api::OpenRouter, Some("sk-anything"), &body).await;
        assert_eq!(resp.status(), 200);
        let resp = chat_with(&fake, Api::OpenRouter, None, &body).await;
        assert_eq!(resp.status(), 401);
    });
}
