//! A loopback server that speaks the providers' wire formats: the shared test double for flows,
//! end-to-end tests, benchmarks and a person trying the CLI.
//!
//! One server stands in for all providers, each under its own prefix:
//! - OpenRouter `/openrouter/api/v1`: `POST /chat/completions`, `GET /key`, `/credits`,
//!   `/generation?id=`, `/models`, `/models/{author}/{slug}/endpoints`.
//!   `POST /auth/keys` exchanges a code registered with [`FakeUpstream::oauth_code`] (OAuth
//!   PKCE sign-in). Team mode, with the management key: `/keys`, `/keys/{hash}`,
//!   `/guardrails…` and `/activity` (see `management.rs`).
//! - OpenAI `/openai/v1`: `POST /chat/completions`, `GET /models` (Bearer auth).
//! - Anthropic `/anthropic/v1`: `POST /messages`, `GET /models` (`x-api-key` and
//!   `anthropic-version` required).
//! - A keyless OpenAI-compatible server `/custom/v1`: `POST /chat/completions`, `GET /models`.
//! - A vLLM-like server behind the key `/vllm/v1`: `GET /models` (with context windows).
//!
//! Chat requests take the next [`Scripted`] reply from a queue ([`FakeUpstream::enqueue`]):
//! recorded traffic replayed byte for byte, arbitrary bodies, or faults. With an empty queue
//! they get a small echo answer in the provider's own format. Every request is recorded
//! ([`FakeUpstream::requests`]).
//!
//! The server runs on its own thread and runtime, so it serves whether or not the caller is
//! async, and stops when the [`FakeUpstream`] is dropped.

mod account;
mod echo;
mod faults;
mod guardrails;
mod management;
mod oauth;
mod replay;
mod reply;
mod routes;
mod served_models;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use management::{TeamRefusal, utc_day};
pub use oauth::OAUTH_USER_ID;
pub use replay::{
    FixtureError, RecordedBody, RecordedResponse, SseReplay, TimedChunk, ai_sdk_dir,
    ai_sdk_fixture_ids, fixtures_dir, load_ai_sdk, load_ai_sdk_sse, rebuild_sse,
};
pub use reply::{Reply, Scripted};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method, e.g. `POST`.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The request body as sent.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of header `name` (lower-case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The provider an endpoint imitates; it picks the auth scheme and the wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    OpenRouter,
    OpenAi,
    Anthropic,
    Custom,
}

/// A generation the fake served, for `GET /generation`.
#[derive(Debug, Clone)]
pub(crate) struct Generation {
    pub(crate) id: String,
    pub(crate) model: Option<String>,
    pub(crate) provider: Option<String>,
    pub(crate) cost: Option<f64>,
    pub(crate) tokens_prompt: Option<u64>,
    pub(crate) tokens_completion: Option<u64>,
    pub(crate) finish_reason: Option<String>,
    pub(crate) native_finish_reason: Option<String>,
    pub(crate) streamed: bool,
    pub(crate) created: u64,
}

/// State shared by the handlers and the [`FakeUpstream`] handle.
pub(crate) struct Shared {
    /// `None`: any non-empty key is accepted.
    pub(crate) accepted_key: Option<String>,
    pub(crate) management_key: Mutex<Option<String>>,
    pub(crate) replay_timing: AtomicBool,
    pub(crate) requests: Mutex<Vec<Recorded>>,
    pub(crate) queue: Mutex<VecDeque<Scripted>>,
    pub(crate) generations: Mutex<Vec<Generation>>,
    /// Codes `POST /auth/keys` exchanges (see [`FakeUpstream::oauth_code`]).
    pub(crate) oauth_codes: Mutex<Vec<oauth::OauthCode>>,
    /// Team mode: the keys the management API made, and the guardrails.
    pub(crate) team: Mutex<management::Team>,
    /// Response bodies being streamed right now.
    pub(crate) active_streams: Arc<AtomicUsize>,
    /// Flips to true when the fake stops, so endless streams end.
    pub(crate) shutdown: tokio::sync::watch::Receiver<bool>,
}

/// Locks `m`, carrying on after a panic elsewhere: the data (lists of records) stays usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Settings for a fake before it starts; see [`FakeUpstream::builder`].
#[derive(Debug, Clone)]
pub struct FakeUpstreamBuilder {
    accepted_key: Option<String>,
    management_key: Option<String>,
    addr: SocketAddr,
    replay_timing: bool,
}

impl FakeUpstreamBuilder {
    /// Accepts exactly `key` (the default accepts any non-empty key).
    pub fn accepted_key(mut self, key: &str) -> Self {
        self.accepted_key = Some(key.to_owned());
        self
    }

    /// The OpenRouter management key that may read `/credits`.
    pub fn management_key(mut self, key: &str) -> Self {
        self.management_key = Some(key.to_owned());
        self
    }

    /// Listens on `addr` (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Honours recorded delays for every replay, not only [`Scripted::timed`] ones.
    pub fn replay_timing(mut self, on: bool) -> Self {
        self.replay_timing = on;
        self
    }

