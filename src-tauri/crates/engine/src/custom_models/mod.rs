//! Custom providers' models and prices: what each OpenAI-compatible server the user added
//! (Ollama, LM Studio, vLLM, llama.cpp, a LiteLLM proxy...) serves, from its `GET /models`,
//! cached in SQLite so the pickers, the Models screen and the router work while it is off; and
//! the prices the user gives for them (per model, or a default for the whole server), so their
//! costs are estimates rather than unknown.
//!
//! A list is fetched when the provider is added or re-pointed, when the user asks (Refresh),
//! and once when there is none; otherwise the cache serves. A fetch that fails keeps the cache
//! and says why.

mod prices;

use futures_util::future::join_all;
use switchboard_core::{
    BrowserCatalogue, BrowserModel, CustomProvider, ModelChoice, ModelDetail, PriceSheet,
    ProviderId, ServedModels, Usd,
};
use switchboard_providers::openai_compat::{ServedModel, fetch_served_models};
use switchboard_providers::openrouter_api::Price;
use switchboard_router::{Capability, Modality, ModelFacts};
use switchboard_store::{DEFAULT_MODEL, ModelPriceRow};

use crate::{Engine, EngineError};
use prices::{price_for, pricing};

/// When a custom provider's model list is fetched rather than read from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fetch {
    /// Only the cache: routing decisions must not wait on a server.
    Never,
    /// The cache, or the server when there is no cache yet (a provider added before lists
    /// were kept, or whose first fetch failed).
    IfMissing,
    /// The server (Refresh, a new provider, a new URL); the cache when that fails.
    Always,
}

impl Fetch {
    /// What a screen's `refresh` flag asks for.
    fn asked(refresh: bool) -> Self {
        if refresh {
            Self::Always
        } else {
            Self::IfMissing
        }
    }
}

/// One custom provider's model list as the engine keeps it.
#[derive(Debug, Clone)]
pub(crate) struct ServedList {
    pub(crate) provider: CustomProvider,
    pub(crate) models: Vec<ServedModel>,
    pub(crate) fetched_ms: Option<i64>,
    pub(crate) from_cache: bool,
    /// Why the list is stale or missing.
    pub(crate) notice: Option<String>,
}

impl ServedList {
    fn view(self) -> ServedModels {
        ServedModels {
            provider_name: self.provider.name,
            provider: self.provider.id,
            models: self.models.into_iter().map(|m| m.id).collect(),
            fetched_ms: self.fetched_ms,
            from_cache: self.from_cache,
            notice: self.notice,
        }
    }
}

impl Engine {
    /// Every custom provider's list, fetched as `fetch` says, all at once.
    pub(crate) async fn served_lists(&self, fetch: Fetch) -> Result<Vec<ServedList>, EngineError> {
        let customs = self
            .blocking(|inner| Ok(inner.store.custom_providers()?))
            .await?;
        Ok(join_all(customs.into_iter().map(|c| self.served_list(c, fetch))).await)
    }

    pub(crate) async fn served_list(&self, provider: CustomProvider, fetch: Fetch) -> ServedList {
        let key = provider.id.to_string();
        let cached = self
            .blocking(move |inner| Ok(inner.store.catalogue(&key)?))
            .await
            .ok()
            .flatten()
            .and_then(|c| {
                let models = serde_json::from_str::<Vec<ServedModel>>(&c.models_json).ok()?;
                Some((models, c.fetched_ms))
            });
        let fetch_now = match fetch {
            Fetch::Never => false,
            Fetch::IfMissing => cached.is_none(),
            Fetch::Always => true,
        };
        if !fetch_now {
            let (models, fetched_ms) = cached.map_or((Vec::new(), None), |(m, at)| (m, Some(at)));
            return ServedList {
                provider,
                models,
                fetched_ms,
                from_cache: fetched_ms.is_some(),
                notice: None,
            };
        }
        match self.fetch_served(&provider).await {
            Ok((models, fetched_ms)) => ServedList {
                provider,
                models,
                fetched_ms: Some(fetched_ms),
                from_cache: false,
                notice: None,
            },
            Err(err) => {
                tracing::warn!(provider = %provider.id, error = %err, "model list not fetched");
                let detail = err.info().message;
                let url = provider.base_url.as_str();
                let (models, fetched_ms, notice) = match cached {
                    Some((models, at)) => (
                        models,
                        Some(at),
                        format!(
                            "{}'s models could not be refreshed ({detail}); the list fetched \
                             before is kept. Check that the server answers at {url}.",
                            provider.name
                        ),
                    ),
                    None => (
                        Vec::new(),
                        None,
                        format!(
                            "{}'s models could not be listed ({detail}). Check that the server \
                             answers at {url}, then refresh.",
                            provider.name
                        ),
                    ),
                };
                ServedList {
                    provider,
                    models,
                    from_cache: fetched_ms.is_some(),
                    fetched_ms,
                    notice: Some(notice),
                }
            }
        }
    }

