//! OpenRouter's account endpoints: `GET /key` (what this key has spent and may spend),
//! `GET /credits` (the account balance; management keys only) and `GET /generation` (what one
//! generation cost, after the fact).
//!
//! No recording of these answers exists, so the shapes follow the 2026 OpenAPI spec
//! (`docs/upstream-apis.md` §6) and parsing is lenient: optional fields may be missing or null.
//! Money fields are the exception: a value that is present but is not an amount fails the whole
//! answer, because reading a garbled `limit` as "no limit" would be a lie about money.

use serde::{Deserialize, Serialize};
use switchboard_core::{ProviderError, Usd};

use super::{WireAmount, get_text, max_amount, negate};
use crate::Endpoint;

/// What `GET /key` says about the key in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// The key's label (a masked form of the key unless renamed).
    pub label: Option<String>,
    /// Credits (USD) spent with this key, all time.
    pub usage: Usd,
    /// The key's spending cap; `None` means no cap.
    pub limit: Option<Usd>,
    /// What is left under the cap.
    pub limit_remaining: Option<Usd>,
    /// When the cap resets: `daily`, `weekly`, `monthly`, or `None` for never.
    pub limit_reset: Option<String>,
    /// Spent today (UTC).
    pub usage_daily: Option<Usd>,
    /// Spent this week (weeks start on Monday, UTC).
    pub usage_weekly: Option<Usd>,
    /// Spent this month.
    pub usage_monthly: Option<Usd>,
    /// True while the account has never bought credits (free models are then capped lower).
    pub is_free_tier: bool,
    /// Whether this is a management key (which can read `/credits` but cannot run models).
    pub is_management_key: bool,
    /// The deprecated request rate limit, when still sent.
    pub rate_limit: Option<RateLimit>,
}

/// A request rate limit: `requests` per `interval` (deprecated by OpenRouter; informational).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per interval (old answers used -1 for unlimited).
    pub requests: i64,
    /// The interval, e.g. `10s`.
    pub interval: String,
}

/// The account's balance, from `GET /credits`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credits {
    /// All credits (USD) ever bought or granted.
    pub total_credits: Usd,
    /// All credits ever spent.
    pub total_usage: Usd,
}

impl Credits {
    /// The balance: credits minus usage, exactly. Negative when the account is overdrawn (then
    /// every request, even to free models, gets a 402).
    ///
    /// Amounts beyond a trillion dollars (only possible in a hand-built value) are clamped first,
    /// so the subtraction cannot overflow.
    pub fn remaining(&self) -> Usd {
        let bound = max_amount();
        let clamp = |usd: Usd| usd.clamp(negate(bound), bound);
        clamp(self.total_credits) + negate(clamp(self.total_usage))
    }
}

/// One generation's accounting, from `GET /generation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Generation {
    /// The generation id (`gen-…`).
    pub id: String,
    /// The model that served.
    pub model: Option<String>,
    /// The provider that served.
    pub provider_name: Option<String>,
    /// What was charged, in USD.
    pub total_cost: Option<Usd>,
    /// Prompt tokens, normalized.
    pub tokens_prompt: Option<u64>,
    /// Completion tokens, normalized.
    pub tokens_completion: Option<u64>,
    /// Prompt tokens by the model's own tokenizer (what is billed).
    pub native_tokens_prompt: Option<u64>,
    /// Completion tokens by the model's own tokenizer.
    pub native_tokens_completion: Option<u64>,
    /// Reasoning tokens by the model's own tokenizer.
    pub native_tokens_reasoning: Option<u64>,
    /// Prompt tokens read from cache.
    pub native_tokens_cached: Option<u64>,
    /// Time to first token, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Whole generation time, in milliseconds.
    pub generation_time_ms: Option<u64>,
    /// Normalized finish reason (`stop`, `length`…).
    pub finish_reason: Option<String>,
    /// Whether the client cancelled it.
    pub cancelled: Option<bool>,
}

