//! The Models screen: every reachable model with exact prices, and one model's endpoints.
//!
//! OpenRouter's catalogue (cached, so the screen works offline) is joined by the bundled
//! OpenAI and Anthropic models when the user has a key for them, and by each custom provider's
//! models (its cached list, priced as the user said), as the chat picker does
//! ([`Models::choices`]). Prices go out per million tokens as exact decimals; variable
//! ones stay `None` and flagged, never zero.

use switchboard_core::{
    BrowserCatalogue, BrowserModel, BuiltinProvider, EndpointView, ModelDetail, PriceSheet,
    ProviderId, Usd,
};
use switchboard_providers::openrouter_api::{self, CatalogueModel, ModelEndpoint, Price, Pricing};
use switchboard_providers::price_table::{self, TablePrice};

use crate::models::{DirectFacts, direct_facts};
use crate::{Engine, EngineError};

impl Engine {
    async fn openrouter_detail(&self, id: &str) -> Result<ModelDetail, EngineError> {
        let catalogue = self.models().catalogue(false).await?;
        let model = catalogue
            .models
            .iter()
            .find(|m| m.id == id)
            .map(openrouter_model)
            .ok_or_else(|| {
                EngineError::invalid(format!("{id} is not in OpenRouter's catalogue"))
            })?;
        let endpoint = self
            .keys()
            .endpoint(BuiltinProvider::OpenRouter.id())
            .await?;
        let (endpoints, notice) =
            match openrouter_api::fetch_endpoints(&self.inner.http, &endpoint, id).await {
                Ok(found) if found.endpoints.is_empty() => (
                    Vec::new(),
                    Some("OpenRouter lists no provider serving this model right now.".to_owned()),
                ),
                Ok(found) => (found.endpoints.iter().map(endpoint_view).collect(), None),
                Err(err) => {
                    tracing::warn!(error = %err, "no endpoints for the model detail");
                    (
                        Vec::new(),
                        Some(format!(
                            "The providers serving this model could not be loaded: {err}"
                        )),
                    )
                }
            };
        Ok(ModelDetail {
            model,
            endpoints,
            notice,
            price_source: None,
        })
    }
}

impl crate::Models<'_> {
    /// Every model the user can reach, for the Models screen.
    ///
    /// The OpenRouter part and the custom providers' lists come from the cache unless
    /// `refresh` (or there is none yet). A catalogue that cannot be fetched at all leaves its
    /// provider out with a notice rather than failing the screen: the others' models are still
    /// worth browsing.
    #[tracing::instrument(skip_all, fields(refresh), err(Debug))]
    pub async fn browse(&self, refresh: bool) -> Result<BrowserCatalogue, EngineError> {
        let mut models = Vec::new();
        let (fetched_ms, from_cache, notice) = match self.models().catalogue(refresh).await {
            Ok(catalogue) => {
                models.extend(catalogue.models.iter().map(openrouter_model));
                (
                    Some(catalogue.fetched_ms),
                    catalogue.from_cache,
                    catalogue.notice,
                )
            }
            Err(err) => {
                tracing::warn!(error = %err, "no OpenRouter catalogue for the browser");
                let notice = format!("OpenRouter's catalogue could not be loaded: {err}");
                (None, false, Some(notice))
            }
        };
        for provider in self.direct_providers_with_keys().await? {
            models.extend(
                price_table::models(provider)
                    .iter()
                    .map(|(id, price)| direct_model(provider, id, price)),
            );
        }
        let (served, served_notices) = self.served_browser_models(refresh).await?;
        models.extend(served);
        let notice = std::iter::once(notice)
            .chain(served_notices.into_iter().map(Some))
            .flatten()
            .reduce(|a, b| format!("{a} {b}"));
        Ok(BrowserCatalogue {
            models,
            fetched_ms,
            from_cache,
            notice,
        })
    }

    /// One provider's models as [`Models::browse`] lists them: OpenRouter's catalogue,
    /// the bundled table's models of OpenAI or Anthropic (whether or not a key is set), or a
    /// custom provider's list. `refresh` fetches OpenRouter's catalogue or the custom list
    /// again; a fetch that fails keeps the cache and says why.
    #[tracing::instrument(skip_all, fields(provider = %provider, refresh), err(Debug))]
    pub async fn provider_models(
        &self,
        provider: ProviderId,
        refresh: bool,
    ) -> Result<BrowserCatalogue, EngineError> {
        match provider.builtin() {
            Some(BuiltinProvider::OpenRouter) => {
                let catalogue = self.models().catalogue(refresh).await?;
                Ok(BrowserCatalogue {
                    models: catalogue.models.iter().map(openrouter_model).collect(),
                    fetched_ms: Some(catalogue.fetched_ms),
                    from_cache: catalogue.from_cache,
                    notice: catalogue.notice,
                })
            }
            Some(direct) => Ok(BrowserCatalogue {
                models: price_table::models(direct)
                    .iter()
                    .map(|(id, price)| direct_model(direct, id, price))
                    .collect(),
                fetched_ms: None,
                from_cache: false,
                notice: None,
            }),
            None => self.served_catalogue(&provider, refresh).await,
        }
    }

    /// One model in detail. For OpenRouter: its catalogue entry and the providers serving it,
    /// fetched live; when that fails (offline, refused) the detail still comes back, with a
    /// notice in place of the endpoints. For OpenAI and Anthropic: the bundled table's facts.
    /// For a custom provider: its cached list's entry and where its price comes from.
    #[tracing::instrument(skip_all, fields(provider = %provider, id), err(Debug))]
    pub async fn detail(
        &self,
        provider: ProviderId,
        id: String,
    ) -> Result<ModelDetail, EngineError> {
        match provider.builtin() {
            Some(BuiltinProvider::OpenRouter) => self.openrouter_detail(&id).await,
            Some(direct @ (BuiltinProvider::OpenAi | BuiltinProvider::Anthropic)) => {
                let price = price_table::direct_price(direct, &id).ok_or_else(|| {
                    EngineError::invalid(format!(
                        "{id} is not in the bundled {} price table",
                        direct.display_name()
                    ))
                })?;
                Ok(ModelDetail {
                    model: direct_model(direct, &id, &price),
                    endpoints: Vec::new(),
                    notice: None,
                    price_source: Some(price_table::ATTRIBUTION.to_owned()),
                })
            }
            None => self.served_detail(&provider, &id).await,
        }
    }
}