    /// Fetches and caches `provider`'s list (with its key, if it has one).
    async fn fetch_served(
        &self,
        provider: &CustomProvider,
    ) -> Result<(Vec<ServedModel>, i64), EngineError> {
        let endpoint = self.keys().endpoint(provider.id.clone()).await?;
        let models = fetch_served_models(&self.inner.http, &endpoint).await?;
        let json = serde_json::to_string(&models).map_err(|e| EngineError::Internal {
            context: format!("a model list does not serialize: {e}"),
        })?;
        let key = provider.id.to_string();
        self.blocking(move |inner| Ok(inner.store.save_catalogue(&key, &json)?))
            .await?;
        Ok((models, switchboard_store::now_unix_ms()))
    }

    /// After a provider was added or re-pointed: its list, fetched now. A server that is down
    /// is no reason to refuse the provider; the pickers fetch again later.
    pub(crate) async fn fetch_served_after_change(&self, id: ProviderId) {
        match self.custom_provider(&id).await {
            Ok(custom) => {
                self.served_list(custom, Fetch::Always).await;
            }
            Err(err) => tracing::warn!(error = %err, "no model list for a changed provider"),
        }
    }

    /// Every custom provider's models as the Chat picker lists them.
    pub(crate) async fn served_choices(&self) -> Result<Vec<ModelChoice>, EngineError> {
        let lists = self.served_lists(Fetch::IfMissing).await?;
        let prices = self.price_rows().await?;
        Ok(lists
            .iter()
            .flat_map(|list| {
                list.models.iter().map(|m| {
                    let price = price_for(&prices, &list.provider.id, &m.id);
                    served_choice(&list.provider, m, price)
                })
            })
            .collect())
    }

    /// Every custom provider's models as the Models screen lists them, and what to say about
    /// lists that are stale or missing.
    pub(crate) async fn served_browser_models(
        &self,
        refresh: bool,
    ) -> Result<(Vec<BrowserModel>, Vec<String>), EngineError> {
        let lists = self.served_lists(Fetch::asked(refresh)).await?;
        let prices = self.price_rows().await?;
        let mut models = Vec::new();
        let mut notices = Vec::new();
        for list in lists {
            models.extend(list.models.iter().map(|m| {
                let price = price_for(&prices, &list.provider.id, &m.id);
                served_browser_model(&list.provider, m, price)
            }));
            notices.extend(list.notice);
        }
        Ok((models, notices))
    }

    /// One custom provider's models as the Models screen lists them (`switchboard models
    /// --provider`), from the cache unless `refresh` (or there is none yet).
    pub(crate) async fn served_catalogue(
        &self,
        provider: &ProviderId,
        refresh: bool,
    ) -> Result<BrowserCatalogue, EngineError> {
        let custom = self.custom_provider(provider).await?;
        let list = self.served_list(custom, Fetch::asked(refresh)).await;
        let prices = self.price_rows().await?;
        Ok(BrowserCatalogue {
            models: list
                .models
                .iter()
                .map(|m| {
                    let price = price_for(&prices, provider, &m.id);
                    served_browser_model(&list.provider, m, price)
                })
                .collect(),
            fetched_ms: list.fetched_ms,
            from_cache: list.from_cache,
            notice: list.notice,
        })
    }

    /// One custom provider's model in detail, from its cached list.
    pub(crate) async fn served_detail(
        &self,
        provider: &ProviderId,
        id: &str,
    ) -> Result<ModelDetail, EngineError> {
        let custom = self.custom_provider(provider).await?;
        let list = self.served_list(custom, Fetch::IfMissing).await;
        let served = list.models.iter().find(|m| m.id == id).ok_or_else(|| {
            EngineError::invalid(format!(
                "{} does not list the model {id}; refresh its models to see what it serves now",
                list.provider.name
            ))
        })?;
        let prices = self.price_rows().await?;
        let price = price_for(&prices, provider, id);
        let price_source = Some(match price {
            Some(row) if row.model == DEFAULT_MODEL => format!(
                "Your default price for every model of {}; costs are estimates from it.",
                list.provider.name
            ),
            Some(_) => "Your price for this model; costs are estimates from it.".to_owned(),
            None => format!(
                "{} publishes no prices. Give this model (or every model of the server) a price \
                 and its costs become estimates; until then they are unknown.",
                list.provider.name
            ),
        });
        Ok(ModelDetail {
            model: served_browser_model(&list.provider, served, price),
            endpoints: Vec::new(),
            notice: list.notice,
            price_source,
        })
    }

