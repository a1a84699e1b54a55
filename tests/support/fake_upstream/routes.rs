//! The HTTP routes: request recording, each provider's auth and error shapes, and the chat
//! endpoints that serve the scripted queue (or the echo default).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::echo::{ChatRequest, echo, echo_costing, unix_now};
use super::faults::{
    Planned, PlannedBody, echo_key, endless, error_body, html, huge_event, malformed, redirect,
    respond, status_reply, untimed,
};
use super::replay::{RecordedBody, load_ai_sdk};
use super::{Api, Generation, Recorded, Reply, Shared, account, lock, management};

type St = State<Arc<Shared>>;

/// Request bodies with images can be large; the fake should record them, not reject them.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/openrouter/api/v1/chat/completions", post(chat_openrouter))
        .route("/openrouter/api/v1/key", get(openrouter_key))
        .route("/openrouter/api/v1/credits", get(openrouter_credits))
        .route("/openrouter/api/v1/generation", get(openrouter_generation))
        .route("/openrouter/api/v1/models", get(openrouter_models))
        .route(
            "/openrouter/api/v1/models/{author}/{slug}/endpoints",
            get(openrouter_endpoints),
        )
        .route("/openai/v1/chat/completions", post(chat_openai))
        .route("/openai/v1/models", get(openai_models))
        .route("/anthropic/v1/messages", post(chat_anthropic))
        .route("/anthropic/v1/models", get(anthropic_models))
        .route("/custom/v1/chat/completions", post(chat_custom))
        .route("/custom/v1/models", get(custom_models))
        .merge(super::served_models::routes())
        .merge(super::oauth::routes())
        .merge(management::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

pub(crate) fn record(s: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) {
    let headers = headers
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), value)
        })
        .collect();
    lock(&s.requests).push(Recorded {
        method: method.to_string(),
        path: uri.to_string(),
        headers,
        body: body.to_vec(),
    });
}

pub(crate) fn json_response(status: u16, body: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [("content-type", "application/json")], body.into()).into_response()
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "))
}

/// Whether `key` is the accepted one (any non-empty key when none was configured).
pub(crate) fn key_ok(s: &Shared, key: Option<&str>) -> bool {
    match (&s.accepted_key, key) {
        (Some(accepted), Some(key)) => key == accepted,
        (None, Some(key)) => !key.is_empty(),
        (_, None) => false,
    }
}

pub(crate) fn is_management(s: &Shared, key: Option<&str>) -> bool {
    key.is_some_and(|k| lock(&s.management_key).as_deref() == Some(k))
}

/// `sk-wr***ng`, the way OpenAI echoes a wrong key.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 7 {
        return "***".into();
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

/// Checks `api`'s auth (and Anthropic's required version header); the error response if it
/// fails, in that provider's real shape.
fn check_auth(s: &Shared, api: Api, headers: &HeaderMap) -> Option<Response> {
    match api {
        Api::Custom => None,
        Api::OpenRouter => {
            let key = bearer(headers);
            if key_ok(s, key) || is_management(s, key) || management::is_team_key(s, key) {
                return None;
            }
            let message = if key.is_none() {
                "No auth credentials found"
            } else {
                "User not found."
            };
            Some(json_response(401, error_body(api, 401, Some(message))))
        }
        Api::OpenAi => {
            let key = bearer(headers);
            if key_ok(s, key) {
                return None;
            }
            let message = match key {
                None => "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).".to_owned(),
                Some(k) => format!("Incorrect API key provided: {}.", mask(k)),
            };
            Some(json_response(401, error_body(api, 401, Some(&message))))
        }
        Api::Anthropic => {
            if header(headers, "anthropic-version").is_none() {
                let body = error_body(api, 400, Some("anthropic-version: header is required"));
                return Some(json_response(400, body));
            }
            let key = header(headers, "x-api-key");
            if key_ok(s, key) {
                return None;
            }
            let message = if key.is_none() {
                "x-api-key header is required"
            } else {
                "invalid x-api-key"
            };
            Some(json_response(401, error_body(api, 401, Some(message))))
        }
    }
}

