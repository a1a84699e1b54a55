//! The endpoints: parse in the client's dialect, resolve the model name, send through the
//! router, answer in the same dialect (streamed or whole).
//!
//! A streamed answer commits to `200 OK` only once the first piece of the answer arrived: a
//! request refused before that (a budget, an unknown model, every target failing) gets a real
//! HTTP error status, which is what SDKs branch and retry on.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Extension;
use axum::body::Body;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;
use serde_json::Value;
use switchboard_core::{ChatRequest, Delta, ErrorCode, ErrorInfo};
use switchboard_engine::{ChatOutcome, EngineError, RouteEvent, RoutedSend};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::State;
use super::guard::Client;
use super::sse::Encoder;
use crate::dialect::models::ModelEntry;
use crate::dialect::{
    self, Answer, BadRequest, ClientRequest, StreamEnd, StreamMeta, anthropic, openai_chat,
    responses,
};

/// Which wire a request speaks, from its path (and, for the model list, its headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    OpenAiChat,
    Responses,
    Anthropic,
}

impl Dialect {
    pub(crate) fn of(path: &str, headers: &HeaderMap) -> Self {
        if path.starts_with("/v1/messages")
            || (path == "/v1/models" && headers.contains_key("anthropic-version"))
        {
            Self::Anthropic
        } else if path.starts_with("/v1/responses") {
            Self::Responses
        } else {
            Self::OpenAiChat
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            Self::OpenAiChat => "chatcmpl-",
            Self::Responses => "resp_",
            Self::Anthropic => "msg_",
        }
    }
}

/// An error in the dialect's own shape, with its status.
pub(crate) fn error_response(dialect: Dialect, info: &ErrorInfo) -> Response {
    let (status, body) = match dialect {
        Dialect::OpenAiChat => openai_chat::error(info),
        Dialect::Responses => responses::error(info),
        Dialect::Anthropic => anthropic::error(info),
    };
    json_response(status, &body)
}

fn bad_request(dialect: Dialect, err: &BadRequest) -> Response {
    let (status, body) = match dialect {
        Dialect::OpenAiChat => openai_chat::bad_request(err),
        Dialect::Responses => responses::bad_request(err),
        Dialect::Anthropic => anthropic::bad_request(err),
    };
    json_response(status, &body)
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

pub(crate) async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let dialect = Dialect::of(uri.path(), &headers);
    error_response(
        dialect,
        &ErrorInfo::new(
            ErrorCode::NotFound,
            format!(
                "Switchboard serves /v1/chat/completions, /v1/responses, /v1/messages, \
                 /v1/messages/count_tokens and /v1/models; not {}.",
                uri.path()
            ),
        ),
    )
}

/// `GET /v1/models`: routes first, then every model a configured provider offers, each under
/// the name that reaches it.
pub(crate) async fn models(Extract(state): Extract<State>, headers: HeaderMap) -> Response {
    let dialect = Dialect::of("/v1/models", &headers);
    let entries = match state.engine.models().served_names().await {
        Ok(names) => names
            .into_iter()
            .map(|n| ModelEntry {
                id: n.id,
                display_name: n.display_name,
                owner: n.owner,
            })
            .collect::<Vec<_>>(),
        Err(e) => return error_response(dialect, &e.info()),
    };
    let body = match dialect {
        Dialect::Anthropic => dialect::models::anthropic_list(&entries, state.started_unix),
        _ => dialect::models::openai_list(&entries, state.started_unix),
    };
    json_response(200, &body)
}

pub(crate) async fn chat_completions(
    Extract(state): Extract<State>,
    Extension(client): Extension<Client>,
    body: Body,
) -> Response {
    serve(state, client, Dialect::OpenAiChat, body, openai_chat::parse).await
}

pub(crate) async fn responses(
    Extract(state): Extract<State>,
    Extension(client): Extension<Client>,
    body: Body,
) -> Response {
    serve(state, client, Dialect::Responses, body, responses::parse).await
}

pub(crate) async fn messages(
    Extract(state): Extract<State>,
    Extension(client): Extension<Client>,
    body: Body,
) -> Response {
    serve(state, client, Dialect::Anthropic, body, anthropic::parse).await
}

/// `POST /v1/messages/count_tokens`: the same count the budgets reserve with.
pub(crate) async fn count_tokens(Extract(state): Extract<State>, body: Body) -> Response {
    let dialect = Dialect::Anthropic;
    let bytes = match read_body(&state, body).await {
        Ok(b) => b,
        Err(r) => return r.respond(dialect),
    };
    match anthropic::parse_count_tokens(&bytes) {
        Ok(parsed) => json_response(
            200,
            &anthropic::count_tokens_body(anthropic::count_tokens(&parsed)),
        ),
        Err(e) => bad_request(dialect, &e),
    }
}