    /// The router's facts about every custom provider's cached models.
    pub(crate) async fn served_facts(&self) -> Vec<(ProviderId, String, ModelFacts)> {
        let Ok(lists) = self.served_lists(Fetch::Never).await else {
            return Vec::new();
        };
        let prices = self.price_rows().await.unwrap_or_default();
        lists
            .iter()
            .flat_map(|list| {
                let prices = &prices;
                list.models.iter().map(move |m| {
                    let price = price_for(prices, &list.provider.id, &m.id);
                    (
                        list.provider.id.clone(),
                        m.id.clone(),
                        served_facts(m, price),
                    )
                })
            })
            .collect()
    }

    /// The custom provider `id`; built-in providers publish their own lists and prices.
    pub(crate) async fn custom_provider(
        &self,
        id: &ProviderId,
    ) -> Result<CustomProvider, EngineError> {
        if let Some(builtin) = id.builtin() {
            return Err(EngineError::invalid(format!(
                "{} publishes its own models and prices; only custom providers' are kept here",
                builtin.display_name()
            )));
        }
        let wanted = id.clone();
        self.blocking(move |inner| {
            inner
                .store
                .custom_providers()?
                .into_iter()
                .find(|c| c.id == wanted)
                .ok_or_else(|| EngineError::UnknownProvider {
                    id: wanted.to_string(),
                })
        })
        .await
    }
}

impl crate::Models<'_> {
    /// The models custom provider `provider` serves: from the cache unless `refresh` (or there
    /// is none yet). A fetch that fails keeps the cached list and says why in `notice`.
    #[tracing::instrument(skip_all, fields(provider = %provider, refresh), err(Debug))]
    pub async fn served_models(
        &self,
        provider: ProviderId,
        refresh: bool,
    ) -> Result<ServedModels, EngineError> {
        let custom = self.custom_provider(&provider).await?;
        Ok(self.served_list(custom, Fetch::asked(refresh)).await.view())
    }
}

/// What a model reads: what the server says, else text (what every chat model reads).
fn input_modalities(m: &ServedModel) -> Vec<String> {
    if m.input_modalities.is_empty() {
        vec!["text".to_owned()]
    } else {
        m.input_modalities.clone()
    }
}

fn served_choice(
    provider: &CustomProvider,
    m: &ServedModel,
    price: Option<&ModelPriceRow>,
) -> ModelChoice {
    ModelChoice {
        provider: provider.id.clone(),
        provider_name: provider.name.clone(),
        id: m.id.clone(),
        name: m.name.clone().unwrap_or_else(|| m.id.clone()),
        context_length: m.context_length,
        prompt_per_million: price.map(|p| p.prompt_per_million),
        completion_per_million: price.map(|p| p.completion_per_million),
        input_modalities: input_modalities(m),
        supports_reasoning: false,
    }
}

