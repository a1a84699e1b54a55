//! `OpenAiCompat::chat` against a real HTTP server on 127.0.0.1: headers, status handling
//! before the stream, streamed and non-streamed answers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::StreamExt;
use serde_json::Value;
use switchboard_core::{
    ApiKey, Attribution, BaseUrl, ChatProvider, ChatRequest, Delta, Message, ProviderError,
    ProviderKind, Role,
};
use switchboard_providers::Endpoint;
use switchboard_providers::openai_compat::{OpenAiCompat, parse_body, stream_from_bytes};

use super::support::{fixtures, read, rebuild};

/// What the server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    headers: HeaderMap,
    body: Value,
}

#[derive(Clone, Default)]
struct Upstream {
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn sse_fixture() -> Vec<u8> {
    rebuild(&read(
        &fixtures().join("openrouter/ai-sdk/7DnrB604rYW/response.jsonl"),
    ))
    .bytes
}

fn body_fixture() -> String {
    read(&fixtures().join("openrouter/ai-sdk/3u9jN7ced3f/response.json"))
}

fn partial_fixture() -> String {
    read(&fixtures().join("openrouter/synthesized/nonstream_choice_error.json"))
}

/// Answers by the requested model's name, so each test picks its scenario.
async fn completions(State(up): State<Upstream>, headers: HeaderMap, body: String) -> Response {
    let body: Value = serde_json::from_str(&body).expect("the client sends JSON");
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    up.seen.lock().expect("lock").push(Seen { headers, body });
    match model.as_str() {
        "stream" => ([(header::CONTENT_TYPE, "text/event-stream")], sse_fixture()).into_response(),
        "body" => ([(header::CONTENT_TYPE, "application/json")], body_fixture()).into_response(),
        "partial" => (
            [(header::CONTENT_TYPE, "application/json")],
            partial_fixture(),
        )
            .into_response(),
        "json-error" => (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":{"code":503,"message":"No instances available","metadata":{"provider_name":"Lambda"}}}"#,
        )
            .into_response(),
        "limited" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "7")],
            r#"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min"}}"#,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve() -> (SocketAddr, Upstream) {
    let upstream = Upstream::default();
    let app = Router::new()
        .route("/api/v1/chat/completions", post(completions))
        .with_state(upstream.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, upstream)
}

fn adapter(kind: ProviderKind, addr: SocketAddr) -> OpenAiCompat {
    let endpoint = Endpoint {
        kind,
        base_url: BaseUrl::parse(&format!("http://{addr}/api/v1")).expect("url"),
        key: Some(ApiKey::parse("sk-or-v1-loopback-test").expect("key")),
        attribution: Attribution {
            referer: "https://switchboard.test".into(),
            title: "Switchboard Test".into(),
        },
        limits: Default::default(),
    };
    let client = switchboard_providers::http_client().expect("client");
    OpenAiCompat::new(client, endpoint)
}

fn request(model: &str, stream: bool) -> ChatRequest {
    let mut request = ChatRequest::new(model, vec![Message::text(Role::User, "hi")]);
    request.stream = stream;
    request
}

async fn collect(adapter: &OpenAiCompat, request: ChatRequest) -> Vec<Result<Delta, String>> {
    let items: Vec<_> =
        tokio::time::timeout(Duration::from_secs(20), adapter.chat(request).collect())
            .await
            .expect("the answer arrives in time");
    items
        .into_iter()
        .map(|r| r.map_err(|e: ProviderError| format!("{e:?}")))
        .collect()
}

#[tokio::test]
async fn an_openrouter_stream_sends_auth_and_attribution_and_normalizes() {
    let (addr, upstream) = serve().await;
    let got = collect(
        &adapter(ProviderKind::OpenRouter, addr),
        request("stream", true),
    )
    .await;
    let bytes = futures_util::stream::iter([Ok(bytes::Bytes::from(sse_fixture()))]);
    let expected: Vec<_> = stream_from_bytes(bytes)
        .map(|r| r.map_err(|e| format!("{e:?}")))
        .collect()
        .await;
    assert!(
        expected.len() > 10,
        "the fixture is a real answer: {expected:?}"
    );
    assert_eq!(got, expected, "same deltas as the recorded bytes");
    let seen = upstream.seen.lock().expect("lock").clone();
    let [seen] = seen.as_slice() else {
        panic!("one request: {seen:?}");
    };
    let h = |name: &str| {
        seen.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        h("authorization").as_deref(),
        Some("Bearer sk-or-v1-loopback-test"),
        "bearer key"
    );
    assert_eq!(
        h("http-referer").as_deref(),
        Some("https://switchboard.test"),
        "referer"
    );
    assert_eq!(h("x-title").as_deref(), Some("Switchboard Test"), "title");
    assert_eq!(
        h("content-type").as_deref(),
        Some("application/json"),
        "JSON body"
    );
    assert_eq!(
        seen.body["usage"]["include"],
        Value::Bool(true),
        "OpenRouter usage asked for"
    );
    assert_eq!(seen.body["stream"], Value::Bool(true), "streamed");
}

