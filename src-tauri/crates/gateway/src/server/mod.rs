//! The local API server: `switchboard serve`, and the same server inside the app.
//!
//! It is a thin HTTP edge over the engine: every request is checked at the door ([`guard`]:
//! the `Host` is ours, no foreign web page's origin, JSON only, a valid client key), parsed in
//! its client's dialect, and sent through [`switchboard_engine::Routing::send`], so the
//! router, the hard budgets and the ledger apply exactly as they do to the app's own chats.
//! Answers stream back as the upstream produces them, with backpressure to the provider; a
//! client that goes away cancels its upstream request, and what was billed is still recorded.
//!
//! Built on axum (hyper underneath): routing, the HTTP/1.1 server and graceful shutdown are
//! the library's; what is ours is the policy at the door and the dialect plumbing.

mod guard;
mod handlers;
mod sse;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use switchboard_engine::Engine;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How the server listens and what it lets in.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Where to listen; loopback unless the user explicitly asks for more.
    pub host: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Web origins allowed to call it from a browser (CORS); none by default.
    pub allowed_origins: Vec<String>,
    /// `Host` header values accepted besides the loopback names and the bound address (a
    /// LAN name when listening beyond loopback).
    pub extra_hosts: Vec<String>,
    /// The largest request body, bytes.
    pub max_body_bytes: usize,
    /// How long a request that does not stream may take in all.
    pub request_timeout: Duration,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            allowed_origins: Vec::new(),
            extra_hosts: Vec::new(),
            // Requests carry whole conversations and base64 images; 32 MiB holds a long
            // agent session with a few screenshots and refuses what no chat needs.
            max_body_bytes: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(600),
        }
    }
}

/// The port `switchboard serve` and the app use unless told otherwise.
pub const DEFAULT_PORT: u16 = 4242;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The address could not be bound (in use, not allowed).
    #[error(
        "cannot listen on {addr}: {source}. Choose another port (--port) or stop what uses it."
    )]
    Bind {
        /// Where.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
}

/// What the server has done, for the app's Local API section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// Requests being served now.
    pub in_flight: usize,
    /// Requests answered since the server started (refused ones included).
    pub served: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    in_flight: AtomicUsize,
    served: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> GatewayStats {
        GatewayStats {
            in_flight: self.in_flight.load(Ordering::Relaxed),
            served: self.served.load(Ordering::Relaxed),
        }
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) engine: Engine,
    pub(crate) config: Arc<GatewayConfig>,
    pub(crate) hosts: Arc<Vec<String>>,
    pub(crate) counters: Arc<Counters>,
    /// When the server started, Unix seconds (the `created` of listed models).
    pub(crate) started_unix: u64,
}

/// A running server. Stop it with [`Gateway::stop`]; dropping it stops it at once.
#[derive(Debug)]
pub struct Gateway {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
    counters: Arc<Counters>,
}

impl Gateway {
    /// Binds and starts serving; returns once it accepts connections.
    pub async fn start(engine: Engine, config: GatewayConfig) -> Result<Self, GatewayError> {
        let wanted = SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(wanted)
            .await
            .map_err(|source| GatewayError::Bind {
                addr: wanted,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| GatewayError::Bind {
            addr: wanted,
            source,
        })?;
        let counters = Arc::new(Counters::default());
        let state = State {
            engine,
            hosts: Arc::new(guard::allowed_hosts(addr, &config.extra_hosts)),
            config: Arc::new(config),
            counters: Arc::clone(&counters),
            started_unix: unix_now(),
        };
        let app = router(state);
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone().cancelled_owned();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
        });
        Ok(Self {
            addr,
            shutdown,
            task: Some(task),
            counters,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests in flight and served so far.
    pub fn stats(&self) -> GatewayStats {
        self.counters.snapshot()
    }

    /// Stops accepting, lets requests in flight finish for up to `grace`, then stops. Returns
    /// whether every request finished in time.
    pub async fn stop(mut self, grace: Duration) -> bool {
        self.shutdown.cancel();
        let Some(task) = self.task.take() else {
            return true;
        };
        let abort = task.abort_handle();
        if tokio::time::timeout(grace, task).await.is_ok() {
            return true;
        }
        abort.abort();
        false
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn router(state: State) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/v1/models", get(handlers::models))
        .route("/v1/chat/completions", post(handlers::chat_completions))
        .route("/v1/responses", post(handlers::responses))
        .route("/v1/messages", post(handlers::messages))
        .route("/v1/messages/count_tokens", post(handlers::count_tokens))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

#[allow(
    clippy::disallowed_methods,
    reason = "when this server started, shown on the Local API screen; never stored"
)]
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