fn served_browser_model(
    provider: &CustomProvider,
    m: &ServedModel,
    price: Option<&ModelPriceRow>,
) -> BrowserModel {
    let prompt = price.map(|p| p.prompt_per_million);
    let completion = price.map(|p| p.completion_per_million);
    let owner = m
        .owned_by
        .as_deref()
        .map(|o| format!(" (owned by {o})"))
        .unwrap_or_default();
    BrowserModel {
        provider: provider.id.clone(),
        provider_name: provider.name.clone(),
        id: m.id.clone(),
        name: m.name.clone().unwrap_or_else(|| m.id.clone()),
        description: Some(format!(
            "Served by {}{owner} at {}.",
            provider.name,
            provider.base_url.as_str()
        )),
        created: m.created,
        context_length: m.context_length,
        max_output: None,
        input_modalities: input_modalities(m),
        output_modalities: vec!["text".to_owned()],
        supported_parameters: ["max_tokens", "temperature"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        tokenizer: None,
        prices: PriceSheet {
            prompt_per_million: prompt,
            completion_per_million: completion,
            cache_read_per_million: None,
            cache_write_per_million: None,
            per_request: None,
            per_image: None,
            variable: false,
            free: prompt == Some(Usd::ZERO) && completion == Some(Usd::ZERO),
        },
    }
}

/// The router's facts about a custom model. What the server does not say is not held against
/// the model (it is listed because the user added the server): every capability, and every
/// input kind unless the server lists its own.
fn served_facts(m: &ServedModel, price: Option<&ModelPriceRow>) -> ModelFacts {
    let modalities = if m.input_modalities.is_empty() {
        vec![
            Modality::Text,
            Modality::Image,
            Modality::File,
            Modality::Audio,
        ]
    } else {
        m.input_modalities
            .iter()
            .filter_map(|x| Modality::parse(x))
            .collect()
    };
    let mut capabilities = vec![Capability::Tools, Capability::Json, Capability::Reasoning];
    if modalities.contains(&Modality::Image) {
        capabilities.push(Capability::Vision);
    }
    let pricing = price.map(pricing);
    let known = |p: Option<&Price>| p.and_then(Price::known);
    let prompt = known(pricing.as_ref().map(|p| &p.prompt));
    let completion = known(pricing.as_ref().map(|p| &p.completion));
    ModelFacts {
        context_length: m.context_length,
        modalities,
        capabilities,
        prompt_price: prompt.map(Usd::to_f64_lossy),
        completion_price: completion.map(Usd::to_f64_lossy),
        prompt_usd: prompt,
        completion_usd: completion,
        max_output: None,
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::BaseUrl;

    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn row(model: &str, prompt: &str, completion: &str) -> ModelPriceRow {
        ModelPriceRow {
            provider_id: provider().id.to_string(),
            model: model.into(),
            prompt_per_million: usd(prompt),
            completion_per_million: usd(completion),
            updated_ms: 0,
        }
    }

    fn provider() -> CustomProvider {
        CustomProvider {
            id: ProviderId::custom(uuid::Uuid::from_u128(7)),
            name: "Desk Ollama".into(),
            base_url: BaseUrl::parse("http://127.0.0.1:11434/v1").unwrap(),
        }
    }

    fn served(id: &str) -> ServedModel {
        ServedModel {
            id: id.into(),
            name: None,
            owned_by: Some("library".into()),
            created: None,
            context_length: Some(8_192),
            input_modalities: Vec::new(),
        }
    }

    #[test]
    fn a_model_price_wins_over_the_default_and_unpriced_models_stay_unknown() {
        let p = provider();
        let prices = [row("*", "0", "0"), row("big", "1", "2")];
        let big = price_for(&prices, &p.id, "big").unwrap();
        assert_eq!(big.model, "big");
        assert_eq!(price_for(&prices, &p.id, "small").unwrap().model, "*");
        let other = ProviderId::custom(uuid::Uuid::from_u128(8));
        assert!(price_for(&prices, &other, "big").is_none());

        let choice = served_choice(&p, &served("small"), price_for(&prices, &p.id, "small"));
        assert_eq!(
            (choice.prompt_per_million, choice.completion_per_million),
            (Some(Usd::ZERO), Some(Usd::ZERO))
        );
        assert_eq!(choice.provider_name, "Desk Ollama", "named, never the id");
        let unpriced = served_browser_model(&p, &served("small"), None);
        assert_eq!(unpriced.prices.prompt_per_million, None, "unknown, not $0");
        assert!(!unpriced.prices.free && !unpriced.prices.variable);
        assert_eq!(unpriced.context_length, Some(8_192));
        assert_eq!(unpriced.input_modalities, ["text"]);
    }

    #[test]
    fn router_facts_carry_context_and_exact_prices_and_hold_nothing_unknown_against_a_model() {
        let priced = served_facts(&served("m"), Some(&row("m", "3", "15")));
        assert_eq!(priced.context_length, Some(8_192));
        assert_eq!(priced.prompt_usd, Some(usd("0.000003")), "per token");
        assert_eq!(priced.completion_usd, Some(usd("0.000015")));
        assert!(priced.capabilities.contains(&Capability::Tools));
        assert!(priced.modalities.contains(&Modality::Image), "not said");
        let unpriced = served_facts(&served("m"), None);
        assert_eq!((unpriced.prompt_usd, unpriced.prompt_price), (None, None));
        let text_only = ServedModel {
            input_modalities: vec!["text".into()],
            ..served("m")
        };
        let facts = served_facts(&text_only, None);
        assert_eq!(facts.modalities, [Modality::Text], "the server said");
        assert!(!facts.capabilities.contains(&Capability::Vision));
    }
}
