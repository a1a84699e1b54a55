//! `GET /models` and `GET /models/{author}/{slug}/endpoints`: what OpenRouter offers, and who
//! serves each model at what price.
//!
//! The catalogue is hundreds of entries that change shape over time (2025 listed every price
//! key, 2026 omits zeros and adds `canonical_slug`, `links`, `reasoning`…). Parsing is therefore
//! per entry: unknown fields are ignored, missing optional ones are `None`, and one entry that
//! does not parse is logged and skipped rather than losing the whole list. Only a body that is
//! not the `{"data": …}` envelope at all is an error.

use serde::{Deserialize, Serialize};
use switchboard_core::{ProviderError, Usd};

use super::pricing::max_price;
use super::{BadAmount, Price, Pricing, WireAmount, get_text};
use crate::Endpoint;

/// One model in OpenRouter's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueModel {
    /// The routable slug, e.g. `openai/gpt-4o` or `deepseek/deepseek-chat:free`.
    pub id: String,
    /// The permanent, often dated slug (2026 catalogues only).
    pub canonical_slug: Option<String>,
    /// Display name, e.g. `OpenAI: GPT-4o` (the id when the catalogue gives none).
    pub name: String,
    /// When it was added, in Unix seconds.
    pub created: Option<i64>,
    /// OpenRouter's description (2026 list responses cut it short).
    pub description: Option<String>,
    /// Context window in tokens (the model's, else its top provider's).
    pub context_length: Option<u64>,
    /// The top provider's output cap.
    pub max_completion_tokens: Option<u64>,
    /// `text`, `image`, `file`, `audio`, `video`.
    pub input_modalities: Vec<String>,
    /// `text`, `image`, `embeddings`, `audio`…
    pub output_modalities: Vec<String>,
    /// Tokenizer family: `GPT`, `Claude`, `Gemini`, `Router`…
    pub tokenizer: Option<String>,
    /// Request parameters at least one of its providers supports (`tools`, `reasoning`…).
    pub supported_parameters: Vec<String>,
    /// Model-level prices (a request is billed at the serving endpoint's, see
    /// [`ModelEndpoint::pricing`]). All [`Price::Variable`] when the entry had no pricing.
    pub pricing: Pricing,
    /// Whether the top provider moderates input.
    pub is_moderated: Option<bool>,
}

/// One provider serving a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelEndpoint {
    /// E.g. `Google | google/gemini-2.5-pro-preview-03-25`.
    pub name: String,
    /// The provider's display name, e.g. `Google AI Studio` (what `provider.order` takes).
    pub provider_name: String,
    /// Provider and region slug, e.g. `google-vertex/us-east5` (2026).
    pub tag: Option<String>,
    /// Context window in tokens at this provider.
    pub context_length: Option<u64>,
    /// Output cap at this provider.
    pub max_completion_tokens: Option<u64>,
    /// `fp8`, `bf16`…, when the provider says.
    pub quantization: Option<String>,
    /// 0 when healthy; the negative codes are undocumented.
    pub status: Option<i64>,
    /// What a request served here is billed at.
    pub pricing: Pricing,
    /// Percentage of successful requests in the last 30 minutes (0–100; needs auth).
    pub uptime_last_30m: Option<f64>,
    /// Median time to first token over the last 30 minutes, as OpenRouter reports it (the spec
    /// says milliseconds but its examples look like seconds).
    pub latency_last_30m_p50: Option<f64>,
    /// Median tokens per second over the last 30 minutes.
    pub throughput_last_30m_p50: Option<f64>,
    /// Request parameters this provider supports.
    pub supported_parameters: Vec<String>,
}

/// A model and the providers that serve it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelEndpoints {
    /// The model's slug.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The providers serving it.
    pub endpoints: Vec<ModelEndpoint>,
}

/// Parses a `GET /models` body: `{"data": [model…]}`, 2025 or 2026 shape.
///
/// Entries that do not parse are skipped with a warning; a body that is not the envelope is a
/// [`ProviderError::Decode`] keeping the start of the body.
pub fn parse_models(body: &str) -> Result<Vec<CatalogueModel>, ProviderError> {
    let envelope: ListEnvelope =
        serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, body))?;
    let mut models = Vec::with_capacity(envelope.data.len());
    for (index, entry) in envelope.data.into_iter().enumerate() {
        let id = entry_id(&entry);
        match serde_json::from_value::<WireModel>(entry)
            .map_err(BadEntry::Shape)
            .and_then(WireModel::into_model)
        {
            Ok(model) => models.push(model),
            Err(error) => {
                tracing::warn!(index, id = ?id, %error, "skipping a catalogue entry that does not parse");
            }
        }
    }
    Ok(models)
}

