//! `http_get`: read a web page or API the user allowed, as text.
//!
//! Off unless granted. The grant lists hosts the agent may fetch from without asking, and may
//! opt in to any other public host, each asked for once per task (through the same approval as
//! side-effecting tools). Nothing reaches the user's own machine or network unless they list
//! that exact address: the URL is judged on every redirect hop (`allow_list.rs`), and a host
//! name's addresses where it is resolved for the connection (`resolve.rs`), so DNS cannot
//! point an allowed name somewhere else between check and connect. Bodies are capped and must
//! be text: this feeds a model, not a disk.

mod address;
mod allow_list;
mod resolve;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};
use serde_json::json;
use switchboard_core::ToolSpec;

use self::allow_list::{AllowList, BadHost, Verdict};
use self::resolve::{CheckedResolver, Lookup, Refused};
use super::{Tool, ToolFuture};
use crate::AgentError;

const NAME: &str = "http_get";

/// Long enough for a slow page, short enough that a stuck server does not stall the task.
const TIMEOUT: Duration = Duration::from_secs(20);
/// About 64k tokens; more would crowd out the rest of the conversation.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// Browsers allow about 20; a page that needs more than this is misconfigured.
const MAX_REDIRECTS: usize = 5;

/// `Err` with the reason when the hosts of a grant cannot be understood (for saving a spec).
pub(crate) fn check_hosts(hosts: &[String]) -> Result<(), BadHost> {
    AllowList::new(hosts, false).map(drop)
}

/// `http_get` for one task, holding its client so connections are reused across calls.
pub(super) struct HttpGet {
    client: reqwest::Client,
    list: Arc<AllowList>,
    /// `host:port` the user approved in this task; shared with the redirect policy.
    approved: Arc<Mutex<HashSet<String>>>,
}

impl HttpGet {
    /// The tool for a [`ToolGrant::HttpGet`](crate::ToolGrant::HttpGet) grant.
    pub(super) fn new(hosts: &[String], any_public_host: bool) -> Result<Self, AgentError> {
        Self::with_lookup(hosts, any_public_host, resolve::system_lookup())
    }

    /// The tool resolving names with `lookup` (tests pass a fixed table).
    fn with_lookup(
        hosts: &[String],
        any_public_host: bool,
        lookup: Lookup,
    ) -> Result<Self, AgentError> {
        let list = Arc::new(AllowList::new(hosts, any_public_host)?);
        let approved = Arc::new(Mutex::new(HashSet::new()));
        let policy = {
            let list = Arc::clone(&list);
            let approved = Arc::clone(&approved);
            Policy::custom(move |attempt: Attempt<'_>| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
                }
                let verdict = {
                    let approved = approved.lock().unwrap_or_else(PoisonError::into_inner);
                    list.check(attempt.url(), &approved)
                };
                let why = match verdict {
                    Verdict::Allowed => return attempt.follow(),
                    Verdict::Ask(host) => format!(
                        "the user has not approved {host} in this task; call http_get with \
                         that URL to ask them"
                    ),
                    Verdict::Refused(why) => why,
                };
                let message = format!("redirected to {}: {why}", attempt.url());
                attempt.error(Refused(message))
            })
        };
        let resolver = CheckedResolver {
            lookup,
            list: Arc::clone(&list),
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")))
            .timeout(TIMEOUT)
            .redirect(policy)
            .dns_resolver(Arc::new(resolver))
            // A proxy would resolve names itself, out of the resolver's sight, and could reach
            // the user's network on the agent's behalf.
            .no_proxy()
            .build()
            .map_err(|e| AgentError::Invalid(format!("could not set up http_get: {e}")))?;
        Ok(Self {
            client,
            list,
            approved,
        })
    }

    /// The verdict on `url`, given what the user approved so far in this task.
    fn judge(&self, url: &Url) -> Verdict {
        let approved = self.approved.lock().unwrap_or_else(PoisonError::into_inner);
        self.list.check(url, &approved)
    }

    /// The verdict on the URL a call asks for; `None` when there is no URL to judge.
    fn verdict(&self, args: &serde_json::Value) -> Option<Verdict> {
        Some(self.judge(&Url::parse(url_arg(args)?).ok()?))
    }

    async fn get(&self, url: &str) -> Result<String, AgentError> {
        let fail = |message: String| AgentError::tool(NAME, message);
        let parsed = Url::parse(url).map_err(|e| fail(format!("{url:?} is not a URL: {e}")))?;
        match self.judge(&parsed) {
            Verdict::Allowed => {}
            // Reached only when the user declined or nobody could ask (the loop asks first).
            Verdict::Ask(host) => {
                return Err(fail(format!(
                    "the user has not approved fetching from {host}"
                )));
            }
            Verdict::Refused(why) => return Err(fail(why)),
        }
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
/// user need the whole chain (DNS failure, timeout), or only our own refusal when one is in it.
fn describe(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return refused.to_string();
        }
        source = cause.source();
    }
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

fn url_arg(args: &serde_json::Value) -> Option<&str> {
    args.get("url").and_then(serde_json::Value::as_str)
}

impl Tool for HttpGet {
    fn spec(&self) -> ToolSpec {
        let hosts = self.list.describe();
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
        // GET only reads; listed hosts are the user's permission, other hosts are asked for
        // by `needs_approval`.
        false
    }

    fn needs_approval(&self, args: &serde_json::Value) -> bool {
        matches!(self.verdict(args), Some(Verdict::Ask(_)))
    }

    fn approved(&self, args: &serde_json::Value) {
        if let Some(Verdict::Ask(host)) = self.verdict(args) {
            self.approved
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(host);
        }
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move {
            let url = url_arg(&args)
                .ok_or_else(|| AgentError::tool(NAME, "expected {\"url\": \"…\"}"))?;
            self.get(url).await
        })
    }
}

#[cfg(test)]
mod tests;
