//! Where and how to reach one provider, and the limits a streamed answer must keep.

use std::time::Duration;

use reqwest::RequestBuilder;
use reqwest::redirect::{Attempt, Policy};
use switchboard_core::{ApiKey, Attribution, BaseUrl, ProviderCall, ProviderKind};

/// Anthropic's API version header; the Messages API shape we speak is pinned to it.
const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The most same-origin redirects one call follows (see [`http_client`]).
const MAX_REDIRECTS: usize = 5;

/// Bounds on one streamed answer, so a broken or hostile server cannot hold a request (or a
/// CPU core, or memory) for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// The largest single server-sent event, in bytes; a bigger one fails the request with a
    /// decode error. Default 32 MiB: far above any real answer chunk (a base64 image or a large
    /// tool call is a few MiB), far below what would exhaust memory.
    pub max_event_bytes: usize,
    /// The longest wait between two data events once the answer has started. Keep-alive
    /// comments (OpenRouter's `: OPENROUTER PROCESSING`) do not count as data, so a server that
    /// only sends those still times out. Default 120 s. (The shared client's read timeout, 120 s
    /// without a single byte, applies too, so a longer idle timeout only helps with servers that
    /// send keep-alives.)
    pub idle_timeout: Duration,
    /// The longest wait from sending the request to its first data event (connecting, the
    /// response head and the first event together). Default 120 s. Streamed requests only: a
    /// non-streamed answer arrives whole, after the whole generation.
    pub first_event_timeout: Duration,
}

impl StreamLimits {
    /// The default for [`StreamLimits::max_event_bytes`].
    pub const DEFAULT_MAX_EVENT_BYTES: usize = 32 * 1024 * 1024;
    /// The default for [`StreamLimits::idle_timeout`].
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
    /// The default for [`StreamLimits::first_event_timeout`].
    pub const DEFAULT_FIRST_EVENT_TIMEOUT: Duration = Duration::from_secs(120);
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            max_event_bytes: Self::DEFAULT_MAX_EVENT_BYTES,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            first_event_timeout: Self::DEFAULT_FIRST_EVENT_TIMEOUT,
        }
    }
}

/// One provider as a request target: its protocol, URL, key and (for OpenRouter) attribution.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The protocol.
    pub kind: ProviderKind,
    /// The base URL including the API prefix.
    pub base_url: BaseUrl,
    /// The key, if one is set; custom servers may need none.
    pub key: Option<ApiKey>,
    /// OpenRouter's `HTTP-Referer` / `X-Title`; ignored for other kinds.
    pub attribution: Attribution,
    /// Bounds on streamed answers; [`StreamLimits::default`] unless the user set others.
    pub limits: StreamLimits,
}

impl Endpoint {
    /// An endpoint with the default [`StreamLimits`].
    pub fn new(
        kind: ProviderKind,
        base_url: BaseUrl,
        key: Option<ApiKey>,
        attribution: Attribution,
    ) -> Self {
        Self {
            kind,
            base_url,
            key,
            attribution,
            limits: StreamLimits::default(),
        }
    }

    /// A GET request to `path` under the base URL, with this provider's headers.
    pub fn get(&self, client: &reqwest::Client, path: &str) -> RequestBuilder {
        self.headers(client.get(self.base_url.join(path)))
    }

    /// A POST request to `path` under the base URL, with this provider's headers.
    pub fn post(&self, client: &reqwest::Client, path: &str) -> RequestBuilder {
        self.headers(client.post(self.base_url.join(path)))
    }

    /// A request with any `method` (`PATCH`, `DELETE`…) to `path` under the base URL, with
    /// this provider's headers.
    pub fn request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
    ) -> RequestBuilder {
        self.headers(client.request(method, self.base_url.join(path)))
    }

    /// The provider's name as people know it.
    pub fn provider_name(&self) -> &'static str {
        match self.kind {
            ProviderKind::OpenRouter => "OpenRouter",
            ProviderKind::OpenAi => "OpenAI",
            ProviderKind::Anthropic => "Anthropic",
            ProviderKind::Custom => "OpenAI-compatible server",
        }
    }

    /// What a message names for a call to `url` with `method`: the path under the base URL,
    /// without the query (which may carry ids or secrets).
    pub(crate) fn call(&self, method: &reqwest::Method, url: &reqwest::Url) -> ProviderCall {
        let mut full = url.clone();
        full.set_query(None);
        full.set_fragment(None);
        let full = full.as_str();
        let path = full
            .strip_prefix(self.base_url.as_str())
            .map_or_else(|| url.path().to_owned(), str::to_owned);
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        ProviderCall {
            provider: self.provider_name().to_owned(),
            base_url: self.base_url.as_str().to_owned(),
            method: method.as_str().to_owned(),
            path,
        }
    }

    fn headers(&self, mut req: RequestBuilder) -> RequestBuilder {
        match (self.kind, &self.key) {
            (ProviderKind::Anthropic, key) => {
                req = req.header("anthropic-version", ANTHROPIC_VERSION);
                if let Some(key) = key {
                    req = req.header("x-api-key", key.expose());
                }
            }
            (_, Some(key)) => req = req.bearer_auth(key.expose()),
            (_, None) => {}
        }
        if self.kind == ProviderKind::OpenRouter {
            if !self.attribution.referer.is_empty() {
                req = req.header("HTTP-Referer", &self.attribution.referer);
            }
            if !self.attribution.title.is_empty() {
                req = req.header("X-Title", &self.attribution.title);
            }
        }
        req
    }
}

/// The one HTTP client the app shares: connection pool, sane timeouts, our user agent, and a
/// redirect policy that keeps keys on the origin they were configured for.
///
/// There is no overall request timeout here because streams legitimately run for minutes; the
/// calls that must be short (key checks, catalogue) set their own, and streams keep
/// [`StreamLimits`].
///
/// Redirects: reqwest's default policy strips only `Authorization` (and cookies) on a
/// cross-origin hop, so Anthropic's `x-api-key` would follow a redirect anywhere. Provider APIs
/// do not redirect, but a self-hosted server may (a proxy adding a trailing slash), so rather
/// than `Policy::none()` this follows a 307/308 that stays on the same origin (scheme, host and
/// port), where the key already goes, and which keeps the method and body. Any other redirect
/// is not followed: the 3xx answer comes back and [`crate::http`] turns it into an error that
/// names the `Location`.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(120))
        .redirect(Policy::custom(same_origin_only))
        .build()
}

fn same_origin_only(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first() else {
        return attempt.stop();
    };
    let same_origin = attempt.url().origin() == first.origin();
    let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
    if same_origin && keeps_method && attempt.previous().len() <= MAX_REDIRECTS {
        attempt.follow()
    } else {
        attempt.stop()
    }
}
