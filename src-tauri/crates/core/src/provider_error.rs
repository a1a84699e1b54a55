//! Classifying what a provider sent back, into the errors the router and the UI act on.
//!
//! Pure (no HTTP client types), so the `ChatProvider` trait can name it and tests can feed it
//! recorded bodies.

use std::time::Duration;

use crate::{ErrorCode, ErrorInfo};

/// The longest raw body kept on an error; enough to diagnose, bounded so a hostile or broken
/// server cannot bloat memory or logs.
const MAX_RAW: usize = 4096;

/// A failed call to a provider, classified so the engine, router and UI can act on it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// 401 (or 403 on account endpoints): the key is wrong, revoked or missing.
    #[error("the provider rejected the key ({status}): {message}")]
    Auth {
        /// The status code.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// 402: no credits left.
    #[error("the account is out of credits: {message}")]
    NoCredits {
        /// The provider's message.
        message: String,
    },
    /// 403 on a completion: moderation refused the input.
    #[error("refused by moderation: {message}")]
    Moderation {
        /// The provider's message.
        message: String,
        /// The flagged reasons, when the provider lists them.
        reasons: Vec<String>,
    },
    /// 408, or our own deadline passed.
    #[error("the provider did not answer in time")]
    Timeout,
    /// 429.
    #[error("rate limited: {message}")]
    RateLimited {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
        /// The provider's message.
        message: String,
    },
    /// 5xx: the provider, or the upstream behind a router, failed.
    #[error("{} failed ({status}): {message}", provider.as_deref().unwrap_or("the provider"))]
    Upstream {
        /// The status code.
        status: u16,
        /// The upstream provider's name, when a router reports it.
        provider: Option<String>,
        /// The provider's message.
        message: String,
    },
    /// Another 4xx: the request itself is wrong (including a base URL that points elsewhere).
    #[error("the provider refused the request ({status}): {message}")]
    BadRequest {
        /// The status code.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// No connection: DNS, refused, TLS, reset.
    #[error("could not reach the provider: {detail}")]
    Network {
        /// What the transport said.
        detail: String,
    },
    /// The answer did not parse.
    #[error("could not understand the provider's answer: {detail}")]
    Decode {
        /// What did not parse.
        detail: String,
        /// The start of the body, as received.
        raw: String,
    },
}

impl ProviderError {
    /// The code the UI branches on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Auth { .. } => ErrorCode::Auth,
            Self::NoCredits { .. } => ErrorCode::NoCredits,
            Self::Moderation { .. } => ErrorCode::Moderation,
            Self::Timeout => ErrorCode::Timeout,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Upstream { .. } => ErrorCode::Upstream,
            Self::BadRequest { .. } => ErrorCode::BadRequest,
            Self::Network { .. } => ErrorCode::Network,
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
        match status {
            401 => Self::Auth { status, message },
            402 => Self::NoCredits { message },
            403 if parsed.reasons.is_empty() && looks_like_auth(&message) => {
                Self::Auth { status, message }
            }
            403 => Self::Moderation {
                message,
                reasons: parsed.reasons,
            },
            408 => Self::Timeout,
            429 => Self::RateLimited {
                retry_after: retry_after.and_then(parse_retry_after),
                message,
            },
            500..=599 => Self::Upstream {
                status,
                provider: parsed.provider,
                message,
            },
            _ => Self::BadRequest { status, message },
        }
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
            "the provider refused the request (400): Provider returned error: messages.0: all \
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
            "the provider rejected the key (401): invalid x-api-key"
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
}
