//! Fault injection: error statuses in each provider's real shape, malformed bodies, endless
//! keep-alives, a key echoed back, redirects, one huge event, HTML where an answer belongs, and
//! the streamed body that can be slowed, timed or cut mid-stream.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;
use tokio::sync::watch;

use super::replay::TimedChunk;
use super::{Api, Scripted};

/// How often [`super::Reply::EndlessKeepAlive`] sends its comment.
pub(crate) const KEEP_ALIVE_EVERY: Duration = Duration::from_millis(100);

/// How long a cut stream waits before dropping the connection (see [`next_chunk`]).
const CUT_FLUSH_PAUSE: Duration = Duration::from_millis(20);

/// The OpenRouter keep-alive comment.
pub(crate) const KEEP_ALIVE: &[u8] = b": OPENROUTER PROCESSING\n\n";

/// A response before it is written.
pub(crate) struct Planned {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: PlannedBody,
}

/// A body before it is written.
pub(crate) enum PlannedBody {
    /// One piece (sent with a content length unless the reply is cut).
    Full(Vec<u8>),
    /// Streamed chunk by chunk.
    Chunks(Vec<TimedChunk>),
    /// Keep-alive comments until the client leaves.
    Endless,
    /// These chunks, then keep-alive comments until the client leaves.
    ChunksThenEndless(Vec<TimedChunk>),
}

impl Planned {
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: PlannedBody::Full(body.into()),
        }
    }

    pub(crate) fn sse(chunks: Vec<TimedChunk>) -> Self {
        Self {
            status: 200,
            headers: sse_headers(),
            body: PlannedBody::Chunks(chunks),
        }
    }
}

pub(crate) fn sse_headers() -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "text/event-stream".into()),
        ("cache-control".into(), "no-cache".into()),
    ]
}

/// Chunks without delays.
pub(crate) fn untimed(chunks: Vec<Vec<u8>>) -> Vec<TimedChunk> {
    chunks
        .into_iter()
        .map(|bytes| TimedChunk {
            delay: Duration::ZERO,
            bytes,
        })
        .collect()
}

/// The usual message and Anthropic error type for an HTTP status.
fn describe(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("Bad request", "invalid_request_error"),
        401 => ("User not found.", "authentication_error"),
        402 => (
            "Insufficient credits. Add more using https://openrouter.ai/credits",
            "billing_error",
        ),
        403 => ("Forbidden", "permission_error"),
        404 => ("Not found", "not_found_error"),
        408 => ("Request timed out", "timeout_error"),
        413 => ("Request too large", "request_too_large"),
        429 => ("Rate limit exceeded", "rate_limit_error"),
        502 => ("Provider returned error", "api_error"),
        503 => ("No instances available", "api_error"),
        504 => ("Gateway timeout", "timeout_error"),
        529 => ("Overloaded", "overloaded_error"),
        _ => ("Internal Server Error", "api_error"),
    }
}

/// An error body in `api`'s real shape (`docs/upstream-apis.md` §4, §8, §9).
pub(crate) fn error_body(api: Api, status: u16, message: Option<&str>) -> String {
    let (default_message, anthropic_type) = describe(status);
    let message = message.unwrap_or(default_message);
    match api {
        Api::OpenRouter => json!({"error": {"code": status, "message": message}}),
        Api::OpenAi | Api::Custom => {
            let (kind, code) = match status {
                401 => ("invalid_request_error", json!("invalid_api_key")),
                429 => ("requests", json!("rate_limit_exceeded")),
                400 | 404 => ("invalid_request_error", json!(null)),
                _ => ("server_error", json!(null)),
            };
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
        }
        Api::Anthropic => json!({
            "type": "error",
            "error": {"type": anthropic_type, "message": message},
            "request_id": anthropic_request_id(),
        }),
    }
    .to_string()
}

/// An Anthropic-style request id (`req_…`), also sent as the `request-id` header.
pub(crate) fn anthropic_request_id() -> String {
    format!("req_fake{}", uuid::Uuid::new_v4().simple())
}

/// [`super::Reply::Status`].
pub(crate) fn status_reply(
    api: Api,
    status: u16,
    retry_after: Option<u64>,
    body: Option<String>,
) -> Planned {
    let body = body.unwrap_or_else(|| error_body(api, status, None));
    let mut planned = Planned::json(status, body);
    if let Some(secs) = retry_after {
        planned
            .headers
            .push(("retry-after".into(), secs.to_string()));
    }
    planned
}