/// Fetches OpenRouter's catalogue (`GET /models`, 30 s deadline).
///
/// Without query parameters OpenRouter returns the whole list of text-output models.
pub async fn fetch_models(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<CatalogueModel>, ProviderError> {
    let body = get_text(endpoint, endpoint.get(client, "models")).await?;
    parse_models(&body)
}

/// Parses a `GET /models/{author}/{slug}/endpoints` body: `{"data": {id, name, endpoints: […]}}`.
///
/// Endpoints that do not parse are skipped with a warning, like catalogue entries.
pub fn parse_endpoints(body: &str) -> Result<ModelEndpoints, ProviderError> {
    let envelope: EndpointsEnvelope =
        serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, body))?;
    let data = envelope.data;
    let mut endpoints = Vec::with_capacity(data.endpoints.len());
    for (index, entry) in data.endpoints.into_iter().enumerate() {
        match serde_json::from_value::<WireEndpoint>(entry)
            .map_err(BadEntry::Shape)
            .and_then(WireEndpoint::into_endpoint)
        {
            Ok(endpoint) => endpoints.push(endpoint),
            Err(error) => {
                tracing::warn!(model = %data.id, index, %error, "skipping an endpoint that does not parse");
            }
        }
    }
    Ok(ModelEndpoints {
        name: data.name.unwrap_or_else(|| data.id.clone()),
        id: data.id,
        endpoints,
    })
}

/// Fetches the providers serving `model_id` (`"author/slug"`, variants such as `:free`
/// allowed), 30 s deadline.
///
/// An id that is not exactly `author/slug` is refused before anything is sent, as
/// [`ProviderError::BadRequest`] with status 0.
pub async fn fetch_endpoints(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    model_id: &str,
) -> Result<ModelEndpoints, ProviderError> {
    let path = endpoints_path(model_id)?;
    let body = get_text(endpoint, endpoint.get(client, &path)).await?;
    parse_endpoints(&body)
}

