//! A loopback server that speaks the providers' wire formats.
//!
//! Routes (each under its provider's prefix, so one server stands in for all three):
//! - `GET /openrouter/api/v1/key`: OpenRouter's key info, for the accepted key only.
//! - `GET /openai/v1/models`: an OpenAI model list, Bearer auth.
//! - `GET /anthropic/v1/models`: an Anthropic model list, `x-api-key` auth and
//!   `anthropic-version` required.
//! - `GET /custom/v1/models`: an OpenAI-compatible server that needs no key.
//!
//! Every request's path and headers are recorded so tests can assert what was sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Path and query.
    pub path: String,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    /// The value of header `name` (lower-case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Shared {
    accepted_key: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A running fake upstream; it stops when dropped (its runtime thread ends).
pub struct FakeUpstream {
    addr: SocketAddr,
    shared: Shared,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl FakeUpstream {
    /// Starts a fake that accepts exactly `accepted_key`, on its own thread and runtime so it
    /// serves whether or not the caller is async.
    pub fn start(accepted_key: &str) -> Self {
        let shared = Shared {
            accepted_key: accepted_key.to_owned(),
            requests: Arc::default(),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(shared.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await;
            });
        });
        Self {
            addr,
            shared,
            _shutdown: tx,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL to configure for OpenRouter (with its API prefix).
    pub fn openrouter_base(&self) -> String {
        format!("{}/openrouter/api/v1", self.origin())
    }

    /// The base URL to configure for OpenAI.
    pub fn openai_base(&self) -> String {
        format!("{}/openai/v1", self.origin())
    }

    /// The base URL to configure for Anthropic.
    pub fn anthropic_base(&self) -> String {
        format!("{}/anthropic/v1", self.origin())
    }

    /// The base URL of a keyless OpenAI-compatible server.
    pub fn custom_base(&self) -> String {
        format!("{}/custom/v1", self.origin())
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/openrouter/api/v1/key", get(openrouter_key))
        .route("/openai/v1/models", get(openai_models))
        .route("/anthropic/v1/models", get(anthropic_models))
        .route("/custom/v1/models", get(custom_models))
        .with_state(shared)
}

fn record(shared: &Shared, uri: &Uri, headers: &HeaderMap) {
    let headers = headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    shared
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Recorded {
            path: uri.to_string(),
            headers,
        });
}

fn bearer_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {}", shared.accepted_key))
}

async fn openrouter_key(State(s): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    record(&s, &uri, &headers);
    if !bearer_ok(&s, &headers) {
        // OpenRouter's real answer to a bad key.
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"message": "User not found.", "code": 401}})),
        )
            .into_response();
    }
    axum::Json(json!({"data": {
        "label": "sk-or-v1-e2e...a1b2",
        "limit": 10.0,
        "limit_remaining": 9.58,
        "limit_reset": null,
        "include_byok_in_limit": false,
        "usage": 0.42,
        "usage_daily": 0.02,
        "usage_weekly": 0.1,
        "usage_monthly": 0.42,
        "is_free_tier": false,
        "is_management_key": false,
        "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"}
    }}))
    .into_response()
}

async fn openai_models(State(s): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    record(&s, &uri, &headers);
    if !bearer_ok(&s, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"message": "Incorrect API key provided: sk-wr***ng.", "type": "invalid_request_error", "code": "invalid_api_key"}})),
        )
            .into_response();
    }
    axum::Json(json!({"object": "list", "data": [
        {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
        {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "system"}
    ]}))
    .into_response()
}

async fn anthropic_models(State(s): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    record(&s, &uri, &headers);
    if headers.get("anthropic-version").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version: header is required"}})),
        )
            .into_response();
    }
    let ok = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == s.accepted_key);
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})),
        )
            .into_response();
    }
    axum::Json(json!({"data": [
        {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}
    ], "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"}))
    .into_response()
}

async fn custom_models(State(s): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    record(&s, &uri, &headers);
    axum::Json(json!({"object": "list", "data": [
        {"id": "llama3.2:3b", "object": "model", "created": 1727000000, "owned_by": "library"}
    ]}))
    .into_response()
}