async fn chat_openrouter(State(s): St, m: Method, u: Uri, h: HeaderMap, b: Bytes) -> Response {
    chat(s, Api::OpenRouter, m, u, h, b).await
}

async fn chat_openai(State(s): St, m: Method, u: Uri, h: HeaderMap, b: Bytes) -> Response {
    chat(s, Api::OpenAi, m, u, h, b).await
}

async fn chat_anthropic(State(s): St, m: Method, u: Uri, h: HeaderMap, b: Bytes) -> Response {
    chat(s, Api::Anthropic, m, u, h, b).await
}

async fn chat_custom(State(s): St, m: Method, u: Uri, h: HeaderMap, b: Bytes) -> Response {
    chat(s, Api::Custom, m, u, h, b).await
}

async fn chat(
    s: Arc<Shared>,
    api: Api,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&s, &method, &uri, &headers, &body);
    if let Some(rejected) = check_auth(&s, api, &headers) {
        return rejected;
    }
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(err) => {
            let message = format!("Invalid JSON in request body: {err}");
            return json_response(400, error_body(api, 400, Some(&message)));
        }
    };
    if api == Api::Anthropic && parsed.get("max_tokens").is_none() {
        // The real Messages API requires it; a client that forgets should fail here too.
        let body = error_body(api, 400, Some("max_tokens: Field required"));
        return json_response(400, body);
    }
    let req = ChatRequest::parse(&parsed);
    let key = match api {
        Api::Anthropic => header(&headers, "x-api-key"),
        _ => bearer(&headers),
    };
    // Team mode: the management key, and team keys that are disabled, expired, over their
    // limit or outside their guardrail, are refused before the queue is touched.
    if api == Api::OpenRouter
        && let Some(refused) = management::refuse_chat(&s, key, req.model.as_deref())
    {
        return refused;
    }
    let scripted = lock(&s.queue).pop_front().unwrap_or_default();
    let planned = plan(api, &req, &scripted.reply, key);
    let served = remember_generation(&s, &planned);
    if api == Api::OpenRouter {
        management::charge(&s, key, served.as_ref());
    }
    let timed = scripted.timed || s.replay_timing.load(Ordering::Relaxed);
    respond(
        planned,
        &scripted,
        timed,
        s.active_streams.clone(),
        s.shutdown.clone(),
    )
    .await
}

/// The response for `reply` before faults; `key` is the key the request carried.
fn plan(api: Api, req: &ChatRequest, reply: &Reply, key: Option<&str>) -> Planned {
    match reply {
        Reply::Echo => echo(api, req),
        Reply::Fixture(id) => match load_ai_sdk(id) {
            Ok(recorded) => Planned {
                status: recorded.status,
                headers: recorded.headers,
                body: match recorded.body {
                    RecordedBody::Sse(replay) => PlannedBody::Chunks(replay.chunks),
                    RecordedBody::Bytes(bytes) => PlannedBody::Full(bytes),
                },
            },
            Err(err) => {
                // A test asked for a recording that is not there: say so in the response
                // (and on stderr), where the failing test will show it.
                eprintln!("fake upstream: {err}");
                let message = format!("fake upstream: {err}");
                Planned::json(500, error_body(api, 500, Some(&message)))
            }
        },
        Reply::Sse(chunks) => Planned::sse(untimed(chunks.clone())),
        Reply::Json { status, body } => Planned::json(*status, body.clone()),
        Reply::Status {
            status,
            retry_after,
            body,
        } => status_reply(api, *status, *retry_after, body.clone()),
        Reply::MalformedJson => malformed(api, req.stream),
        Reply::EndlessKeepAlive => endless(),
        Reply::SsePaced { chunks, every } => Planned::sse(
            chunks
                .iter()
                .map(|bytes| super::TimedChunk {
                    delay: *every,
                    bytes: bytes.clone(),
                })
                .collect(),
        ),
        Reply::SseThenStall(chunks) => Planned {
            body: PlannedBody::ChunksThenEndless(untimed(chunks.clone())),
            ..endless()
        },
        Reply::EchoKey { status } => echo_key(api, *status, key),
        Reply::Redirect { status, location } => redirect(*status, location),
        Reply::HugeEvent { bytes } => huge_event(api, *bytes),
        Reply::UsageCost(raw) => {
            let cost = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone()));
            echo_costing(api, req, Some(cost))
        }
        Reply::Html(page) => html(page),
    }
}

