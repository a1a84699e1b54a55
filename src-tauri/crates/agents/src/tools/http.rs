//! `http_get`: read a web page or API the user allowed, as text.
//!
//! Off unless granted; the grant's host list is the user's permission, so it is checked on the
//! URL the model asks for *and* on every redirect hop (otherwise an allowed host could bounce
//! the request anywhere). Bodies are capped and must be text: this feeds a model, not a disk.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};
use serde_json::json;
use switchboard_core::ToolSpec;

use super::{Tool, ToolFuture};
use crate::AgentError;

const NAME: &str = "http_get";

/// Long enough for a slow page, short enough that a stuck server does not stall the task.
const TIMEOUT: Duration = Duration::from_secs(20);
/// About 64k tokens; more would crowd out the rest of the conversation.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// Browsers allow about 20; a page that needs more than this is misconfigured.
const MAX_REDIRECTS: usize = 5;

/// Hosts a grant allows; empty means any host.
#[derive(Debug, Clone)]
struct Hosts(Vec<String>);

impl Hosts {
    fn new(hosts: &[String]) -> Self {
        Self(hosts.iter().map(|h| normalize(h)).collect())
    }

    /// `Err` says why the URL may not be fetched.
    fn check(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "only http and https URLs can be fetched, not {url}"
            ));
        }
        let Some(host) = url.host_str() else {
            return Err(format!("{url} has no host"));
        };
        let host = normalize(host);
        if self.0.is_empty() || self.0.contains(&host) {
            Ok(())
        } else {
            Err(format!(
                "{host} is not an allowed host for this agent (allowed: {}); ask the user to add it",
                self.0.join(", ")
            ))
        }
    }
}

/// Hosts compare case-insensitively, and "docs.rs." is "docs.rs".
fn normalize(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `http_get`, holding its client so connections are reused across calls.
pub(super) struct HttpGet {
    client: reqwest::Client,
    hosts: Arc<Hosts>,
}

impl HttpGet {
    /// The tool for a [`ToolGrant::HttpGet`](crate::ToolGrant::HttpGet) grant.
    pub(super) fn new(hosts: &[String]) -> Result<Self, AgentError> {
        let hosts = Arc::new(Hosts::new(hosts));
        let policy_hosts = Arc::clone(&hosts);
        let policy = Policy::custom(move |attempt: Attempt<'_>| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match policy_hosts.check(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => {
                    let message = format!("redirected to {}: {why}", attempt.url());
                    attempt.error(message)
                }
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
            .timeout(TIMEOUT)
            .redirect(policy)
            .build()
            .map_err(|e| AgentError::Invalid(format!("could not set up http_get: {e}")))?;
        Ok(Self { client, hosts })
    }

    async fn get(&self, url: &str) -> Result<String, AgentError> {
        let fail = |message: String| AgentError::tool(NAME, message);
        let parsed = Url::parse(url).map_err(|e| fail(format!("{url:?} is not a URL: {e}")))?;
        self.hosts.check(&parsed).map_err(fail)?;
        let mut response = self
            .client
            .get(parsed.clone())
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(kind) = &content_type
            && !is_text(kind)
        {
            return Err(fail(format!(
                "{url} answered {status} with {kind}, which is not text and is not read"
            )));
        }
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| fail(describe(&e)))? {
            let room = MAX_BODY_BYTES - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        if body.contains(&0) {
            return Err(fail(format!(
                "{url} answered {status} with binary data, which is not read"
            )));
        }

        let mut out = format!("HTTP {status}\n");
        if response.url() != &parsed {
            out.push_str(&format!("url: {}\n", response.url()));
        }
        if let Some(kind) = &content_type {
            out.push_str(&format!("content-type: {kind}\n"));
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&body));
        if truncated {
            out.push_str(&format!(
                "\n\n[truncated: showed the first {} KiB]",
                MAX_BODY_BYTES / 1024
            ));
        }
        Ok(out)
    }
}

/// Text, JSON, XML and their relatives; what a model can read.
fn is_text(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/ecmascript"
                | "application/x-javascript"
                | "application/yaml"
                | "application/x-yaml"
                | "application/toml"
                | "application/x-ndjson"
                | "application/x-www-form-urlencoded"
        )
}

