//! Testing a key with a call that costs nothing.

use std::time::{Duration, Instant};

use serde::Deserialize;
use switchboard_core::{KeyCheck, OpenRouterKeyInfo, ProviderKind};

use crate::{Endpoint, ProviderError, transport_error};

/// A key check that takes longer than this is reported as a timeout rather than left spinning.
const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// Checks that `endpoint` answers and accepts its key, without spending anything.
///
/// OpenRouter: `GET /key`, which also returns the key's usage and limit. OpenAI, Anthropic and
/// custom servers: `GET /models`, which every OpenAI-compatible server (Ollama, LM Studio, vLLM,
/// llama.cpp, LiteLLM) and Anthropic's API answer for free.
pub async fn check_key(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<KeyCheck, ProviderError> {
    let path = match endpoint.kind {
        ProviderKind::OpenRouter => "key",
        ProviderKind::OpenAi | ProviderKind::Anthropic | ProviderKind::Custom => "models",
    };
    let started = Instant::now();
    let request = endpoint.get(client, path).timeout(CHECK_TIMEOUT);
    let response = crate::http::send(endpoint, request).await?;
    let body = response.text().await.map_err(|e| transport_error(&e))?;
    let latency_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    match endpoint.kind {
        ProviderKind::OpenRouter => {
            let key = crate::openrouter_api::parse_key(&body)?;
            Ok(KeyCheck {
                latency_ms,
                models_visible: None,
                openrouter: Some(OpenRouterKeyInfo {
                    label: key.label,
                    usage_usd: key.usage,
                    limit_usd: key.limit,
                    limit_remaining_usd: key.limit_remaining,
                    is_free_tier: key.is_free_tier,
                }),
            })
        }
        _ => {
            let parsed: ModelList =
                serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, &body))?;
            Ok(KeyCheck {
                latency_ms,
                models_visible: Some(u32::try_from(parsed.data.len()).unwrap_or(u32::MAX)),
                openrouter: None,
            })
        }
    }
}

/// `GET /models` in both the OpenAI and Anthropic shapes: `{"data": [...]}`.
#[derive(Deserialize)]
struct ModelList {
    data: Vec<serde_json::Value>,
}