/// Remembers a successful reply's generation id and cost for `GET /generation` and `/credits`;
/// returns it.
fn remember_generation(s: &Shared, planned: &Planned) -> Option<Generation> {
    if !(200..300).contains(&planned.status) {
        return None;
    }
    let (bytes, streamed) = match &planned.body {
        PlannedBody::Full(bytes) => (bytes.clone(), false),
        PlannedBody::Chunks(chunks) => {
            (chunks.iter().flat_map(|c| c.bytes.clone()).collect(), true)
        }
        PlannedBody::Endless | PlannedBody::ChunksThenEndless(_) => return None,
    };
    let generation = account::scan_generation(&bytes, streamed, unix_now())?;
    lock(&s.generations).push(generation.clone());
    Some(generation)
}

async fn openrouter_key(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    let key = bearer(&h);
    let management = is_management(&s, key);
    if let Some(rejected) = check_auth(&s, Api::OpenRouter, &h) {
        return rejected;
    }
    axum::Json(account::key_info(management)).into_response()
}

async fn openrouter_credits(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(rejected) = check_auth(&s, Api::OpenRouter, &h) {
        return rejected;
    }
    if !is_management(&s, bearer(&h)) {
        let body =
            json!({"error": {"code": 403, "message": "Only management keys can fetch credits"}});
        return json_response(403, body.to_string());
    }
    axum::Json(account::credits(&s)).into_response()
}

async fn openrouter_generation(
    State(s): St,
    Query(query): Query<HashMap<String, String>>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(rejected) = check_auth(&s, Api::OpenRouter, &h) {
        return rejected;
    }
    let Some(id) = query.get("id") else {
        let body = error_body(Api::OpenRouter, 400, Some("Missing required parameter: id"));
        return json_response(400, body);
    };
    match account::generation(&s, id) {
        Some(body) => axum::Json(body).into_response(),
        None => {
            let message = format!("Generation {id} not found");
            json_response(404, error_body(Api::OpenRouter, 404, Some(&message)))
        }
    }
}

async fn openrouter_models(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    // Auth is optional for the list (docs/upstream-apis.md §5), so no key check.
    let body = account::models_body();
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

async fn openrouter_endpoints(
    State(s): St,
    Path((author, slug)): Path<(String, String)>,
    m: Method,
    u: Uri,
    h: HeaderMap,
) -> Response {
    record(&s, &m, &u, &h, &[]);
    match account::endpoints(&author, &slug) {
        Some(body) => axum::Json(body).into_response(),
        None => {
            let message = format!("Model {author}/{slug} not found");
            json_response(404, error_body(Api::OpenRouter, 404, Some(&message)))
        }
    }
}

async fn openai_models(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(rejected) = check_auth(&s, Api::OpenAi, &h) {
        return rejected;
    }
    axum::Json(account::openai_models()).into_response()
}

async fn anthropic_models(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    if let Some(rejected) = check_auth(&s, Api::Anthropic, &h) {
        return rejected;
    }
    axum::Json(account::anthropic_models()).into_response()
}

async fn custom_models(State(s): St, m: Method, u: Uri, h: HeaderMap) -> Response {
    record(&s, &m, &u, &h, &[]);
    axum::Json(account::custom_models()).into_response()
}

async fn not_found(State(s): St, m: Method, u: Uri, h: HeaderMap, b: Bytes) -> Response {
    record(&s, &m, &u, &h, &b);
    let path = u.path();
    let api = if path.starts_with("/anthropic/") {
        Api::Anthropic
    } else if path.starts_with("/openai/") || path.starts_with("/custom/") {
        Api::OpenAi
    } else {
        Api::OpenRouter
    };
    let message = format!("{m} {path} is not served by the fake upstream");
    json_response(404, error_body(api, 404, Some(&message)))
}
