//! Where and how to reach one provider.

use std::time::Duration;

use reqwest::RequestBuilder;
use switchboard_core::{ApiKey, Attribution, BaseUrl, ProviderKind};

/// Anthropic's API version header; the Messages API shape we speak is pinned to it.
const ANTHROPIC_VERSION: &str = "2023-06-01";

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
}

impl Endpoint {
    /// A GET request to `path` under the base URL, with this provider's headers.
    pub fn get(&self, client: &reqwest::Client, path: &str) -> RequestBuilder {
        self.headers(client.get(self.base_url.join(path)))
    }

    /// A POST request to `path` under the base URL, with this provider's headers.
    pub fn post(&self, client: &reqwest::Client, path: &str) -> RequestBuilder {
        self.headers(client.post(self.base_url.join(path)))
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

/// The one HTTP client the app shares: connection pool, sane timeouts, our user agent.
///
/// There is no overall request timeout here because streams legitimately run for minutes; the
/// calls that must be short (key checks, catalogue) set their own.
pub fn http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(120))
        .build()
}
