//! What the Models screen shows: every reachable model with its prices, and one model's
//! endpoints.
//!
//! Prices cross to the UI per million tokens as exact decimal strings ([`Usd`]), because that is
//! how people compare them and the UI must never sum floats. A variable price (OpenRouter's
//! `"-1"` routers, or a model whose catalogue entry has no pricing) is `None` with
//! [`PriceSheet::variable`] set, so the UI can show "variable" and keep it out of sorts and sums
//! instead of mistaking it for zero.

use serde::{Deserialize, Serialize};

use crate::{ProviderId, Usd};

/// A model's (or an endpoint's) prices, in USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PriceSheet {
    /// Per million input tokens; `None` when variable.
    pub prompt_per_million: Option<Usd>,
    /// Per million output tokens; `None` when variable.
    pub completion_per_million: Option<Usd>,
    /// Per million input tokens read from the prompt cache; `None` when not priced apart (the
    /// input price applies) or variable.
    pub cache_read_per_million: Option<Usd>,
    /// Per million input tokens written to the prompt cache; `None` when not priced apart or
    /// variable.
    pub cache_write_per_million: Option<Usd>,
    /// Per request, on top of the tokens; `None` when there is no such charge.
    pub per_request: Option<Usd>,
    /// Per input image; `None` when there is no such charge.
    pub per_image: Option<Usd>,
    /// The token prices depend on routing: show "variable", never sort or sum them.
    pub variable: bool,
    /// Both token prices are exactly zero.
    pub free: bool,
}

/// One model as the Models screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BrowserModel {
    /// Which provider serves it (OpenRouter, OpenAI/Anthropic directly, or a custom server).
    pub provider: ProviderId,
    /// That provider's name as people know it (`OpenRouter`, a custom provider's own name):
    /// what screens show, never the id.
    pub provider_name: String,
    /// The model id as that provider names it.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The catalogue's description, when it has one.
    pub description: Option<String>,
    /// When it was added, Unix seconds (OpenRouter only).
    pub created: Option<i64>,
    /// Context window, tokens.
    pub context_length: Option<u64>,
    /// Output cap, tokens.
    pub max_output: Option<u64>,
    /// What it takes: `text`, `image`, `file`, `audio`, `video`.
    pub input_modalities: Vec<String>,
    /// What it produces: `text`, `image`, `embeddings`…
    pub output_modalities: Vec<String>,
    /// Request parameters it supports (`tools`, `reasoning`, `structured_outputs`…).
    pub supported_parameters: Vec<String>,
    /// Tokenizer family (`GPT`, `Claude`…), when known.
    pub tokenizer: Option<String>,
    /// Its list prices.
    pub prices: PriceSheet,
}

/// One provider serving a model on OpenRouter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    /// The provider's display name, e.g. `Google Vertex`.
    pub provider_name: String,
    /// Provider and region slug, e.g. `google-vertex/us-east5`, when given.
    pub tag: Option<String>,
    /// OpenRouter's status code: 0 is healthy, negative codes are degraded (undocumented).
    pub status: Option<i64>,
    /// Successful requests over the last 30 minutes, percent.
    pub uptime_last_30m: Option<f64>,
    /// Median time to first token over the last 30 minutes, as OpenRouter reports it.
    pub latency_last_30m_p50: Option<f64>,
    /// Median tokens per second over the last 30 minutes.
    pub throughput_last_30m_p50: Option<f64>,
    /// `fp8`, `bf16`…, when the provider says.
    pub quantization: Option<String>,
    /// Context window at this provider, tokens.
    pub context_length: Option<u64>,
    /// Output cap at this provider, tokens.
    pub max_output: Option<u64>,
    /// Request parameters this provider supports.
    pub supported_parameters: Vec<String>,
    /// What a request served here is billed at.
    pub prices: PriceSheet,
}

/// One model in detail: its facts, who serves it, and anything that could not be loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ModelDetail {
    /// The model.
    pub model: BrowserModel,
    /// The providers serving it (OpenRouter only; empty for direct providers).
    pub endpoints: Vec<EndpointView>,
    /// Why the endpoints are missing (offline, the upstream refused), to show in place of them.
    pub notice: Option<String>,
    /// Where the prices come from, when not from the provider itself (the bundled table).
    pub price_source: Option<String>,
}

/// The Models screen's list: every reachable model, and whether the catalogue is current.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BrowserCatalogue {
    /// OpenRouter's catalogue, then the direct providers' bundled models.
    pub models: Vec<BrowserModel>,
    /// When OpenRouter's catalogue was fetched, Unix ms; `None` when there is none.
    pub fetched_ms: Option<i64>,
    /// Whether the OpenRouter part came from the cache.
    pub from_cache: bool,
    /// Why the list is stale or incomplete (offline, no catalogue yet).
    pub notice: Option<String>,
}

/// A price the user gave for a model of a custom provider (a local or self-hosted server
/// publishes none), so its costs are estimates instead of unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct UserPrice {
    /// The provider.
    pub provider: ProviderId,
    /// Its name as people know it.
    pub provider_name: String,
    /// The model; `None` for the provider's default, which prices every model of it that has
    /// no price of its own.
    pub model: Option<String>,
    /// USD per million input tokens.
    pub prompt_per_million: Usd,
    /// USD per million output tokens.
    pub completion_per_million: Usd,
    /// When it was set, Unix ms.
    pub updated_ms: i64,
}

/// The models a custom provider serves, as last fetched from its `GET /models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ServedModels {
    /// The provider.
    pub provider: ProviderId,
    /// Its name as people know it.
    pub provider_name: String,
    /// The model ids, in the server's order.
    pub models: Vec<String>,
    /// When the list was fetched, Unix ms; `None` when it never was.
    pub fetched_ms: Option<i64>,
    /// Whether this is the cached list (a refresh failed, or none was asked for).
    pub from_cache: bool,
    /// Why the list is stale or missing (the server is down, refused the key...).
    pub notice: Option<String>,
}
