//! `Anthropic::chat` against a local server: the headers it sends, the body it posts, and how it
//! reports answers and failures.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::Value;
use switchboard_core::{
    ApiKey, Attribution, BaseUrl, ChatProvider, ChatRequest, Delta, ErrorCode, Message,
    ProviderError, ProviderKind, ReasoningOptions, Role, ToolCall,
};
use switchboard_providers::anthropic::{Anthropic, parse_body};
use switchboard_providers::{Endpoint, http_client};

use super::{collect, fixture, run};

const KEY: &str = "sk-ant-test-0123456789";

/// What the server saw of one request.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
}

/// The canned answer.
#[derive(Clone)]
struct Canned {
    status: StatusCode,
    content_type: &'static str,
    body: String,
    seen: Seen,
}

async fn messages(
    State(canned): State<Canned>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    canned.seen.requests.lock().unwrap().push((headers, json));
    (
        canned.status,
        [(header::CONTENT_TYPE, canned.content_type)],
        canned.body,
    )
}

/// Serves `body` at `POST /v1/messages` on a free loopback port; returns the adapter and what
/// the server saw.
async fn serve(status: u16, content_type: &'static str, body: String) -> (Anthropic, Seen) {
    let seen = Seen::default();
    let canned = Canned {
        status: StatusCode::from_u16(status).unwrap(),
        content_type,
        body,
        seen: seen.clone(),
    };
    let app = Router::new()
        .route("/v1/messages", post(messages))
        .with_state(canned);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let endpoint = Endpoint {
        kind: ProviderKind::Anthropic,
        base_url: BaseUrl::parse(&format!("http://{addr}/v1")).unwrap(),
        key: Some(ApiKey::parse(KEY).unwrap()),
        attribution: Attribution::default(),
        limits: Default::default(),
    };
    (Anthropic::new(http_client().unwrap(), endpoint), seen)
}

fn question() -> ChatRequest {
    ChatRequest::new(
        "claude-sonnet-4-0",
        vec![Message::text(Role::User, "How do I cross the street?")],
    )
}

/// Run as `scenarios::auth_headers::anthropic`, a scenario both wire formats share.
pub(crate) async fn chat_streams_with_anthropic_headers_and_no_bearer() {
    let sse = fixture!("thinking_stream.response.sse");
    let (anthropic, seen) = serve(200, "text/event-stream; charset=utf-8", sse.clone()).await;
    let outcome = collect(anthropic.chat(question())).await;
    assert!(
        outcome.error.is_none(),
        "a clean answer: {:?}",
        outcome.error
    );
    assert_eq!(
        outcome.deltas,
        run(&sse).await.deltas,
        "chat yields what the normalizer makes of the same bytes"
    );

    let requests = seen.requests.lock().unwrap();
    assert_eq!(requests.len(), 1, "one POST to /v1/messages");
    let (headers, body) = &requests[0];
    assert_eq!(
        headers.get("x-api-key").and_then(|v| v.to_str().ok()),
        Some(KEY),
        "the key goes in x-api-key"
    );
    assert_eq!(
        headers
            .get("anthropic-version")
            .and_then(|v| v.to_str().ok()),
        Some("2023-06-01"),
        "the pinned API version"
    );
    assert!(
        headers.get(header::AUTHORIZATION).is_none(),
        "Anthropic takes no Authorization header"
    );
    assert_eq!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "a JSON body"
    );
    assert_eq!(
        body["model"], "claude-sonnet-4-0",
        "the body posted is request_body's"
    );
    assert_eq!(body["stream"], true, "streamed");
}

/// Run as `scenarios::http_error_before_stream::anthropic`, a scenario both wire formats share.
pub(crate) async fn overloaded_529_before_the_stream_is_the_only_item_and_retryable() {
    let body = fixture!("synthesized/overloaded_529.response.json");
    let (anthropic, _) = serve(529, "application/json", body).await;
    let outcome = collect(anthropic.chat(question())).await;
    assert!(
        outcome.deltas.is_empty(),
        "nothing before the error: {:?}",
        outcome.deltas
    );
    let err = outcome.error.expect("an error item");
    assert_eq!(
        err.code(),
        ErrorCode::Upstream,
        "529 is an upstream failure: {err:?}"
    );
    assert!(err.info().retryable, "and worth retrying");
    assert!(
        matches!(&err, ProviderError::Upstream { status: 529, message, .. } if message == "Overloaded"),
        "with Anthropic's message: {err:?}"
    );
}

#[tokio::test]
async fn recorded_400_over_http_is_bad_request() {
    let body = fixture!("error_invalid_request.response.json");
    let (anthropic, _) = serve(400, "application/json", body).await;
    let err = collect(anthropic.chat(question())).await.error;
    assert!(
        matches!(&err, Some(ProviderError::BadRequest { status: 400, message, .. }) if message.starts_with("This model does not support effort level 'xhigh'")),
        "classified from the body: {err:?}"
    );
}

/// Run as `scenarios::non_streamed_body::anthropic`, a scenario both wire formats share.
pub(crate) async fn non_streaming_chat_replays_the_body_as_deltas() {
    let body = fixture!("parallel_tool_calls.1.response.json");
    let (anthropic, seen) = serve(200, "application/json", body.clone()).await;
    let mut request = question();
    request.stream = false;
    let outcome = collect(anthropic.chat(request)).await;
    assert!(outcome.error.is_none(), "clean: {:?}", outcome.error);
    assert_eq!(
        outcome.deltas,
        parse_body(&body).unwrap(),
        "the same deltas parse_body gives"
    );
    assert_eq!(
        seen.requests.lock().unwrap()[0].1["stream"],
        false,
        "stream false was sent"
    );
}

#[tokio::test]
async fn exclude_drops_reasoning_text_but_keeps_details_for_replay() {
    let sse = fixture!("thinking_stream.response.sse");
    let (anthropic, _) = serve(200, "text/event-stream", sse).await;
    let mut request = question();
    request.reasoning = Some(ReasoningOptions {
        effort: None,
        max_tokens: Some(1024),
        exclude: true,
    });
    let outcome = collect(anthropic.chat(request)).await;
    assert!(
        !outcome
            .deltas
            .iter()
            .any(|d| matches!(d, Delta::Reasoning { .. })),
        "no reasoning text is shown"
    );
    assert!(
        outcome
            .deltas
            .iter()
            .any(|d| matches!(d, Delta::ReasoningDetails { .. })),
        "the signed thinking is still kept for the next turn"
    );
}

#[tokio::test]
async fn an_untranslatable_request_fails_before_any_http() {
    let (anthropic, seen) = serve(200, "application/json", String::new()).await;
    let mut assistant = Message::text(Role::Assistant, "");
    assistant.tool_calls = vec![ToolCall {
        id: "toolu_1".into(),
        name: "f".into(),
        arguments: "not json".into(),
    }];
    let mut request = question();
    request.messages.push(assistant);
    let outcome = collect(anthropic.chat(request)).await;
    assert!(outcome.deltas.is_empty(), "no deltas");
    assert!(
        matches!(
            outcome.error,
            Some(ProviderError::BadRequest { status: 0, .. })
        ),
        "BadRequest with status 0 (ours, not the server's): {:?}",
        outcome.error
    );
    assert!(seen.requests.lock().unwrap().is_empty(), "nothing was sent");
}
