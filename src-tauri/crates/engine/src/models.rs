//! The Chat screen's model picker: every model the user can reach, with its price.

use switchboard_core::{BuiltinProvider, KeySource, ModelChoice};
use switchboard_providers::price_table;

use crate::providers::effective_key;
use crate::{Engine, EngineError};

handle! {
    /// Models: the picker's choices, the catalogue and its detail, custom providers' models and
    /// the prices the user gives them.
    Models, models
}

/// The providers whose models come from the bundled price table rather than a catalogue.
const DIRECT: [BuiltinProvider; 2] = [BuiltinProvider::OpenAi, BuiltinProvider::Anthropic];

/// What a bundled direct model (OpenAI or Anthropic) offers beyond the price table, which has
/// prices and context windows only: the rest follows the provider and the model family, the
/// same wherever such a model is listed (the picker, the Models screen, the router).
pub(crate) struct DirectFacts {
    /// How it is listed: `OpenAI: gpt-4o`.
    pub(crate) name: String,
    /// Takes a reasoning effort: every Claude model, OpenAI's o-series and GPT-5.
    pub(crate) reasoning: bool,
    /// Honours `response_format` (only OpenAI's API has it).
    pub(crate) json: bool,
}

impl DirectFacts {
    /// What every current model of both providers accepts (they all call tools too).
    pub(crate) const INPUT_MODALITIES: [&'static str; 2] = ["text", "image"];

    pub(crate) fn input_modalities() -> Vec<String> {
        Self::INPUT_MODALITIES.map(str::to_owned).into()
    }
}

/// The facts of `provider`'s bundled model `id`.
pub(crate) fn direct_facts(provider: BuiltinProvider, id: &str) -> DirectFacts {
    DirectFacts {
        name: format!("{}: {id}", provider.display_name()),
        reasoning: provider == BuiltinProvider::Anthropic
            || id.starts_with('o')
            || id.starts_with("gpt-5"),
        json: provider == BuiltinProvider::OpenAi,
    }
}

impl Engine {
    /// OpenAI and Anthropic, when the user has a key for them (keychain or environment).
    /// Only their main keys are looked up, as a request to them would, rather than building
    /// the whole providers overview: the picker and the Models screen ask often.
    pub(crate) async fn direct_providers_with_keys(
        &self,
    ) -> Result<Vec<BuiltinProvider>, EngineError> {
        self.blocking(|inner| {
            let mut with_keys = Vec::new();
            for provider in DIRECT {
                if effective_key(inner, &provider.id(), true)?.status.source != KeySource::None {
                    with_keys.push(provider);
                }
            }
            Ok(with_keys)
        })
        .await
    }
}

impl crate::Models<'_> {
    /// The models of every provider the user can use: the OpenRouter catalogue (cached, or
    /// fetched once when there is no cache), the bundled table's models for OpenAI and
    /// Anthropic when a key is set, and each custom provider's models (its cached list, with
    /// the prices the user gave). A catalogue or list that cannot be fetched leaves that
    /// provider out rather than failing the picker.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn choices(&self) -> Result<Vec<ModelChoice>, EngineError> {
        let mut choices = Vec::new();
        match self.models().catalogue(false).await {
            Ok(catalogue) => choices.extend(catalogue.models.into_iter().map(|m| ModelChoice {
                provider: BuiltinProvider::OpenRouter.id(),
                provider_name: BuiltinProvider::OpenRouter.display_name().to_owned(),
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
        for provider in self.direct_providers_with_keys().await? {
            for (id, price) in price_table::models(provider) {
                let facts = direct_facts(provider, &id);
                choices.push(ModelChoice {
                    provider: provider.id(),
                    provider_name: provider.display_name().to_owned(),
                    name: facts.name,
                    supports_reasoning: facts.reasoning,
                    prompt_per_million: price.pricing.prompt.per_million(),
                    completion_per_million: price.pricing.completion.per_million(),
                    context_length: price.context_window,
                    input_modalities: DirectFacts::input_modalities(),
                    id,
                });
            }
        }
        choices.extend(self.served_choices().await?);
        Ok(choices)
    }
}
