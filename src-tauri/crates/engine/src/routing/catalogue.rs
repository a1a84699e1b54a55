//! Model facts for the router, from the cached OpenRouter catalogue, the bundled price
//! table, and the custom providers' cached model lists with the prices the user gave.

use std::sync::{Arc, PoisonError};

use switchboard_core::BuiltinProvider;
use switchboard_providers::price_table;
use switchboard_router::{Capability, Catalogue, Modality, ModelFacts};

use crate::Engine;

impl Engine {
    /// Model facts for the router, from the cached OpenRouter catalogue, the bundled price
    /// table and the custom providers' lists and prices; rebuilt only when a cached list or a
    /// user price changes (in this process or another on the same database).
    pub(crate) async fn router_catalogue(&self) -> Arc<Catalogue> {
        // Checked against the store a moment ago, with nothing changed here since: current.
        let revision = crate::fresh::revision(&self.inner);
        if self.inner.seen.facts.get(revision).is_some()
            && let Some((_, c)) = &*self.routing_cache()
        {
            return Arc::clone(c);
        }
        let fetched = self
            .blocking(|inner| Ok(inner.store.model_facts_stamp()?))
            .await
            .map_or(0, |stamp| stamp_key(&stamp));
        if let Some((at, c)) = &*self.routing_cache()
            && *at == fetched
        {
            self.inner.seen.facts.keep(revision, ());
            return Arc::clone(c);
        }
        let mut catalogue = Catalogue::new();
        if let Ok(Some(models)) = self.cached_models().await {
            let or = BuiltinProvider::OpenRouter.id();
            for m in models {
                let has = |p: &str| m.supported_parameters.iter().any(|x| x == p);
                let mut capabilities = Vec::new();
                if has("tools") {
                    capabilities.push(Capability::Tools);
                }
                if has("response_format") || has("structured_outputs") {
                    capabilities.push(Capability::Json);
                }
                if has("reasoning") {
                    capabilities.push(Capability::Reasoning);
                }
                let modalities: Vec<Modality> = m
                    .input_modalities
                    .iter()
                    .filter_map(|x| Modality::parse(x))
                    .collect();
                if modalities.contains(&Modality::Image) {
                    capabilities.push(Capability::Vision);
                }
                let facts = ModelFacts {
                    context_length: m.context_length,
                    modalities,
                    capabilities,
                    prompt_price: m.pricing.prompt.known().map(|p| p.to_f64_lossy()),
                    completion_price: m.pricing.completion.known().map(|p| p.to_f64_lossy()),
                    prompt_usd: m.pricing.prompt.known(),
                    completion_usd: m.pricing.completion.known(),
                    max_output: m.max_completion_tokens,
                };
                catalogue.insert(or.clone(), m.id, facts);
            }
        }
        for provider in [BuiltinProvider::OpenAi, BuiltinProvider::Anthropic] {
            for (id, price) in price_table::models(provider) {
                let direct = crate::models::direct_facts(provider, &id);
                let mut capabilities = vec![Capability::Tools, Capability::Vision];
                if direct.json {
                    capabilities.push(Capability::Json);
                }
                if direct.reasoning {
                    capabilities.push(Capability::Reasoning);
                }
                let facts = ModelFacts {
                    context_length: price.context_window,
                    modalities: vec![Modality::Text, Modality::Image],
                    capabilities,
                    prompt_price: price.pricing.prompt.known().map(|p| p.to_f64_lossy()),
                    completion_price: price.pricing.completion.known().map(|p| p.to_f64_lossy()),
                    prompt_usd: price.pricing.prompt.known(),
                    completion_usd: price.pricing.completion.known(),
                    max_output: None,
                };
                catalogue.insert(provider.id(), id, facts);
            }
        }
        for (provider, model, facts) in self.served_facts().await {
            catalogue.insert(provider, model, facts);
        }
        let catalogue = Arc::new(catalogue);
        *self.routing_cache() = Some((fetched, Arc::clone(&catalogue)));
        self.inner.seen.facts.keep(revision, ());
        catalogue
    }

    fn routing_cache(&self) -> std::sync::MutexGuard<'_, Option<(i64, Arc<Catalogue>)>> {
        self.inner
            .routing
            .catalogue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The cache key of a model facts stamp: a hash, since the cache keeps an `i64` (a collision
/// would take two different stamps hashing alike, 1 in 2^64).
fn stamp_key(stamp: &str) -> i64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    stamp.hash(&mut hasher);
    i64::from_ne_bytes(hasher.finish().to_ne_bytes())
}