/// Run as `scenarios::auth_headers::openai_compat`, a scenario both wire formats share.
pub(crate) async fn openai_gets_a_bearer_key_and_no_attribution() {
    let (addr, upstream) = serve().await;
    let got = collect(
        &adapter(ProviderKind::OpenAi, addr),
        request("stream", true),
    )
    .await;
    assert!(got.iter().all(Result::is_ok), "a clean answer: {got:?}");
    let seen = upstream.seen.lock().expect("lock").clone();
    let headers = &seen.first().expect("a request").headers;
    assert_eq!(
        headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some("Bearer sk-or-v1-loopback-test"),
        "bearer key"
    );
    assert!(
        headers.get("http-referer").is_none(),
        "no OpenRouter attribution to OpenAI"
    );
    assert!(headers.get("x-title").is_none(), "no title either");
    assert!(seen[0].body.get("usage").is_none(), "no OpenRouter fields");
}

/// Run as `scenarios::http_error_before_stream::openai_compat`, a scenario both wire formats share.
pub(crate) async fn a_429_before_the_stream_is_the_only_item() {
    let (addr, _) = serve().await;
    let items: Vec<_> = adapter(ProviderKind::OpenRouter, addr)
        .chat(request("limited", true))
        .collect()
        .await;
    assert!(
        matches!(items.as_slice(), [Err(ProviderError::RateLimited { retry_after: Some(d), message, .. })]
            if *d == Duration::from_secs(7) && message == "Rate limit exceeded: free-models-per-min"),
        "rate limited with Retry-After, and nothing else: {items:?}"
    );
}

/// Run as `scenarios::non_streamed_body::openai_compat`, a scenario both wire formats share.
pub(crate) async fn a_non_streamed_answer_replays_the_body() {
    let (addr, upstream) = serve().await;
    let got = collect(
        &adapter(ProviderKind::OpenRouter, addr),
        request("body", false),
    )
    .await;
    let expected: Vec<Result<Delta, String>> = parse_body(&body_fixture())
        .expect("parses")
        .into_iter()
        .map(Ok)
        .collect();
    assert_eq!(got, expected, "the body's deltas");
    let seen = upstream.seen.lock().expect("lock").clone();
    assert_eq!(
        seen[0].body["stream"],
        Value::Bool(false),
        "asked for one body"
    );
    assert!(
        seen[0].body.get("stream_options").is_none(),
        "no stream options"
    );
}

#[tokio::test]
async fn a_non_streamed_partial_answer_keeps_its_content_before_the_error() {
    let (addr, _) = serve().await;
    let got = collect(
        &adapter(ProviderKind::OpenRouter, addr),
        request("partial", false),
    )
    .await;
    assert!(
        got.contains(&Ok(Delta::Text {
            text: "Here is the beginning".into()
        })),
        "the partial text: {got:?}"
    );
    let last = got
        .last()
        .expect("items")
        .as_ref()
        .expect_err("ends with the error");
    assert!(
        last.starts_with("Upstream { status: 502"),
        "the classified error: {last}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error() {
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let items: Vec<_> = adapter(ProviderKind::Custom, addr)
        .chat(request("stream", true))
        .collect()
        .await;
    assert!(
        matches!(items.as_slice(), [Err(ProviderError::Network { .. })]),
        "refused connection: {items:?}"
    );
}

#[tokio::test]
async fn a_json_error_answering_a_stream_request_is_that_error() {
    let (addr, _) = serve().await;
    let items: Vec<_> = adapter(ProviderKind::OpenRouter, addr)
        .chat(request("json-error", true))
        .collect()
        .await;
    assert!(
        matches!(items.as_slice(), [Err(ProviderError::Upstream { status: 503, provider: Some(p), message, .. })]
            if p == "Lambda" && message == "No instances available"),
        "the error in the JSON body, not a truncated stream: {items:?}"
    );
}