/// [`super::Reply::MalformedJson`]: a 200 whose data a JSON parser must reject.
pub(crate) fn malformed(api: Api, stream: bool) -> Planned {
    let broken: &[u8] = br#"{"id":"gen-malformed","choices":[{"index":0,"delta":{"content":"Hel"#;
    if !stream {
        return Planned::json(200, broken.to_vec());
    }
    let chunks = match api {
        Api::Anthropic => vec![
            b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n".to_vec(),
            b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_vec(),
        ],
        Api::OpenRouter => vec![
            KEEP_ALIVE.to_vec(),
            [b"data: ".as_slice(), broken, b"\n\n"].concat(),
            b"data: [DONE]\n\n".to_vec(),
        ],
        Api::OpenAi | Api::Custom => vec![
            [b"data: ".as_slice(), broken, b"\n\n"].concat(),
            b"data: [DONE]\n\n".to_vec(),
        ],
    };
    Planned::sse(untimed(chunks))
}

/// [`super::Reply::EchoKey`]: the provider's error shape, repeating `key` whole and in pieces.
pub(crate) fn echo_key(api: Api, status: u16, key: Option<&str>) -> Planned {
    let message = match key {
        Some(key) => {
            let chars: Vec<char> = key.chars().collect();
            let head: String = chars.iter().take(12).collect();
            let tail: String = chars[chars.len().saturating_sub(10)..].iter().collect();
            format!("bad key {key}; keys start like {head}… and end …{tail}")
        }
        None => "bad key (none)".to_owned(),
    };
    Planned::json(status, error_body(api, status, Some(&message)))
}

/// [`super::Reply::Redirect`]: the status and `Location`, nothing else.
pub(crate) fn redirect(status: u16, location: &str) -> Planned {
    Planned {
        status,
        headers: vec![("location".into(), location.to_owned())],
        body: PlannedBody::Full(Vec::new()),
    }
}

/// How [`super::Reply::HugeEvent`] writes its event: in pieces this size, like socket reads.
const HUGE_PIECE: usize = 64 * 1024;

