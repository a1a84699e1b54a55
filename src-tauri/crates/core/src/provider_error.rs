//! Classifying what a provider sent back, into the errors the router and the UI act on.
//!
//! Pure (no HTTP client types), so the `ChatProvider` trait can name it and tests can feed it
//! recorded bodies.

use std::time::Duration;

use crate::{ErrorCode, ErrorInfo, KeyRefusal};

/// The longest raw body kept on an error; enough to diagnose, bounded so a hostile or broken
/// server cannot bloat memory or logs.
const MAX_RAW: usize = 4096;

/// The HTTP call a failure came from, so a message can say where it went: which provider, at
/// which base URL, with which method and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCall {
    /// Who was called, for people: `OpenRouter`, `OpenAI`, `Anthropic` or
    /// `OpenAI-compatible server`.
    pub provider: String,
    /// The base URL in effect (base URLs never carry a query or credentials).
    pub base_url: String,
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path under the base URL with a leading slash and without its query (which may carry
    /// ids or secrets), e.g. `/chat/completions`.
    pub path: String,
}

impl ProviderCall {
    /// `OpenRouter at https://openrouter.ai/api/v1`.
    fn site(&self) -> String {
        format!("{} at {}", self.provider, self.base_url)
    }

    /// `POST /chat/completions`.
    fn request(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A failed call to a provider, classified so the engine, router and UI can act on it.
///
/// The variants that come from an HTTP answer carry the [`ProviderCall`] they answered when the
/// adapter knows it (`call`), and their message then names the provider, URL, method, status
/// and what the status means. Errors found inside a 200 answer (mid-stream) have no `call`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProviderError {
    /// 401 (or 403 on account endpoints): the key is wrong, revoked or missing.
    Auth {
        /// The status code.
        status: u16,
        /// The provider's message.
        message: String,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// 402: no credits left.
    NoCredits {
        /// The provider's message.
        message: String,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// 401, 402 or 403 because of the key itself: over its own limit, blocked by a guardrail
    /// or budget, a management key used to run a model, disabled or expired (see
    /// [`KeyRefusal`]). Never worth retrying on the same key.
    KeyRefused {
        /// Which refusal.
        refusal: KeyRefusal,
        /// The status code.
        status: u16,
        /// The provider's message.
        message: String,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// 403 on a completion: moderation refused the input.
    Moderation {
        /// The provider's message.
        message: String,
        /// The flagged reasons, when the provider lists them.
        reasons: Vec<String>,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// A transport-level time limit passed (the HTTP client's own read or request timeout).
    Timeout,
    /// 408, or one of Switchboard's own deadlines passed (the first event did not come in
    /// time, or the stream went quiet); classified like [`ProviderError::Timeout`].
    Deadline {
        /// What happened, as a phrase that follows the provider's name, e.g. `sent no answer
        /// within 120 s of the request (the first-event timeout)`.
        detail: String,
        /// The call that timed out, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// 429.
    RateLimited {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
        /// The provider's message.
        message: String,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// 5xx: the provider, or the upstream behind a router, failed.
    Upstream {
        /// The status code.
        status: u16,
        /// The upstream provider's name, when a router reports it.
        provider: Option<String>,
        /// The provider's message.
        message: String,
        /// The call that failed, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// Another 4xx (or a redirect that was not followed): the request itself is wrong,
    /// including a base URL that points elsewhere. Status 0 marks a request refused before
    /// anything was sent.
    BadRequest {
        /// The status code.
        status: u16,
        /// The provider's message (for a refused redirect, its `Location`).
        message: String,
        /// The call that was refused, when known.
        call: Option<Box<ProviderCall>>,
    },
    /// No connection: DNS, refused, TLS, reset.
    Network {
        /// What the transport said.
        detail: String,
    },
    /// The provider was reached and began to answer, but the answer broke off: the
    /// connection dropped mid-body, or the stream ended before its last event. Classified
    /// like [`ProviderError::Network`]; told apart so no one is told the provider was
    /// unreachable when it answered.
    Cut {
        /// What the transport said, or why the answer is known to be incomplete.
        detail: String,
    },
    /// The answer did not parse.
    Decode {
        /// What did not parse.
        detail: String,
        /// The start of the body, as received.
        raw: String,
    },
}

impl std::error::Error for ProviderError {}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Self::Auth {
                status,
                message,
                call,
            } => match call {
                Some(call) => {
                    let meaning = if *status == 401 {
                        "the key was refused; check it, or replace it in Settings"
                    } else {
                        "the key is not allowed to do this"
                    };
                    answered(call, *status, meaning, message)
                }
                None => format!("The provider rejected the key ({status}): {message}"),
            },
            Self::NoCredits { message, call } => match call {
                Some(call) => answered(
                    call,
                    402,
                    "the account is out of credits; add credits, then try again",
                    message,
                ),
                None => format!("The account is out of credits: {message}"),
            },
            Self::KeyRefused {
                refusal,
                status,
                message,
                call,
            } => match call {
                Some(call) => answered(call, *status, refusal.meaning(), message),
                None => format!("{} ({status}): {message}", refusal.headline()),
            },
            Self::Moderation {
                message,
                reasons,
                call,
            } => match call {
                Some(call) => {
                    let meaning = if reasons.is_empty() {
                        "moderation refused the input".to_owned()
                    } else {
                        format!("moderation refused the input ({})", reasons.join(", "))
                    };
                    answered(call, 403, &meaning, message)
                }
                None => format!("Refused by moderation: {message}"),
            },
            Self::Timeout => "The provider did not answer in time.".to_owned(),
            Self::Deadline { detail, call } => {
                let advice = "Try again; if it keeps happening, the provider may be overloaded";
                match call {
                    Some(call) => {
                        format!("{} {detail} for {}. {advice}.", call.site(), call.request())
                    }
                    None => format!("The provider {detail}. {advice}."),
                }
            }
            Self::RateLimited {
                retry_after,
                message,
                call,
            } => match call {
                Some(call) => {
                    let meaning = match retry_after {
                        Some(wait) => format!(
                            "rate limited; it asks to wait {} s before trying again",
                            seconds(*wait)
                        ),
                        None => "rate limited; try again shortly".to_owned(),
                    };
                    answered(call, 429, &meaning, message)
                }
                None => format!("Rate limited: {message}"),
            },
            Self::Upstream {
                status,
                provider,
                message,
                call,
            } => match call {
                Some(call) => {
                    let who = provider.as_deref().map_or_else(
                        || "the provider failed".to_owned(),
                        |p| format!("{p}, the provider behind it, failed"),
                    );
                    let meaning = format!(
                        "{who}; this is usually temporary, so try again or pick another model"
                    );
                    answered(call, *status, &meaning, message)
                }
                None => format!(
                    "{} failed ({status}): {message}",
                    provider.as_deref().unwrap_or("The provider")
                ),
            },
            Self::BadRequest {
                status,
                message,
                call,
            } => match (call, status) {
                (Some(call), 300..=399) => format!(
                    "{} answered {} for {} with a redirect to {message}, which was not \
                     followed, so the key was not sent there. If the service moved, set the \
                     base URL to its new address.",
                    call.site(),
                    status_text(*status),
                    call.request()
                ),
                (Some(call), _) => answered(call, *status, bad_request_meaning(*status), message),
                (None, 0) => format!("The request was not sent: {message}"),
                (None, _) => format!("The provider refused the request ({status}): {message}"),
            },
            Self::Network { detail } => format!("Could not reach the provider: {detail}"),
            Self::Cut { detail } => format!("The provider's answer broke off: {detail}"),
            Self::Decode { detail, .. } => {
                format!("Could not understand the provider's answer: {detail}")
            }
        };
        f.write_str(&text)
    }
}

/// `OpenRouter at … answered 404 Not Found for POST /chat/completions: <meaning>. It said: …`
fn answered(call: &ProviderCall, status: u16, meaning: &str, message: &str) -> String {
    let mut text = format!(
        "{} answered {} for {}: {meaning}.",
        call.site(),
        status_text(status),
        call.request()
    );
    let message = message.trim();
    // An empty body has nothing to quote beyond the status the sentence already gives.
    if !message.is_empty() && message != fallback_message(status, "") {
        text.push_str(" It said: ");
        text.push_str(message);
        if !message.ends_with(['.', '!', '?']) {
            text.push('.');
        }
    }
    text
}

/// What a 4xx other than 401, 402, 403, 408 and 429 means for the person reading it.
fn bad_request_meaning(status: u16) -> &'static str {
    match status {
        404 => "nothing was found there (check the base URL and the model name)",
        405 => "that method is not allowed there (check the base URL)",
        409 => "the request conflicts with the server's state",
        413 => "the request is too large (shorten the conversation or its attachments)",
        400 | 415 | 422 => "the request was refused as invalid",
        _ => "the request was refused",
    }
}

/// `404 Not Found`: the status and its standard reason phrase, when it has one.
fn status_text(status: u16) -> String {
    let reason = match status {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Overloaded",
        _ => return status.to_string(),
    };
    format!("{status} {reason}")
}

/// A duration for a message: `7`, `0.3`, `1.5` (seconds, at most one decimal).
fn seconds(d: Duration) -> String {
    let tenths = d.as_millis().div_ceil(100);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl ProviderError {
    /// The code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Auth { .. } => ErrorCode::Auth,
            Self::NoCredits { .. } => ErrorCode::NoCredits,
            Self::KeyRefused { refusal, .. } => refusal.code(),
            Self::Moderation { .. } => ErrorCode::Moderation,
            Self::Timeout | Self::Deadline { .. } => ErrorCode::Timeout,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Upstream { .. } => ErrorCode::Upstream,
            Self::BadRequest { .. } => ErrorCode::BadRequest,
            Self::Network { .. } | Self::Cut { .. } => ErrorCode::Network,
            Self::Decode { .. } => ErrorCode::Decode,
        }
    }

    /// The envelope for the UI.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo::new(self.code(), self.to_string())
    }

    /// Classifies a non-success HTTP answer from its status, headers and body.
    pub fn from_response(status: u16, retry_after: Option<&str>, body: &str) -> Self {
        let parsed = ErrorBody::parse(body);
        let message = parsed
            .message
            .clone()
            .unwrap_or_else(|| fallback_message(status, body));
        let call = None;
        if let Some(refusal) = KeyRefusal::classify(status, &message, !parsed.reasons.is_empty()) {
            return Self::KeyRefused {
                refusal,
                status,
                message,
                call,
            };
        }
        match status {
            401 => Self::Auth {
                status,
                message,
                call,
            },
            402 => Self::NoCredits { message, call },
            403 if parsed.reasons.is_empty() && looks_like_auth(&message) => Self::Auth {
                status,
                message,
                call,
            },
            403 => Self::Moderation {
                message,
                reasons: parsed.reasons,
                call,
            },
            408 => Self::Deadline {
                detail: format!("answered {}", status_text(status)),
                call,
            },
            429 => Self::RateLimited {
                retry_after: retry_after.and_then(parse_retry_after),
                message,
                call,
            },
            500..=599 => Self::Upstream {
                status,
                provider: parsed.provider,
                message,
                call,
            },
            _ => Self::BadRequest {
                status,
                message,
                call,
            },
        }
    }

    /// [`ProviderError::from_response`] for an answer to `call`, whose message then names it.
    pub fn from_http(
        call: ProviderCall,
        status: u16,
        retry_after: Option<&str>,
        body: &str,
    ) -> Self {
        Self::from_response(status, retry_after, body).with_call(call)
    }

    /// The same error, naming `call` as where it came from (errors that carry no call, such as
    /// [`ProviderError::Network`], are returned unchanged).
    pub fn with_call(mut self, new: ProviderCall) -> Self {
        match &mut self {
            Self::Auth { call, .. }
            | Self::NoCredits { call, .. }
            | Self::KeyRefused { call, .. }
            | Self::Moderation { call, .. }
            | Self::Deadline { call, .. }
            | Self::RateLimited { call, .. }
            | Self::Upstream { call, .. }
            | Self::BadRequest { call, .. } => *call = Some(Box::new(new)),
            Self::Timeout | Self::Network { .. } | Self::Cut { .. } | Self::Decode { .. } => {}
        }
        self
    }

    /// The same error with `edit` applied to every text it carries (messages, details, raw
    /// bodies, names, reasons and the call's parts): how a secret echoed by a server is
    /// removed before the error travels on.
    pub fn map_text(mut self, edit: impl Fn(&str) -> String) -> Self {
        let apply = |text: &mut String| *text = edit(text);
        let apply_call = |call: &mut Option<Box<ProviderCall>>| {
            if let Some(call) = call {
                for part in [
                    &mut call.provider,
                    &mut call.base_url,
                    &mut call.method,
                    &mut call.path,
                ] {
                    *part = edit(part);
                }
            }
        };
        match &mut self {
            Self::Auth { message, call, .. }
            | Self::NoCredits { message, call }
            | Self::KeyRefused { message, call, .. }
            | Self::RateLimited { message, call, .. }
            | Self::BadRequest { message, call, .. } => {
                apply(message);
                apply_call(call);
            }
            Self::Moderation {
                message,
                reasons,
                call,
            } => {
                apply(message);
                reasons.iter_mut().for_each(apply);
                apply_call(call);
            }
            Self::Upstream {
                provider,
                message,
                call,
                ..
            } => {
                if let Some(provider) = provider {
                    apply(provider);
                }
                apply(message);
                apply_call(call);
            }
            Self::Deadline { detail, call } => {
                apply(detail);
                apply_call(call);
            }
            Self::Network { detail } | Self::Cut { detail } => apply(detail),
            Self::Decode { detail, raw } => {
                apply(detail);
                apply(raw);
            }
            Self::Timeout => {}
        }
        self
    }

    /// A body that did not parse as expected.
    pub fn decode(detail: impl std::fmt::Display, body: &str) -> Self {
        Self::Decode {
            detail: detail.to_string(),
            raw: truncate(body).to_owned(),
        }
    }
}

fn looks_like_auth(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["key", "auth", "permission", "forbidden", "management"]
        .iter()
        .any(|w| m.contains(w))
}

fn fallback_message(status: u16, body: &str) -> String {
    let body = truncate(body.trim());
    if body.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status}: {body}")
    }
}