/// A body too large or cut short.
struct BodyError(ErrorInfo, StatusCode);

impl BodyError {
    fn respond(self, dialect: Dialect) -> Response {
        let mut r = error_response(dialect, &self.0);
        *r.status_mut() = self.1;
        r
    }
}

async fn read_body(state: &State, body: Body) -> Result<Bytes, BodyError> {
    let limit = state.config.max_body_bytes;
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if err.is::<http_body_util::LengthLimitError>() {
                return BodyError(
                    ErrorInfo::new(
                        ErrorCode::InvalidInput,
                        format!(
                            "The request body is larger than {}, the most this server takes.",
                            size_text(limit)
                        ),
                    ),
                    StatusCode::PAYLOAD_TOO_LARGE,
                );
            }
            source = err.source();
        }
        BodyError(
            ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!("The request body could not be read whole: {e}."),
            ),
            StatusCode::BAD_REQUEST,
        )
    })
}

/// `32 MiB`, `512 KiB`, `100 bytes`: a size limit as a person reads it.
fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Counts a request as in flight for as long as it lives (a streamed answer: until its last
/// event is written or the client leaves).
struct InFlight(Arc<super::Counters>);

impl InFlight {
    fn new(state: &State) -> Self {
        state.counters.in_flight.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(&state.counters))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn serve(
    state: State,
    client: Client,
    dialect: Dialect,
    body: Body,
    parse: fn(&[u8]) -> Result<ClientRequest, BadRequest>,
) -> Response {
    let in_flight = InFlight::new(&state);
    let bytes = match read_body(&state, body).await {
        Ok(b) => b,
        Err(e) => return e.respond(dialect),
    };
    let parsed = match parse(&bytes) {
        Ok(p) => p,
        Err(e) => return bad_request(dialect, &e),
    };
    let mut route = match state
        .engine
        .routing()
        .resolve_model_name(&parsed.model)
        .await
    {
        Ok(route) => route,
        Err(e) => return error_response(dialect, &e.info()),
    };
    route.client = Some(client.name.clone());
    route.client_id = Some(client.id.clone());
    // Rules match the name the client asked for (`claude-sonnet-*` from Claude Code).
    route.asked_as = Some(parsed.model.clone());
    let meta = StreamMeta {
        id: format!("{}{}", dialect.id_prefix(), uuid::Uuid::new_v4().simple()),
        model: parsed.model.clone(),
        created_unix: unix_now(),
        include_usage: parsed.include_usage,
        prompt_tokens_estimate: dialect::prompt_tokens(&parsed.request),
    };
    let cancel = CancellationToken::new();
    // A client that leaves drops this handler (or, mid-answer, the stream below, which takes
    // the guard): that cancels the upstream request at once. Dropping the `RoutedSend` alone
    // is noticed only when the engine next has an event to hand over, which an upstream that
    // is thinking, or sending only keep-alives, may not produce for minutes.
    let cancel_on_leave = cancel.clone().drop_guard();
    let request = parsed.request.clone();
    let mut send = state.engine.routing().send(route, parsed.request, cancel);
    // Wait for the first piece of the answer (or the end) before committing to a status.
    let first = loop {
        match send.next().await {
            Some(RouteEvent::Delta(d)) => break Some(d),
            Some(_) => {}
            None => break None,
        }
    };
    if first.is_none() || !parsed.stream {
        let timeout = state.config.request_timeout;
        let ended = match tokio::time::timeout(timeout, send.outcome()).await {
            Ok(ended) => ended,
            Err(_) => {
                return error_response(
                    dialect,
                    &ErrorInfo::new(
                        ErrorCode::Timeout,
                        format!("No answer within {} s.", timeout.as_secs()),
                    ),
                );
            }
        };
        let outcome = match ended.and_then(|mut r| r.take_outcome()) {
            Ok(outcome) => outcome,
            Err(e) => return error_response(dialect, &e.info()),
        };
        if let Some(error) = &outcome.error
            && !outcome.answered
        {
            return error_response(dialect, error);
        }
        if parsed.stream {
            // Nothing streamed (an empty answer): the whole stream at once.
            let chunks = whole_stream(dialect, meta, &request, &outcome);
            return sse_response(Body::from_stream(stream::iter(
                chunks.into_iter().map(Ok::<_, std::convert::Infallible>),
            )));
        }
        let answer = answer_of(&meta, outcome);
        let body = match dialect {
            Dialect::OpenAiChat => openai_chat::body(&answer),
            Dialect::Responses => responses::body(&answer, &request),
            Dialect::Anthropic => anthropic::body(&answer),
        };
        return json_response(200, &body);
    }
    let mut encoder = Encoder::new(dialect, meta, &request);
    let mut opening = encoder.start();
    if let Some(d) = &first {
        opening.extend(encoder.delta(d));
    }
    let streamed = Streamed {
        send: Some(send),
        encoder: Some(encoder),
        pending: opening.into(),
        _in_flight: in_flight,
        _cancel_on_leave: cancel_on_leave,
    };
    sse_response(Body::from_stream(stream::unfold(streamed, next_chunk)))
}

fn sse_response(body: Body) -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// A streamed answer being written: its send, its encoder, and bytes ready to go.
struct Streamed {
    send: Option<RoutedSend>,
    encoder: Option<Encoder>,
    pending: std::collections::VecDeque<Bytes>,
    _in_flight: InFlight,
    /// Cancels the upstream request when the client leaves before the end (see `serve`).
    _cancel_on_leave: DropGuard,
}

/// The next bytes of a streamed answer. When hyper stops asking (the client left), this state
/// is dropped with its `RoutedSend`, which cancels the upstream request.
async fn next_chunk(
    mut s: Streamed,
) -> Option<(Result<Bytes, std::convert::Infallible>, Streamed)> {
    loop {
        if let Some(bytes) = s.pending.pop_front() {
            return Some((Ok(bytes), s));
        }
        let send = s.send.as_mut()?;
        match send.next().await {
            Some(RouteEvent::Delta(d)) => {
                if let Some(encoder) = s.encoder.as_mut() {
                    s.pending.extend(encoder.delta(&d));
                }
            }
            Some(_) => {}
            None => {
                let send = s.send.take()?;
                let end = stream_end(send.outcome().await);
                if let Some(encoder) = s.encoder.take() {
                    s.pending.extend(encoder.finish(&end));
                }
            }
        }
    }
}

/// How a stream ended, from the routed send's outcome.
fn stream_end(ended: Result<switchboard_engine::RoutedOutcome, EngineError>) -> StreamEnd {
    match ended.and_then(|mut r| r.take_outcome()) {
        Ok(outcome) => StreamEnd {
            usage: usage_of(&outcome),
            finish: outcome.finish_reason.clone(),
            error: outcome.error.clone().or_else(|| {
                outcome
                    .cancelled
                    .then(|| ErrorInfo::new(ErrorCode::InvalidInput, "The request was stopped."))
            }),
            served_model: Some(outcome.model.clone()),
        },
        Err(e) => StreamEnd {
            error: Some(e.info()),
            ..StreamEnd::default()
        },
    }
}

/// A whole answer streamed at once (nothing arrived as it was produced).
fn whole_stream(
    dialect: Dialect,
    meta: StreamMeta,
    request: &ChatRequest,
    outcome: &ChatOutcome,
) -> Vec<Bytes> {
    let mut encoder = Encoder::new(dialect, meta, request);
    let mut out = encoder.start();
    if !outcome.content.is_empty() {
        out.extend(encoder.delta(&Delta::Text {
            text: outcome.content.clone(),
        }));
    }
    for call in &outcome.tool_calls {
        out.extend(encoder.delta(&Delta::ToolCall { call: call.clone() }));
    }
    out.extend(encoder.finish(&StreamEnd {
        usage: usage_of(outcome),
        finish: outcome.finish_reason.clone(),
        error: outcome.error.clone(),
        served_model: Some(outcome.model.clone()),
    }));
    out
}

/// Usage as the client sees it: tokens as the provider counted them, and the cost the ledger
/// recorded (exact, or the estimate).
fn usage_of(outcome: &ChatOutcome) -> switchboard_core::Usage {
    let mut usage = outcome.usage.clone();
    usage.cost = outcome.cost;
    usage
}

fn answer_of(meta: &StreamMeta, outcome: ChatOutcome) -> Answer {
    Answer {
        id: meta.id.clone(),
        model: meta.model.clone(),
        created_unix: meta.created_unix,
        usage: usage_of(&outcome),
        content: outcome.content,
        reasoning: outcome.reasoning,
        reasoning_details: outcome.reasoning_details,
        tool_calls: outcome.tool_calls,
        finish: outcome.finish_reason,
        citations: outcome.citations,
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the `created` second of a response body, as the client's API stamps it; never stored"
)]
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn size_limits_read_in_the_largest_whole_unit() {
        assert_eq!(size_text(32 * 1024 * 1024), "32 MiB");
        assert_eq!(size_text(512 * 1024), "512 KiB");
        assert_eq!(size_text(1536 * 1024), "1536 KiB");
        assert_eq!(size_text(100), "100 bytes");
    }
}
