//! OpenRouter's activity (`GET /activity`, management key required): spend grouped by UTC day,
//! model and endpoint over the last 30 finished UTC days. `api_key_hash` narrows it to one key
//! and `date` to one day.
//!
//! The item shape (`date, model, model_permaslug, endpoint_id, provider_name, usage,
//! byok_usage_inference, requests, prompt_tokens, completion_tokens, reasoning_tokens`) is the
//! 2026 OpenAPI spec's `ActivityItem`; no recorded answer exists. `usage` is OpenRouter credits
//! spent, `byok_usage_inference` what BYOK requests cost on the provider's own account.

use serde::Deserialize;
use switchboard_core::{ProviderError, Usd};

use super::account::{decode, optional_amount};
use super::{WireAmount, get_text};
use crate::Endpoint;

/// One day's spend on one model through one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityItem {
    /// The UTC day, `YYYY-MM-DD`.
    pub date: String,
    /// The model's slug, e.g. `openai/gpt-4.1`.
    pub model: String,
    /// The provider that served, e.g. `OpenAI`.
    pub provider_name: Option<String>,
    /// OpenRouter credits spent.
    pub usage: Usd,
    /// What BYOK requests cost on the provider's own account.
    pub byok_usage: Usd,
    /// Requests.
    pub requests: u64,
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
}

/// Fetches the activity of the key with hash `key_hash` (or of the whole account when `None`)
/// over the last 30 finished UTC days.
pub async fn fetch_activity(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    key_hash: Option<&str>,
) -> Result<Vec<ActivityItem>, ProviderError> {
    let mut request = endpoint.get(client, "activity");
    if let Some(hash) = key_hash {
        // `query` percent-encodes it, so no hash can add parameters of its own.
        request = request.query(&[("api_key_hash", hash)]);
    }
    let body = get_text(endpoint, request).await?;
    parse_activity(&body)
}

/// Reads `GET /activity`'s answer.
pub fn parse_activity(body: &str) -> Result<Vec<ActivityItem>, ProviderError> {
    let items: Vec<WireItem> = decode(body)?;
    items.into_iter().map(|item| item.read(body)).collect()
}

#[derive(Deserialize)]
struct WireItem {
    date: String,
    model: Option<String>,
    model_permaslug: Option<String>,
    provider_name: Option<String>,
    usage: Option<WireAmount>,
    byok_usage_inference: Option<WireAmount>,
    requests: Option<serde_json::Value>,
    prompt_tokens: Option<serde_json::Value>,
    completion_tokens: Option<serde_json::Value>,
    reasoning_tokens: Option<serde_json::Value>,
}

impl WireItem {
    fn read(self, body: &str) -> Result<ActivityItem, ProviderError> {
        let count = |v: Option<serde_json::Value>| v.as_ref().and_then(whole).unwrap_or(0);
        Ok(ActivityItem {
            usage: optional_amount("usage", self.usage.as_ref(), body)?.unwrap_or(Usd::ZERO),
            byok_usage: optional_amount(
                "byok_usage_inference",
                self.byok_usage_inference.as_ref(),
                body,
            )?
            .unwrap_or(Usd::ZERO),
            model: self
                .model
                .or(self.model_permaslug)
                .unwrap_or_else(|| "(unknown model)".to_owned()),
            requests: count(self.requests),
            prompt_tokens: count(self.prompt_tokens),
            completion_tokens: count(self.completion_tokens),
            reasoning_tokens: count(self.reasoning_tokens),
            provider_name: self.provider_name,
            date: self.date,
        })
    }
}

/// A count sent as a whole number (or a float with no fraction, as some JSON encoders write).
fn whole(value: &serde_json::Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let f = value.as_f64()?;
        let ok = f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 9.0e15;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "whole, non-negative and below 2^53, checked just above"
        )]
        ok.then_some(f as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_item_reads_exactly() {
        let body = r#"{"data":[{"date":"2025-08-24","model":"openai/gpt-4.1","model_permaslug":"openai/gpt-4.1-2025-04-14","endpoint_id":"550e8400-e29b-41d4-a716-446655440000","provider_name":"OpenAI","usage":0.015,"byok_usage_inference":0.012,"requests":5,"prompt_tokens":50,"completion_tokens":125,"reasoning_tokens":25}]}"#;
        let items = parse_activity(body).unwrap();
        assert_eq!(
            items,
            [ActivityItem {
                date: "2025-08-24".into(),
                model: "openai/gpt-4.1".into(),
                provider_name: Some("OpenAI".into()),
                usage: Usd::parse("0.015").unwrap(),
                byok_usage: Usd::parse("0.012").unwrap(),
                requests: 5,
                prompt_tokens: 50,
                completion_tokens: 125,
                reasoning_tokens: 25,
            }]
        );
    }

    #[test]
    fn garbled_money_fails_and_odd_counts_do_not() {
        let bad = r#"{"data":[{"date":"2025-08-24","model":"m","usage":"a lot"}]}"#;
        assert!(matches!(
            parse_activity(bad),
            Err(ProviderError::Decode { .. })
        ));
        let odd = r#"{"data":[{"date":"2025-08-24","model":"m","usage":0,"requests":3.0,"prompt_tokens":-1}]}"#;
        let items = parse_activity(odd).unwrap();
        assert_eq!(items[0].requests, 3);
        assert_eq!(items[0].prompt_tokens, 0, "not a count");
        assert_eq!(parse_activity(r#"{"data":[]}"#).unwrap(), [], "no activity");
    }
}