fn truncate(s: &str) -> &str {
    if s.len() <= MAX_RAW {
        return s;
    }
    let mut end = MAX_RAW;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `Retry-After` is either seconds or an HTTP date; we honour the seconds form, which is what
/// OpenRouter, OpenAI and Anthropic send.
fn parse_retry_after(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// The parts of the error envelopes we use. OpenAI and OpenRouter send
/// `{"error": {"message", "code", "metadata": {"provider_name", "reasons"}}}`; Anthropic sends
/// `{"type": "error", "error": {"type", "message"}}`.
#[derive(Default)]
struct ErrorBody {
    message: Option<String>,
    provider: Option<String>,
    reasons: Vec<String>,
}

impl ErrorBody {
    fn parse(body: &str) -> Self {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(body.trim()) else {
            return Self::default();
        };
        let err = value.get("error").unwrap_or(&value);
        let meta = err.get("metadata");
        let outer = err
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        // OpenRouter wraps an upstream refusal as "Provider returned error" and puts the
        // upstream's own words in `metadata.raw` (a string, often JSON inside a string). Those
        // words are what tells a person what to fix, so they are appended.
        let raw = meta.and_then(|m| m.get("raw")).and_then(raw_message);
        let message = match (outer, raw) {
            (Some(outer), Some(raw)) if !outer.contains(&raw) => Some(format!("{outer}: {raw}")),
            (Some(outer), _) => Some(outer),
            (None, raw) => raw,
        };
        Self {
            message,
            provider: meta
                .and_then(|m| m.get("provider_name"))
                .and_then(|p| p.as_str())
                .map(str::to_owned),
            reasons: meta
                .and_then(|m| m.get("reasons"))
                .and_then(|r| r.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The human message inside `metadata.raw`: a JSON error envelope (as a string or an object),
/// or plain text. Bounded like every raw body.
fn raw_message(raw: &serde_json::Value) -> Option<String> {
    let parsed;
    let value = match raw {
        serde_json::Value::String(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => {
                parsed = v;
                &parsed
            }
            _ => {
                let text = text.trim();
                return (!text.is_empty()).then(|| truncate(text).to_owned());
            }
        },
        other => other,
    };
    let err = value.get("error").unwrap_or(value);
    err.get("message")
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| truncate(m.trim()).to_owned())
        .filter(|m| !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstreams_own_words_are_kept_from_metadata_raw() {
        let anthropic_in_string = r#"{"error":{"message":"Provider returned error","code":400,"metadata":{"raw":"{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages.0: all messages must have non-empty content\"}}","provider_name":"Anthropic"}}}"#;
        assert_eq!(
            ProviderError::from_response(400, None, anthropic_in_string).to_string(),
            "The provider refused the request (400): Provider returned error: messages.0: all \
             messages must have non-empty content"
        );
        let plain = r#"{"error":{"code":429,"message":"Provider returned error","metadata":{"provider_name":"Google","raw":"google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream."}}}"#;
        assert!(
            ProviderError::from_response(429, None, plain)
                .to_string()
                .contains("temporarily rate-limited upstream"),
            "plain-text raw is kept"
        );
        let bedrock = r#"{"error":{"message":"Provider returned error","code":400,"metadata":{"raw":"{\"message\":\"Malformed input request\"}","provider_name":"Amazon Bedrock"}}}"#;
        assert!(
            ProviderError::from_response(400, None, bedrock)
                .to_string()
                .ends_with("Provider returned error: Malformed input request")
        );
    }

    #[test]
    fn statuses_map_to_the_classes_the_ui_acts_on() {
        let or = r#"{"error":{"message":"No auth credentials found","code":401}}"#;
        assert!(
            matches!(ProviderError::from_response(401, None, or), ProviderError::Auth { ref message, .. } if message == "No auth credentials found")
        );
        let anthropic = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        assert_eq!(
            ProviderError::from_response(401, None, anthropic).to_string(),
            "The provider rejected the key (401): invalid x-api-key"
        );
        let limited = ProviderError::from_response(429, Some("7"), "{}");
        assert!(
            matches!(limited, ProviderError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(7))
        );
        assert!(limited.info().retryable);
        let upstream = r#"{"error":{"message":"Provider returned error","code":502,"metadata":{"provider_name":"Anthropic","raw":"x"}}}"#;
        assert!(matches!(
            ProviderError::from_response(502, None, upstream),
            ProviderError::Upstream { provider: Some(ref p), .. } if p == "Anthropic"
        ));
        let flagged = r#"{"error":{"message":"flagged","metadata":{"reasons":["violence"]}}}"#;
        assert!(matches!(
            ProviderError::from_response(403, None, flagged),
            ProviderError::Moderation { ref reasons, .. } if reasons == &["violence"]
        ));
        assert_eq!(
            ProviderError::from_response(404, None, "<html>nope</html>").code(),
            ErrorCode::BadRequest
        );
    }

    #[test]
    fn raw_bodies_are_bounded() {
        let huge = "é".repeat(10_000);
        let ProviderError::Decode { raw, .. } = ProviderError::decode("x", &huge) else {
            unreachable!()
        };
        assert!(raw.len() <= MAX_RAW);
    }

    fn call(path: &str) -> ProviderCall {
        ProviderCall {
            provider: "OpenAI-compatible server".into(),
            base_url: "http://127.0.0.1:1234/v1".into(),
            method: "POST".into(),
            path: path.into(),
        }
    }

    #[test]
    fn a_status_answer_names_the_server_the_call_and_what_the_status_means() {
        let not_found = ProviderError::from_http(call("/chat/completions"), 404, None, "");
        assert_eq!(
            not_found.to_string(),
            "OpenAI-compatible server at http://127.0.0.1:1234/v1 answered 404 Not Found for \
             POST /chat/completions: nothing was found there (check the base URL and the model \
             name).",
            "an empty body adds nothing"
        );
        assert_eq!(
            not_found.code(),
            ErrorCode::BadRequest,
            "classified as before"
        );
        let limited = ProviderError::from_http(
            call("/chat/completions"),
            429,
            Some("7"),
            r#"{"error":{"message":"slow down"}}"#,
        );
        assert_eq!(
            limited.to_string(),
            "OpenAI-compatible server at http://127.0.0.1:1234/v1 answered 429 Too Many \
             Requests for POST /chat/completions: rate limited; it asks to wait 7 s before \
             trying again. It said: slow down."
        );
        assert!(
            matches!(&limited, ProviderError::RateLimited { message, retry_after: Some(d), .. }
                if message == "slow down" && *d == Duration::from_secs(7)),
            "the provider's own words and Retry-After are kept apart: {limited:?}"
        );
        let auth = ProviderError::from_http(call("/models"), 401, None, "bad key.");
        let text = auth.to_string();
        assert!(
            text.starts_with("OpenAI-compatible server at http://127.0.0.1:1234/v1 answered 401 Unauthorized for POST /models: the key was refused")
                && text.ends_with("It said: HTTP 401: bad key."),
            "{text}"
        );
        let timeout = ProviderError::from_http(call("/chat/completions"), 408, None, "");
        assert_eq!(timeout.code(), ErrorCode::Timeout, "408 is still a timeout");
        assert!(timeout.info().retryable, "and still worth retrying");
        assert!(
            timeout
                .to_string()
                .contains("answered 408 Request Timeout for POST /chat/completions"),
            "{timeout}"
        );
        for status in [400, 401, 402, 403, 404, 408, 413, 429, 500, 503, 529, 302] {
            let text = ProviderError::from_http(call("/x"), status, None, "{}").to_string();
            assert!(
                text.starts_with(char::is_uppercase),
                "{status}: a sentence starting with a capital letter: {text}"
            );
        }
    }

    #[test]
    fn every_text_an_error_carries_can_be_edited() {
        let body = r#"{"error":{"message":"bad SECRET","metadata":{"provider_name":"SECRET co","reasons":["SECRET"]}}}"#;
        let hide = |t: &str| t.replace("SECRET", "[redacted]");
        for status in [401, 402, 403, 408, 429, 400, 502] {
            let err = ProviderError::from_http(call("/SECRET"), status, None, body).map_text(hide);
            assert!(
                !format!("{err:?}{err}").contains("SECRET"),
                "{status}: {err:?}"
            );
        }
        let flagged = ProviderError::from_response(403, None, body).map_text(hide);
        assert!(!format!("{flagged:?}").contains("SECRET"), "{flagged:?}");
        let decode = ProviderError::decode("SECRET", "raw SECRET").map_text(hide);
        assert!(!format!("{decode:?}").contains("SECRET"), "{decode:?}");
    }

    #[test]
    fn seconds_read_naturally() {
        assert_eq!(seconds(Duration::from_secs(120)), "120");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3");
        assert_eq!(seconds(Duration::from_millis(1450)), "1.5");
    }
}
