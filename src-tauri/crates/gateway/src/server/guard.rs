//! The door: what every request must show before it reaches a handler.
//!
//! A server on loopback is still reachable from every web page the user opens: a page can send
//! requests to `127.0.0.1`, and DNS rebinding can make a page's own name resolve there. So a
//! request is refused unless its `Host` is one of ours (421), a browser `Origin` the user did
//! not allow is refused (403), a body must be JSON (415: a `text/plain` POST is what a page can
//! send without asking the browser first), and a client key must be valid (401). Every refusal
//! is in the caller's dialect.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use axum::extract::{Request, State as Extract};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_core::{ErrorCode, ErrorInfo};

use super::State;
use super::handlers::{Dialect, error_response};

/// The client a valid key belongs to, for the handlers.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// The `Host` values accepted for a server bound to `addr`.
pub(crate) fn allowed_hosts(addr: SocketAddr, extra: &[String]) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("{addr}"),
    ];
    hosts.extend(extra.iter().map(|h| h.to_ascii_lowercase()));
    hosts.extend(
        extra
            .iter()
            .map(|h| format!("{}:{port}", h.to_ascii_lowercase())),
    );
    hosts
}

pub(crate) async fn guard(
    Extract(state): Extract<State>,
    mut request: Request,
    next: Next,
) -> Response {
    let dialect = Dialect::of(request.uri().path(), request.headers());
    if let Err(refusal) = check(&state, &request) {
        state.counters.served.fetch_add(1, Ordering::Relaxed);
        return refusal.respond(dialect);
    }
    if request.uri().path() != "/health" {
        match authenticate(&state, request.headers()).await {
            Ok(client) => {
                request.extensions_mut().insert(client);
            }
            Err(refusal) => {
                state.counters.served.fetch_add(1, Ordering::Relaxed);
                return refusal.respond(dialect);
            }
        }
    }
    let response = next.run(request).await;
    state.counters.served.fetch_add(1, Ordering::Relaxed);
    response
}

/// A request turned away at the door.
pub(crate) struct Refusal {
    status: StatusCode,
    info: ErrorInfo,
}

impl Refusal {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            info: ErrorInfo::new(code, message),
        }
    }

    fn respond(self, dialect: Dialect) -> Response {
        let mut response = error_response(dialect, &self.info);
        *response.status_mut() = self.status;
        response
    }
}

fn check(state: &State, request: &Request) -> Result<(), Refusal> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    match host {
        Some(host) if state.hosts.contains(&host) => {}
        other => {
            return Err(Refusal::new(
                StatusCode::MISDIRECTED_REQUEST,
                ErrorCode::InvalidInput,
                format!(
                    "This Switchboard serves only its own address (Host {}): a request naming \
                     another host is refused, so a web page cannot reach it through DNS \
                     rebinding.",
                    other.as_deref().unwrap_or("missing")
                ),
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && !state.config.allowed_origins.iter().any(|a| a == origin)
    {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvalidInput,
            format!(
                "Requests from web pages are refused (Origin {origin}); allow an origin in \
                 Switchboard's Local API settings to let a page call it."
            ),
        ));
    }
    if request.method() == Method::POST {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| {
                c.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::InvalidInput,
                "The body must be JSON (Content-Type: application/json).",
            ));
        }
    }
    Ok(())
}

/// The client key from `Authorization: Bearer …` (OpenAI clients) or `x-api-key` (Anthropic
/// clients), checked against the stored hashes.
async fn authenticate(state: &State, headers: &HeaderMap) -> Result<Client, Refusal> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let key = bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()));
    let refused = |why: &str| {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Auth,
            format!(
                "{why} Create a client key with `switchboard api-keys create NAME` (or in the \
                 app's Local API section) and send it as a Bearer token or x-api-key."
            ),
        )
    };
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return Err(refused("This request carries no client key."));
    };
    match state.engine.clients().authenticate(key).await {
        Ok(Some(client)) => Ok(Client {
            id: client.id,
            name: client.name,
        }),
        Ok(None) => Err(refused(
            "This client key is not valid (unknown or revoked).",
        )),
        Err(e) => Err(Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            info: e.info(),
        }),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.respond(Dialect::OpenAiChat)
    }
}