/// Fetches what the key in use has spent and may spend (`GET /key`, 30 s deadline).
pub async fn fetch_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<KeyInfo, ProviderError> {
    let body = get_text(endpoint, endpoint.get(client, "key")).await?;
    parse_key(&body)
}

/// Fetches the account balance (`GET /credits`, 30 s deadline).
///
/// Only a management key may read it. A refusal (401 or 403) comes back as
/// [`ProviderError::Auth`] whose message says so, because "the key was rejected" would send
/// people off to replace a key that works fine for chatting.
pub async fn fetch_credits(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Credits, ProviderError> {
    let body = get_text(endpoint, endpoint.get(client, "credits"))
        .await
        .map_err(management_key_required)?;
    parse_credits(&body)
}

/// Fetches one generation's accounting (`GET /generation?id=…`, 30 s deadline).
///
/// The record can take a moment to be written, so a 404 right after a request (a
/// [`ProviderError::BadRequest`] with status 404) is worth retrying shortly.
pub async fn fetch_generation(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    id: &str,
) -> Result<Generation, ProviderError> {
    if id.trim().is_empty() {
        return Err(ProviderError::BadRequest {
            status: 0,
            message: "a generation id is needed".to_owned(),
            call: None,
        });
    }
    // `query` percent-encodes the id, so no id can add parameters of its own.
    let request = endpoint.get(client, "generation").query(&[("id", id)]);
    let body = get_text(endpoint, request).await?;
    parse_generation(&body)
}

/// Rewrites a refusal of `/credits` into the explanation people need. Core classifies a 403
/// whose message does not mention keys as moderation; on this endpoint it can only be the key.
fn management_key_required(error: ProviderError) -> ProviderError {
    let explain = |status: u16, message: &str, call| ProviderError::Auth {
        status,
        message: format!(
            "reading the account balance needs an OpenRouter management key (this key can still \
             run models); OpenRouter said: {message}"
        ),
        call,
    };
    match error {
        ProviderError::Auth {
            status,
            message,
            call,
        } => explain(status, &message, call),
        ProviderError::Moderation { message, call, .. } => explain(403, &message, call),
        other => other,
    }
}

/// `{"data": …}` around every account answer.
#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, ProviderError> {
    serde_json::from_str::<Envelope<T>>(body.trim())
        .map(|e| e.data)
        .map_err(|e| ProviderError::decode(e, body))
}

/// An optional money field: null or missing is `None`; anything present must be an amount.
pub(super) fn optional_amount(
    name: &str,
    value: Option<&WireAmount>,
    body: &str,
) -> Result<Option<Usd>, ProviderError> {
    value.map(|v| required_amount(name, v, body)).transpose()
}

pub(super) fn required_amount(
    name: &str,
    value: &WireAmount,
    body: &str,
) -> Result<Usd, ProviderError> {
    value
        .to_account_usd()
        .map_err(|e| ProviderError::decode(format!("{name}: {e}"), body))
}

#[derive(Deserialize)]
struct WireKey {
    label: Option<String>,
    usage: WireAmount,
    limit: Option<WireAmount>,
    limit_remaining: Option<WireAmount>,
    limit_reset: Option<String>,
    usage_daily: Option<WireAmount>,
    usage_weekly: Option<WireAmount>,
    usage_monthly: Option<WireAmount>,
    is_free_tier: Option<bool>,
    is_management_key: Option<bool>,
    /// The deprecated name of `is_management_key`.
    is_provisioning_key: Option<bool>,
    /// Deprecated and meaningless now, so a shape we do not know is dropped, not fatal.
    rate_limit: Option<serde_json::Value>,
}

