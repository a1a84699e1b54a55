//! The Chat screen's model picker: every model the user can reach, with its price.

use switchboard_core::{BuiltinProvider, KeySource, ModelChoice};
use switchboard_providers::price_table;

use crate::{Engine, EngineError};

impl Engine {
    /// The models of every provider the user can use: the OpenRouter catalogue (cached, or
    /// fetched once when there is no cache), and the bundled table's models for OpenAI and
    /// Anthropic when a key is set. A catalogue that cannot be fetched leaves OpenRouter out
    /// rather than failing the picker.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn model_choices(&self) -> Result<Vec<ModelChoice>, EngineError> {
        let mut choices = Vec::new();
        match self.models(false).await {
            Ok(catalogue) => choices.extend(catalogue.models.into_iter().map(|m| ModelChoice {
                provider: BuiltinProvider::OpenRouter.id(),
                supports_reasoning: m.supported_parameters.iter().any(|p| p == "reasoning"),
                prompt_per_million: m.pricing.prompt.per_million(),
                completion_per_million: m.pricing.completion.per_million(),
                context_length: m.context_length,
                input_modalities: m.input_modalities,
                name: m.name,
                id: m.id,
            })),
            Err(err) => tracing::warn!(error = %err, "no OpenRouter catalogue for the picker"),
        }
        let overview = self.providers_overview().await?;
        for provider in [BuiltinProvider::OpenAi, BuiltinProvider::Anthropic] {
            let has_key = overview
                .providers
                .iter()
                .any(|p| p.id == provider.id() && p.key.source != KeySource::None);
            if !has_key {
                continue;
            }
            for (id, price) in price_table::models(provider) {
                choices.push(ModelChoice {
                    provider: provider.id(),
                    name: format!("{}: {id}", provider.display_name()),
                    supports_reasoning: provider == BuiltinProvider::Anthropic
                        || id.starts_with('o')
                        || id.starts_with("gpt-5"),
                    prompt_per_million: price.pricing.prompt.per_million(),
                    completion_per_million: price.pricing.completion.per_million(),
                    context_length: price.context_window,
                    input_modalities: vec!["text".to_owned(), "image".to_owned()],
                    id,
                });
            }
        }
        Ok(choices)
    }
}