/// reqwest's top-level message ("error sending request") hides the cause; the model and the
/// user need the whole chain (refused redirect, DNS failure, timeout).
fn describe(error: &reqwest::Error) -> String {
    let mut message = if error.is_timeout() {
        format!("timed out after {} s", TIMEOUT.as_secs())
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl Tool for HttpGet {
    fn spec(&self) -> ToolSpec {
        let hosts = if self.hosts.0.is_empty() {
            "any host".to_owned()
        } else {
            format!("only these hosts: {}", self.hosts.0.join(", "))
        };
        ToolSpec {
            name: NAME.to_owned(),
            description: Some(format!(
                "Fetches a URL with HTTP GET and returns the status line, the content type and \
                 the body as text. Allowed: {hosts}. Only text responses (HTML, JSON, XML, plain \
                 text) are returned; bodies over {} KiB are cut off. Times out after {} s.",
                MAX_BODY_BYTES / 1024,
                TIMEOUT.as_secs()
            )),
            parameters: json!({
                "type": "object",
                "properties": {
                    "url": {
                        "type": "string",
                        "description": "The http or https URL, e.g. \"https://docs.rs/serde\"."
                    }
                },
                "required": ["url"],
                "additionalProperties": false
            }),
        }
    }

    fn side_effects(&self) -> bool {
        // GET only reads, and the grant itself is the user's permission.
        false
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move {
            let url = args
                .get("url")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| AgentError::tool(NAME, "expected {\"url\": \"…\"}"))?;
            self.get(url).await
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::http::header;
    use axum::response::Redirect;
    use axum::routing::get;

    use super::*;

    /// A loopback server; returns its base URL, e.g. `http://127.0.0.1:41234`.
    async fn serve() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let elsewhere = format!("http://localhost:{port}/hello");
        let app = Router::new()
            .route("/hello", get(|| async { "hello from loopback" }))
            .route(
                "/json",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        "{\"ok\":true}",
                    )
                }),
            )
            .route("/big", get(|| async { "x".repeat(MAX_BODY_BYTES + 10) }))
            .route(
                "/png",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "image/png")],
                        vec![0x89_u8, b'P', 0],
                    )
                }),
            )
            .route(
                "/missing",
                get(|| async { (axum::http::StatusCode::NOT_FOUND, "no such page") }),
            )
            .route(
                "/same-host",
                get(|| async { Redirect::temporary("/hello") }),
            )
            .route(
                "/elsewhere",
                get(move || {
                    let to = elsewhere.clone();
                    async move { Redirect::temporary(&to) }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}")
    }

    async fn fetch(tool: &HttpGet, url: &str) -> Result<String, AgentError> {
        tool.call(json!({ "url": url })).await
    }

    fn loopback_only() -> HttpGet {
        HttpGet::new(&["127.0.0.1".to_owned()]).unwrap()
    }

    #[tokio::test]
    async fn returns_status_content_type_and_body() {
        let base = serve().await;
        let out = fetch(&loopback_only(), &format!("{base}/hello"))
            .await
            .unwrap();
        assert_eq!(
            out,
            "HTTP 200 OK\ncontent-type: text/plain; charset=utf-8\n\nhello from loopback"
        );
        let out = fetch(&loopback_only(), &format!("{base}/json"))
            .await
            .unwrap();
        assert!(out.ends_with("\n\n{\"ok\":true}"), "{out}");
    }

    #[tokio::test]
    async fn error_statuses_are_reported_not_failed() {
        let base = serve().await;
        let out = fetch(&loopback_only(), &format!("{base}/missing"))
            .await
            .unwrap();
        assert!(out.starts_with("HTTP 404 Not Found\n"), "{out}");
        assert!(
            out.ends_with("no such page"),
            "the model may want the error page: {out}"
        );
    }

    #[tokio::test]
    async fn large_bodies_are_cut_at_the_cap() {
        let base = serve().await;
        let out = fetch(&loopback_only(), &format!("{base}/big"))
            .await
            .unwrap();
        let (_, body) = out.split_once("\n\n").unwrap();
        let (body, note) = body.split_once("\n\n[truncated").unwrap();
        assert_eq!(body.len(), MAX_BODY_BYTES);
        assert!(note.contains("256 KiB"), "{note}");
    }

    #[tokio::test]
    async fn binary_responses_are_refused() {
        let base = serve().await;
        let err = fetch(&loopback_only(), &format!("{base}/png"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("image/png"), "{err}");
    }

    #[tokio::test]
    async fn hosts_outside_the_grant_are_refused_before_connecting() {
        let base = serve().await;
        let docs_only = HttpGet::new(&["Docs.rs".to_owned()]).unwrap();
        let err = fetch(&docs_only, &format!("{base}/hello"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AgentError::Tool { message, .. }
                if message.contains("127.0.0.1 is not an allowed host") && message.contains("docs.rs")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn redirects_are_followed_only_to_allowed_hosts() {
        let base = serve().await;
        let out = fetch(&loopback_only(), &format!("{base}/same-host"))
            .await
            .unwrap();
        assert!(out.contains("url: http://127.0.0.1:"), "{out}");
        assert!(out.ends_with("hello from loopback"), "{out}");
        let err = fetch(&loopback_only(), &format!("{base}/elsewhere"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("localhost is not an allowed host"),
            "a redirect must not escape the allow-list: {err}"
        );
        let any = HttpGet::new(&[]).unwrap();
        let out = fetch(&any, &format!("{base}/elsewhere")).await.unwrap();
        assert!(out.ends_with("hello from loopback"), "{out}");
    }

    #[tokio::test]
    async fn only_http_urls_are_fetched() {
        let any = HttpGet::new(&[]).unwrap();
        let err = fetch(&any, "file:///etc/passwd").await.unwrap_err();
        assert!(err.to_string().contains("only http and https"), "{err}");
        let err = fetch(&any, "not a url").await.unwrap_err();
        assert!(err.to_string().contains("is not a URL"), "{err}");
        assert!(
            !any.side_effects(),
            "a GET the user allowed needs no approval"
        );
    }
}