/// Parses a `GET /key` body (also used by the Settings key check).
pub(crate) fn parse_key(body: &str) -> Result<KeyInfo, ProviderError> {
    let key: WireKey = decode(body)?;
    Ok(KeyInfo {
        label: key.label,
        usage: required_amount("usage", &key.usage, body)?,
        limit: optional_amount("limit", key.limit.as_ref(), body)?,
        limit_remaining: optional_amount("limit_remaining", key.limit_remaining.as_ref(), body)?,
        limit_reset: key.limit_reset,
        usage_daily: optional_amount("usage_daily", key.usage_daily.as_ref(), body)?,
        usage_weekly: optional_amount("usage_weekly", key.usage_weekly.as_ref(), body)?,
        usage_monthly: optional_amount("usage_monthly", key.usage_monthly.as_ref(), body)?,
        is_free_tier: key.is_free_tier.unwrap_or(false),
        is_management_key: key.is_management_key.or(key.is_provisioning_key) == Some(true),
        rate_limit: key.rate_limit.and_then(|v| serde_json::from_value(v).ok()),
    })
}

#[derive(Deserialize)]
struct WireCredits {
    total_credits: WireAmount,
    total_usage: WireAmount,
}

fn parse_credits(body: &str) -> Result<Credits, ProviderError> {
    let credits: WireCredits = decode(body)?;
    Ok(Credits {
        total_credits: required_amount("total_credits", &credits.total_credits, body)?,
        total_usage: required_amount("total_usage", &credits.total_usage, body)?,
    })
}

/// A generation record; counts and timings are informational, so they are read loosely (an
/// unexpected float or null is `None`, not a failure).
#[derive(Deserialize)]
struct WireGeneration {
    id: String,
    model: Option<String>,
    provider_name: Option<String>,
    total_cost: Option<WireAmount>,
    /// The same value as `total_cost` in the spec; used when `total_cost` is missing.
    usage: Option<WireAmount>,
    tokens_prompt: Option<serde_json::Value>,
    tokens_completion: Option<serde_json::Value>,
    native_tokens_prompt: Option<serde_json::Value>,
    native_tokens_completion: Option<serde_json::Value>,
    native_tokens_reasoning: Option<serde_json::Value>,
    native_tokens_cached: Option<serde_json::Value>,
    latency: Option<serde_json::Value>,
    generation_time: Option<serde_json::Value>,
    finish_reason: Option<String>,
    cancelled: Option<bool>,
}

fn parse_generation(body: &str) -> Result<Generation, ProviderError> {
    let g: WireGeneration = decode(body)?;
    let cost = g.total_cost.as_ref().or(g.usage.as_ref());
    Ok(Generation {
        // Booked as what was charged, so held to what one request can believably cost.
        total_cost: optional_amount("total_cost", cost, body)?
            .and_then(|usd| crate::charge::believable(usd, "total_cost")),
        id: g.id,
        model: g.model,
        provider_name: g.provider_name,
        tokens_prompt: count(g.tokens_prompt.as_ref()),
        tokens_completion: count(g.tokens_completion.as_ref()),
        native_tokens_prompt: count(g.native_tokens_prompt.as_ref()),
        native_tokens_completion: count(g.native_tokens_completion.as_ref()),
        native_tokens_reasoning: count(g.native_tokens_reasoning.as_ref()),
        native_tokens_cached: count(g.native_tokens_cached.as_ref()),
        latency_ms: count(g.latency.as_ref()),
        generation_time_ms: count(g.generation_time.as_ref()),
        finish_reason: g.finish_reason,
        cancelled: g.cancelled,
    })
}