/// A catalogue entry as the browser lists it.
fn openrouter_model(m: &CatalogueModel) -> BrowserModel {
    BrowserModel {
        provider: BuiltinProvider::OpenRouter.id(),
        provider_name: BuiltinProvider::OpenRouter.display_name().to_owned(),
        id: m.id.clone(),
        name: m.name.clone(),
        description: m.description.clone(),
        created: m.created,
        context_length: m.context_length,
        max_output: m.max_completion_tokens,
        input_modalities: m.input_modalities.clone(),
        output_modalities: m.output_modalities.clone(),
        supported_parameters: m.supported_parameters.clone(),
        tokenizer: m.tokenizer.clone(),
        prices: price_sheet(&m.pricing),
    }
}

/// A bundled direct model. The table has prices and the context window only; the rest is
/// what every current model of that provider offers.
fn direct_model(provider: BuiltinProvider, id: &str, price: &TablePrice) -> BrowserModel {
    let facts = direct_facts(provider, id);
    let mut supported_parameters: Vec<String> = ["max_tokens", "temperature", "tools"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    if facts.json {
        supported_parameters.push("response_format".to_owned());
    }
    if facts.reasoning {
        supported_parameters.push("reasoning".to_owned());
    }
    BrowserModel {
        provider: provider.id(),
        provider_name: provider.display_name().to_owned(),
        id: id.to_owned(),
        name: facts.name,
        description: Some(format!(
            "Used directly through {}'s own API with your key.",
            provider.display_name()
        )),
        created: None,
        context_length: price.context_window,
        max_output: None,
        input_modalities: DirectFacts::input_modalities(),
        output_modalities: vec!["text".to_owned()],
        supported_parameters,
        tokenizer: Some(
            match provider {
                BuiltinProvider::Anthropic => "Claude",
                _ => "GPT",
            }
            .to_owned(),
        ),
        prices: price_sheet(&price.pricing),
    }
}

fn endpoint_view(e: &ModelEndpoint) -> EndpointView {
    EndpointView {
        provider_name: e.provider_name.clone(),
        tag: e.tag.clone(),
        status: e.status,
        uptime_last_30m: e.uptime_last_30m,
        latency_last_30m_p50: e.latency_last_30m_p50,
        throughput_last_30m_p50: e.throughput_last_30m_p50,
        quantization: e.quantization.clone(),
        context_length: e.context_length,
        max_output: e.max_completion_tokens,
        supported_parameters: e.supported_parameters.clone(),
        prices: price_sheet(&e.pricing),
    }
}

/// Prices per million tokens. Token prices are `None` only when variable; the extra charges
/// are `None` when zero (not charged, or not priced apart) as well, since "$0 per image" or a
/// cache price of 0 would only mislead.
fn price_sheet(p: &Pricing) -> PriceSheet {
    let variable = p.is_variable();
    let token = |price: &Price| {
        if variable { None } else { price.per_million() }
    };
    // Zero or variable extras are shown as absent; `per_million` also refuses absurd prices.
    let per_million = |price: &Price| price.per_million().filter(|usd| *usd > Usd::ZERO);
    let per_unit = |price: &Price| {
        per_million(price)?;
        price.known()
    };
    PriceSheet {
        prompt_per_million: token(&p.prompt),
        completion_per_million: token(&p.completion),
        cache_read_per_million: per_million(&p.input_cache_read),
        cache_write_per_million: per_million(&p.input_cache_write),
        per_request: per_unit(&p.request),
        per_image: per_unit(&p.image),
        variable,
        free: p.is_free(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Option<Usd> {
        Some(Usd::parse(text).unwrap())
    }

    fn only(body: &str) -> BrowserModel {
        let models = openrouter_api::parse_models(body).unwrap();
        assert_eq!(models.len(), 1, "one entry in {body}");
        openrouter_model(&models[0])
    }

    #[test]
    fn prices_are_per_million_and_exact_in_both_catalogue_styles() {
        // 2025: every key present, "0" when unused.
        let old = only(
            r#"{"data":[{"id":"a/b","pricing":{"prompt":"0.000003","completion":"0.000015",
            "request":"0","image":"0","input_cache_read":"0.0000003","input_cache_write":"0"}}]}"#,
        );
        // 2026: zero keys omitted.
        let new = only(
            r#"{"data":[{"id":"a/b","pricing":{"prompt":"0.000003","completion":"0.000015",
            "input_cache_read":"0.0000003"}}]}"#,
        );
        for model in [&old, &new] {
            let p = &model.prices;
            assert_eq!(p.prompt_per_million, usd("3"), "input");
            assert_eq!(p.completion_per_million, usd("15"), "output");
            assert_eq!(p.cache_read_per_million, usd("0.3"), "cache read");
            assert_eq!(
                p.cache_write_per_million, None,
                "zero is not a separate price"
            );
            assert_eq!(p.per_request, None, "no request charge");
            assert!(!p.variable && !p.free);
        }
        assert_eq!(old.prices, new.prices, "the two styles mean the same");
    }

    #[test]
    fn variable_and_missing_prices_are_never_zero_and_free_is_exact() {
        let router = only(
            r#"{"data":[{"id":"openrouter/auto","pricing":{"prompt":"-1","completion":"-1"}}]}"#,
        );
        let unpriced = only(r#"{"data":[{"id":"x/unpriced"}]}"#);
        for model in [&router, &unpriced] {
            let p = &model.prices;
            assert!(p.variable, "{} is variable", model.id);
            assert!(!p.free, "{} is not free", model.id);
            assert_eq!(p.prompt_per_million, None, "{}: no input price", model.id);
            assert_eq!(
                p.completion_per_million, None,
                "{}: no output price",
                model.id
            );
        }
        let free =
            only(r#"{"data":[{"id":"x/y:free","pricing":{"prompt":"0","completion":"0"}}]}"#);
        assert!(free.prices.free && !free.prices.variable);
        assert_eq!(
            free.prices.prompt_per_million,
            usd("0"),
            "free is a real zero"
        );
    }

    #[test]
    fn a_half_variable_model_hides_both_token_prices() {
        let odd =
            only(r#"{"data":[{"id":"x/odd","pricing":{"prompt":"0.000001","completion":"-1"}}]}"#);
        assert!(odd.prices.variable);
        assert_eq!(
            (
                odd.prices.prompt_per_million,
                odd.prices.completion_per_million
            ),
            (None, None),
            "a known input price next to a variable output one would sort as if cheap"
        );
    }

    #[test]
    fn the_synthesized_2026_catalogue_reads_as_the_browser_needs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../tests/fixtures/catalogue/synthesized/models_2026.json");
        let body = std::fs::read_to_string(&path).expect("the 2026 fixture is in the repository");
        let models: Vec<BrowserModel> = openrouter_api::parse_models(&body)
            .unwrap()
            .iter()
            .map(openrouter_model)
            .collect();
        assert_eq!(models.len(), 8, "the three malformed entries are skipped");
        let get = |id: &str| models.iter().find(|m| m.id == id).unwrap();
        for router in ["openrouter/auto", "openrouter/bodybuilder"] {
            let p = &get(router).prices;
            assert!(p.variable && !p.free, "{router}");
            assert_eq!(p.prompt_per_million, None, "{router}");
        }
        assert!(get("openrouter/free").prices.free, "\"0\" is free");
        let sonnet = &get("anthropic/claude-sonnet-4").prices;
        assert_eq!(
            (
                sonnet.prompt_per_million,
                sonnet.completion_per_million,
                sonnet.cache_read_per_million,
                sonnet.cache_write_per_million,
                sonnet.per_image,
            ),
            (usd("3"), usd("15"), usd("0.3"), usd("3.75"), usd("0.0048")),
            "2026 omits zero keys; the others are exact"
        );
        let sonar = &get("perplexity/sonar").prices;
        assert_eq!(sonar.per_request, usd("0.005"), "a per-request charge");
        assert_eq!(
            sonar.cache_read_per_million, None,
            "omitted is not priced apart"
        );
    }

    #[test]
    fn direct_models_carry_the_bundled_prices() {
        let (id, price) = price_table::models(BuiltinProvider::Anthropic)
            .into_iter()
            .find(|(id, _)| id == "claude-sonnet-4-5")
            .expect("the table has claude-sonnet-4-5");
        let model = direct_model(BuiltinProvider::Anthropic, &id, &price);
        assert_eq!(model.provider, BuiltinProvider::Anthropic.id());
        assert_eq!(model.prices.prompt_per_million, usd("3"));
        assert_eq!(model.prices.completion_per_million, usd("15"));
        assert!(model.supported_parameters.iter().any(|p| p == "reasoning"));
    }
}