/// `models/{author}/{slug}/endpoints`, each segment percent-encoded so an odd id can neither
/// add a query nor climb out of the path (`..` is refused: URL parsing would resolve it).
fn endpoints_path(model_id: &str) -> Result<String, ProviderError> {
    let refuse = |why: &str| ProviderError::BadRequest {
        status: 0,
        message: format!("\"{model_id}\" is not a model id of the form author/slug: {why}"),
        call: None,
    };
    let mut parts = model_id.split('/');
    let (Some(author), Some(slug), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(refuse("it needs exactly one '/'"));
    };
    for part in [author, slug] {
        if part.is_empty() || part == "." || part == ".." {
            return Err(refuse("each side must be a name"));
        }
    }
    Ok(format!(
        "models/{}/{}/endpoints",
        encode_segment(author),
        encode_segment(slug)
    ))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `:` (which variant ids
/// such as `model:free` use and a path segment allows).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The entry's id for the log line, when it has a readable one.
fn entry_id(entry: &serde_json::Value) -> Option<String> {
    entry.get("id").and_then(|v| v.as_str()).map(str::to_owned)
}

#[derive(Deserialize)]
struct ListEnvelope {
    data: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct EndpointsEnvelope {
    data: WireEndpointsData,
}

#[derive(Deserialize)]
struct WireEndpointsData {
    id: String,
    name: Option<String>,
    #[serde(default)]
    endpoints: Vec<serde_json::Value>,
}

/// A catalogue entry as sent; everything but `id` may be missing or null.
#[derive(Deserialize)]
struct WireModel {
    id: String,
    canonical_slug: Option<String>,
    name: Option<String>,
    created: Option<i64>,
    description: Option<String>,
    context_length: Option<u64>,
    architecture: Option<WireArchitecture>,
    pricing: Option<WirePricing>,
    top_provider: Option<WireTopProvider>,
    supported_parameters: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct WireArchitecture {
    /// The pre-2025 summary, `"text+image->text"`; used when the lists are missing.
    modality: Option<String>,
    input_modalities: Option<Vec<String>>,
    output_modalities: Option<Vec<String>>,
    tokenizer: Option<String>,
}

#[derive(Deserialize)]
struct WireTopProvider {
    context_length: Option<u64>,
    max_completion_tokens: Option<u64>,
    is_moderated: Option<bool>,
}

/// The price keys Switchboard uses; the others are ignored.
#[derive(Deserialize)]
struct WirePricing {
    prompt: Option<WireAmount>,
    completion: Option<WireAmount>,
    request: Option<WireAmount>,
    image: Option<WireAmount>,
    input_cache_read: Option<WireAmount>,
    input_cache_write: Option<WireAmount>,
    internal_reasoning: Option<WireAmount>,
    web_search: Option<WireAmount>,
}

impl WireModel {
    fn into_model(self) -> Result<CatalogueModel, BadEntry> {
        if self.id.trim().is_empty() {
            return Err(BadEntry::EmptyId);
        }
        let pricing = price_all(self.pricing)?;
        let (input_modalities, output_modalities, tokenizer) = match self.architecture {
            Some(arch) => {
                let (from_in, from_out) = split_modality(arch.modality.as_deref());
                (
                    arch.input_modalities.unwrap_or(from_in),
                    arch.output_modalities.unwrap_or(from_out),
                    arch.tokenizer,
                )
            }
            None => (Vec::new(), Vec::new(), None),
        };
        let top = self.top_provider;
        Ok(CatalogueModel {
            name: self.name.unwrap_or_else(|| self.id.clone()),
            id: self.id,
            canonical_slug: self.canonical_slug,
            created: self.created,
            description: self.description,
            context_length: self
                .context_length
                .or_else(|| top.as_ref().and_then(|t| t.context_length)),
            max_completion_tokens: top.as_ref().and_then(|t| t.max_completion_tokens),
            input_modalities,
            output_modalities,
            tokenizer,
            supported_parameters: self.supported_parameters.unwrap_or_default(),
            pricing,
            is_moderated: top.and_then(|t| t.is_moderated),
        })
    }
}

/// `"text+image->text"` → (`[text, image]`, `[text]`).
fn split_modality(modality: Option<&str>) -> (Vec<String>, Vec<String>) {
    let Some((input, output)) = modality.and_then(|m| m.split_once("->")) else {
        return (Vec::new(), Vec::new());
    };
    let list = |side: &str| {
        side.split('+')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    (list(input), list(output))
}

/// An endpoint as sent.
#[derive(Deserialize)]
struct WireEndpoint {
    name: Option<String>,
    provider_name: Option<String>,
    tag: Option<String>,
    context_length: Option<u64>,
    max_completion_tokens: Option<u64>,
    quantization: Option<String>,
    status: Option<i64>,
    pricing: Option<WirePricing>,
    uptime_last_30m: Option<f64>,
    /// `{p50, p75, p90, p99}`; kept loose because the stats are informational.
    latency_last_30m: Option<serde_json::Value>,
    throughput_last_30m: Option<serde_json::Value>,
    supported_parameters: Option<Vec<String>>,
}

impl WireEndpoint {
    fn into_endpoint(self) -> Result<ModelEndpoint, BadEntry> {
        let provider_name = self.provider_name.unwrap_or_default();
        Ok(ModelEndpoint {
            name: self.name.unwrap_or_else(|| provider_name.clone()),
            provider_name,
            tag: self.tag,
            context_length: self.context_length,
            max_completion_tokens: self.max_completion_tokens,
            quantization: self.quantization,
            status: self.status,
            pricing: price_all(self.pricing)?,
            uptime_last_30m: self.uptime_last_30m,
            latency_last_30m_p50: p50(self.latency_last_30m.as_ref()),
            throughput_last_30m_p50: p50(self.throughput_last_30m.as_ref()),
            supported_parameters: self.supported_parameters.unwrap_or_default(),
        })
    }
}

/// The median from a percentile object (or a bare number, should the shape simplify).
fn p50(stats: Option<&serde_json::Value>) -> Option<f64> {
    let stats = stats?;
    stats
        .get("p50")
        .unwrap_or(stats)
        .as_f64()
        .filter(|v| v.is_finite())
}

/// Why one catalogue entry or endpoint was skipped (logged, never shown: the rest still list).
#[derive(Debug, thiserror::Error)]
enum BadEntry {
    /// Not the shape of an entry.
    #[error(transparent)]
    Shape(#[from] serde_json::Error),
    /// An entry with no id cannot be chosen or priced.
    #[error("the id is empty")]
    EmptyId,
    /// A price that is not one.
    #[error(transparent)]
    Amount(#[from] BadAmount),
}

/// All prices of an entry. No pricing object at all means nothing is known (all variable, so
/// the model is never shown as free); a missing key inside one means 0.
fn price_all(pricing: Option<WirePricing>) -> Result<Pricing, BadAmount> {
    let Some(p) = pricing else {
        return Ok(Pricing::UNKNOWN);
    };
    Ok(Pricing {
        prompt: price("prompt", p.prompt.as_ref())?,
        completion: price("completion", p.completion.as_ref())?,
        request: price("request", p.request.as_ref())?,
        image: price("image", p.image.as_ref())?,
        input_cache_read: price("input_cache_read", p.input_cache_read.as_ref())?,
        input_cache_write: price("input_cache_write", p.input_cache_write.as_ref())?,
        internal_reasoning: price("internal_reasoning", p.internal_reasoning.as_ref())?,
        web_search: price("web_search", p.web_search.as_ref())?,
    })
}

/// One price: missing is 0, negative is variable, text that is not a decimal (or a price no
/// real model has) makes the entry malformed.
fn price(key: &'static str, amount: Option<&WireAmount>) -> Result<Price, BadAmount> {
    let Some(amount) = amount else {
        return Ok(Price::ZERO);
    };
    let usd: Usd = amount.to_usd().map_err(|cause| BadAmount::Pricing {
        key,
        cause: Box::new(cause),
    })?;
    if usd > max_price() {
        return Err(BadAmount::NotAPrice { key, amount: usd });
    }
    Ok(Price::from_amount(usd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_paths_are_checked_and_encoded() {
        assert_eq!(
            endpoints_path("google/gemini-2.5-pro-preview").unwrap(),
            "models/google/gemini-2.5-pro-preview/endpoints",
            "plain id"
        );
        assert_eq!(
            endpoints_path("deepseek/deepseek-chat:free").unwrap(),
            "models/deepseek/deepseek-chat:free/endpoints",
            "variant kept"
        );
        assert_eq!(
            endpoints_path("a b/c?d#e").unwrap(),
            "models/a%20b/c%3Fd%23e/endpoints",
            "no query or fragment can be smuggled in"
        );
        for bad in ["gpt-4o", "a/b/c", "/b", "a/", "../x", "a/..", "", "/"] {
            assert!(
                matches!(
                    endpoints_path(bad),
                    Err(ProviderError::BadRequest { status: 0, .. })
                ),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn the_old_modality_summary_fills_missing_lists() {
        let body = r#"{"data":[{"id":"x/y","architecture":{"modality":"text+image->text"},"pricing":{"prompt":"0.000001","completion":"0.000002"}}]}"#;
        let models = parse_models(body).unwrap();
        assert_eq!(models[0].input_modalities, ["text", "image"], "inputs");
        assert_eq!(models[0].output_modalities, ["text"], "outputs");
        assert_eq!(models[0].name, "x/y", "the id stands in for a missing name");
    }

    #[test]
    fn a_model_without_pricing_is_unknown_not_free() {
        let models = parse_models(r#"{"data":[{"id":"x/y"}]}"#).unwrap();
        assert_eq!(models[0].pricing, Pricing::UNKNOWN, "no pricing object");
        assert!(!models[0].pricing.is_free(), "never shown as free");
    }

    #[test]
    fn absurd_prices_and_numbers_make_an_entry_malformed_not_a_panic() {
        let body = r#"{"data":[
            {"id":"a/huge","pricing":{"prompt":"79228162514264337593543950335","completion":"0"}},
            {"id":"a/number","pricing":{"prompt":0.000001,"completion":"0.000002"}},
            {"id":"a/negctx","context_length":-5,"pricing":{"prompt":"0","completion":"0"}},
            {"id":"a/nullprice","pricing":{"prompt":null,"completion":"0.000002"}}
        ]}"#;
        let ids: Vec<String> = parse_models(body)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(
            ids,
            ["a/number", "a/nullprice"],
            "the two bad entries are skipped"
        );
    }

    #[test]
    fn not_the_envelope_is_a_decode_error_with_the_body() {
        for body in ["<html>busy</html>", "{\"data\":{}}", "[]", ""] {
            let err = parse_models(body).unwrap_err();
            assert!(
                matches!(&err, ProviderError::Decode { raw, .. } if raw == body),
                "{body:?} gave {err:?}"
            );
        }
    }
}