/// [`super::Reply::HugeEvent`]: one event of about `bytes` bytes holding the whole answer text,
/// between the provider's usual opening and closing events.
pub(crate) fn huge_event(api: Api, bytes: usize) -> Planned {
    let (head, tail, closing): (String, String, Vec<String>) = match api {
        Api::Anthropic => {
            let start = json!({"type": "message_start", "message": {"id": "msg_fakehuge",
                "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 1, "output_tokens": 1}}});
            let block = json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}});
            let stop = json!({"type": "content_block_stop", "index": 0});
            let delta = json!({"type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"output_tokens": 1}});
            (
                format!(
                    "event: message_start\ndata: {start}\n\nevent: content_block_start\ndata: \
                     {block}\n\nevent: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\
                     \"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\""
                ),
                "\"}}\n\n".to_owned(),
                vec![
                    format!("event: content_block_stop\ndata: {stop}\n\n"),
                    format!("event: message_delta\ndata: {delta}\n\n"),
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_owned(),
                ],
            )
        }
        Api::OpenRouter | Api::OpenAi | Api::Custom => {
            let finish = json!({"id": "gen-fake-huge", "model": "fake/huge",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1}});
            (
                "data: {\"id\":\"gen-fake-huge\",\"model\":\"fake/huge\",\"choices\":[{\"index\":0,\
                 \"delta\":{\"role\":\"assistant\",\"content\":\""
                    .to_owned(),
                "\"},\"finish_reason\":null}]}\n\n".to_owned(),
                vec![
                    format!("data: {finish}\n\n"),
                    "data: [DONE]\n\n".to_owned(),
                ],
            )
        }
    };
    // The event is everything from its `data:` line to its blank line: the text fills the rest.
    let data_line_start = head.rfind("data: ").unwrap_or(0);
    let around = head.len() - data_line_start + tail.len();
    let mut event = head.into_bytes();
    event.resize(event.len() + bytes.saturating_sub(around), b'x');
    event.extend_from_slice(tail.as_bytes());
    let mut chunks: Vec<Vec<u8>> = event.chunks(HUGE_PIECE).map(<[u8]>::to_vec).collect();
    chunks.extend(closing.into_iter().map(String::into_bytes));
    Planned::sse(untimed(chunks))
}

/// [`super::Reply::Html`].
pub(crate) fn html(page: &str) -> Planned {
    Planned {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: PlannedBody::Full(page.as_bytes().to_vec()),
    }
}

/// [`super::Reply::EndlessKeepAlive`].
pub(crate) fn endless() -> Planned {
    Planned {
        status: 200,
        headers: sse_headers(),
        body: PlannedBody::Endless,
    }
}

/// Counts a streamed body as active for as long as it lives (it is dropped when the stream
/// ends, when the client goes away, or when the server stops).
struct ActiveGuard(Arc<AtomicUsize>);

impl ActiveGuard {
    fn new(counter: Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct StreamState {
    chunks: VecDeque<TimedChunk>,
    endless: bool,
    timed: bool,
    cut_after: Option<usize>,
    sent: usize,
    done: bool,
    shutdown: watch::Receiver<bool>,
    _active: ActiveGuard,
}

/// Sleeps `delay`; false if the fake stopped meanwhile.
async fn wait(delay: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    if *shutdown.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        _ = shutdown.changed() => false,
    }
}

async fn next_chunk(mut st: StreamState) -> Option<(Result<Bytes, std::io::Error>, StreamState)> {
    if st.done {
        return None;
    }
    if st.cut_after == Some(st.sent) {
        // An error from the body makes hyper close the connection without the final empty
        // chunk, so the client sees the body end abruptly, exactly like a dropped upstream.
        st.done = true;
        // Pause first: while the body is pending hyper flushes what it buffered (the head and
        // the chunks so far), so the client gets them before the cut instead of nothing.
        tokio::time::sleep(CUT_FLUSH_PAUSE).await;
        let cut = std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fake upstream: connection cut (scripted fault)",
        );
        return Some((Err(cut), st));
    }
    let (delay, bytes) = match st.chunks.pop_front() {
        Some(chunk) => (
            if st.timed {
                chunk.delay
            } else {
                Duration::ZERO
            },
            chunk.bytes,
        ),
        None if st.endless => {
            let delay = if st.sent == 0 {
                Duration::ZERO
            } else {
                KEEP_ALIVE_EVERY
            };
            (delay, KEEP_ALIVE.to_vec())
        }
        None => return None,
    };
    if !delay.is_zero() && !wait(delay, &mut st.shutdown).await {
        return None;
    }
    if st.endless && *st.shutdown.borrow() {
        return None;
    }
    st.sent += 1;
    Some((Ok(Bytes::from(bytes)), st))
}

/// Writes `planned` with `scripted`'s faults applied.
pub(crate) async fn respond(
    planned: Planned,
    scripted: &Scripted,
    timed: bool,
    active: Arc<AtomicUsize>,
    mut shutdown: watch::Receiver<bool>,
) -> Response {
    if let Some(delay) = scripted.first_byte_delay {
        wait(delay, &mut shutdown).await;
    }
    let (chunks, endless) = match planned.body {
        PlannedBody::Full(bytes) if scripted.cut_after.is_none() => {
            return with_head(
                Body::from(bytes),
                planned.status,
                &planned.headers,
                scripted,
            );
        }
        PlannedBody::Full(bytes) => (untimed(vec![bytes]), false),
        PlannedBody::Chunks(chunks) => (chunks, false),
        PlannedBody::Endless => (Vec::new(), true),
        PlannedBody::ChunksThenEndless(chunks) => (chunks, true),
    };
    let state = StreamState {
        chunks: chunks.into(),
        endless,
        timed,
        cut_after: scripted.cut_after,
        sent: 0,
        done: false,
        shutdown,
        _active: ActiveGuard::new(active),
    };
    let stream = futures_util::stream::unfold(state, next_chunk);
    with_head(
        Body::from_stream(stream),
        planned.status,
        &planned.headers,
        scripted,
    )
}

fn with_head(
    body: Body,
    status: u16,
    headers: &[(String, String)],
    scripted: &Scripted,
) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers.iter().chain(&scripted.headers) {
        // A header a test made up that HTTP cannot carry is skipped, not a panic in the server.
        // Inserting (not appending) lets a scripted header override the planned one.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