/// A non-negative whole number; a float (a timing such as `812.4`) is rounded.
fn count(value: Option<&serde_json::Value>) -> Option<u64> {
    let value = value?;
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0 && *f < 1.8e19)
            .map(|f| {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "finite, non-negative and below u64::MAX, checked just above"
                )]
                let whole = f.round() as u64;
                whole
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_minimal_key_answer_parses() {
        let body = r#"{"data":{"label":"sk-or-v1-abc...123","usage":0.5,"limit":null,"is_free_tier":false,"rate_limit":{"requests":-1,"interval":"10s"}}}"#;
        let key = parse_key(body).unwrap();
        assert_eq!(key.usage, Usd::parse("0.5").unwrap(), "usage");
        assert_eq!(key.limit, None, "no cap");
        assert_eq!(
            key.rate_limit,
            Some(RateLimit {
                requests: -1,
                interval: "10s".to_owned()
            }),
            "old unlimited rate limit"
        );
        assert!(!key.is_management_key, "absent means no");
    }

    #[test]
    fn the_deprecated_provisioning_flag_still_counts_and_odd_rate_limits_are_dropped() {
        let body = r#"{"data":{"usage":0,"is_provisioning_key":true,"rate_limit":"gone"}}"#;
        let key = parse_key(body).unwrap();
        assert!(key.is_management_key, "is_provisioning_key is the old name");
        assert_eq!(key.rate_limit, None, "unknown shape dropped");
    }

    #[test]
    fn a_garbled_limit_is_an_error_not_no_limit() {
        let body = r#"{"data":{"usage":1,"limit":"lots"}}"#;
        let err = parse_key(body).unwrap_err();
        assert!(
            matches!(&err, ProviderError::Decode { detail, raw } if detail.contains("limit") && raw == body),
            "{err:?}"
        );
        let missing_usage = r#"{"data":{"limit":5}}"#;
        assert!(
            matches!(parse_key(missing_usage), Err(ProviderError::Decode { .. })),
            "usage is required"
        );
    }

    #[test]
    fn balance_is_exact_and_may_be_negative() {
        let credits =
            parse_credits(r#"{"data":{"total_credits":10.1,"total_usage":3.37}}"#).unwrap();
        assert_eq!(
            credits.remaining(),
            Usd::parse("6.73").unwrap(),
            "no float drift"
        );
        let overdrawn = Credits {
            total_credits: Usd::parse("1").unwrap(),
            total_usage: Usd::parse("1.000000000001").unwrap(),
        };
        assert_eq!(
            overdrawn.remaining(),
            Usd::parse("-0.000000000001").unwrap(),
            "a picodollar overdrawn"
        );
        let absurd = Credits {
            total_credits: Usd::parse("79228162514264337593543950335").unwrap(),
            total_usage: Usd::parse("-79228162514264337593543950335").unwrap(),
        };
        assert_eq!(
            absurd.remaining(),
            max_amount() + max_amount(),
            "clamped, no overflow"
        );
    }

    #[test]
    fn a_generation_cost_no_request_can_have_is_unknown() {
        for cost in ["-5", "-0.0001", "1e6", "1001"] {
            let body = format!(r#"{{"data":{{"id":"gen-1","total_cost":{cost}}}}}"#);
            let g = parse_generation(&body).unwrap();
            assert_eq!(g.total_cost, None, "{cost} is not booked");
        }
    }

    #[test]
    fn generation_counts_are_read_loosely_and_cost_falls_back_to_usage() {
        let body = r#"{"data":{"id":"gen-1","usage":0.00813,"tokens_prompt":555,"latency":812.6,"generation_time":null,"native_tokens_cached":-3}}"#;
        let g = parse_generation(body).unwrap();
        assert_eq!(
            g.total_cost,
            Some(Usd::parse("0.00813").unwrap()),
            "usage stands in"
        );
        assert_eq!(g.tokens_prompt, Some(555), "int");
        assert_eq!(g.latency_ms, Some(813), "float rounded");
        assert_eq!(g.generation_time_ms, None, "null");
        assert_eq!(g.native_tokens_cached, None, "negative is not a count");
    }

    #[test]
    fn a_refused_credits_call_says_a_management_key_is_needed() {
        let forbidden = ProviderError::from_response(
            403,
            None,
            r#"{"error":{"message":"Access denied","code":403}}"#,
        );
        let ProviderError::Auth {
            status, message, ..
        } = management_key_required(forbidden)
        else {
            unreachable!("must become Auth")
        };
        assert_eq!(status, 403, "status kept");
        assert!(message.contains("management key"), "{message}");
        assert!(
            message.contains("Access denied"),
            "provider message kept: {message}"
        );
        let upstream = ProviderError::from_response(502, None, "{}");
        assert!(
            matches!(
                management_key_required(upstream),
                ProviderError::Upstream { .. }
            ),
            "other errors untouched"
        );
    }
}