    /// Binds and starts serving on a new thread.
    pub fn start(self) -> std::io::Result<FakeUpstream> {
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let shared = Arc::new(Shared {
            accepted_key: self.accepted_key,
            management_key: Mutex::new(self.management_key),
            replay_timing: AtomicBool::new(self.replay_timing),
            requests: Mutex::default(),
            queue: Mutex::default(),
            generations: Mutex::default(),
            oauth_codes: Mutex::default(),
            team: Mutex::default(),
            active_streams: Arc::default(),
            shutdown: shutdown_rx.clone(),
        });
        let std_listener = std::net::TcpListener::bind(self.addr)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = rt.enter();
            tokio::net::TcpListener::from_std(std_listener)?
        };
        let app = routes::router(shared.clone());
        let mut stop = shutdown_rx;
        let mut hard_stop = stop.clone();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name(format!("fake-upstream-{}", addr.port()))
            .spawn(move || {
                rt.block_on(async move {
                    let served = axum::serve(listener, app).with_graceful_shutdown(async move {
                        // Ends on `true` or when the handle (the sender) is gone.
                        let _ = stop.wait_for(|stopped| *stopped).await;
                    });
                    // A client that never reads its body must not hold the fake open.
                    let grace = async move {
                        let _ = hard_stop.wait_for(|stopped| *stopped).await;
                        tokio::time::sleep(SHUTDOWN_GRACE).await;
                    };
                    tokio::select! {
                        served = served => if let Err(err) = served {
                            eprintln!("fake upstream on {addr} stopped: {err}");
                        },
                        () = grace => {}
                    }
                });
                // Dropping the runtime drops every connection task, so every socket is closed
                // before the handle's drop returns.
                drop(rt);
                drop(done_tx);
            })?;
        Ok(FakeUpstream {
            addr,
            shared,
            shutdown: shutdown_tx,
            stopped: Mutex::new(done_rx),
        })
    }
}

/// A running fake upstream; it stops when dropped.
pub struct FakeUpstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: tokio::sync::watch::Sender<bool>,
    /// Disconnects when the server thread has closed its listener and every connection.
    stopped: Mutex<std::sync::mpsc::Receiver<()>>,
}

/// How long in-flight responses may take to finish once the fake stops.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

impl Drop for FakeUpstream {
    fn drop(&mut self) {
        // Ends endless streams too. Waiting for the thread makes "dropped" mean "offline":
        // tests that drop the fake and expect the next request to fail must not reach a
        // keep-alive connection the server has not closed yet.
        let _ = self.shutdown.send(true);
        let _ = lock(&self.stopped).recv_timeout(SHUTDOWN_GRACE * 2);
    }
}

impl FakeUpstream {
    /// Starts a fake that accepts exactly `accepted_key`, on a free loopback port.
    ///
    /// # Panics
    /// If the loopback port, runtime or thread cannot be had: a test cannot run without its
    /// upstream, and every caller would unwrap anyway. Use [`FakeUpstream::builder`] to handle
    /// the error instead.
    pub fn start(accepted_key: &str) -> Self {
        match Self::builder().accepted_key(accepted_key).start() {
            Ok(fake) => fake,
            Err(err) => panic!("cannot start the fake upstream on loopback: {err}"),
        }
    }

    /// Settings for a fake: key, management key, address, replay timing.
    pub fn builder() -> FakeUpstreamBuilder {
        FakeUpstreamBuilder {
            accepted_key: None,
            management_key: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            replay_timing: false,
        }
    }

    /// Sets the OpenRouter management key that may read `/credits` (also on a running fake).
    pub fn with_management_key(self, key: &str) -> Self {
        *lock(&self.shared.management_key) = Some(key.to_owned());
        self
    }

    /// Turns replay timing on or off for every later replay (see
    /// [`FakeUpstreamBuilder::replay_timing`]).
    pub fn with_replay_timing(self, on: bool) -> Self {
        self.shared.replay_timing.store(on, Ordering::Relaxed);
        self
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
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

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Queues the reply to the next chat request that passes auth (any provider's chat
    /// endpoint; requests rejected with 401 do not consume it).
    pub fn enqueue(&self, reply: impl Into<Scripted>) {
        lock(&self.shared.queue).push_back(reply.into());
    }

    /// How many queued replies are still unused.
    pub fn queued(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// How many response bodies are being streamed right now; it falls back to 0 once every
    /// stream has finished or its client has gone (that is how tests see no task leaked).
    pub fn active_streams(&self) -> usize {
        self.shared.active_streams.load(Ordering::SeqCst)
    }

    /// The ids of the generations served so far (those `GET /generation` knows), oldest first.
    pub fn generation_ids(&self) -> Vec<String> {
        lock(&self.shared.generations)
            .iter()
            .map(|g| g.id.clone())
            .collect()
    }

    /// The SSE chunks of ai-sdk recording `id`, as the recorder saw them (see
    /// [`rebuild_sse`] for the rules and the recorder artifacts it repairs).
    ///
    /// # Panics
    /// If the recording is missing or unreadable: this is a test helper, and an empty answer
    /// would let a comparison pass vacuously. [`load_ai_sdk_sse`] returns the error instead.
    pub fn fixture_sse_bytes(id: &str) -> Vec<Vec<u8>> {
        match load_ai_sdk_sse(id) {
            Ok(replay) => replay.chunk_bytes(),
            Err(err) => panic!("{err}"),
        }
    }
}
