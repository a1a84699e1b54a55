//! What the router knows about a request before it is sent, and about the models it could go to.

use serde::{Deserialize, Serialize};
use switchboard_core::ProviderId;

use crate::config::{Capability, Modality};

/// A request as the router sees it: what was asked for and what it needs, not its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RouteRequest {
    /// A model asked for directly (with its provider), when no route is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderId>,
    /// The requested model id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The requested route's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The task type tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Estimated prompt tokens.
    pub prompt_tokens: u64,
    /// The output cap asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Inputs beyond text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// What the model must be able to do.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    /// The agent sending it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The conversation it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    /// The name of the client key it came with through the local API (`claude-code`); none
    /// for the app and the CLI. Rules match on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// That client key's id: what the ledger records and client budgets count. The router
    /// never reads it (rules name clients, ids mean nothing to a person); the engine does.
    /// Set both from one authenticated key, never one without the other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The model name as another tool wrote it (the local API), when it differs from `model`
    /// (`claude-sonnet-4-5` resolved to Anthropic's model, say). Model conditions match either,
    /// so a rule can catch what Claude Code asks for by the name Claude Code uses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub asked_as: Option<String>,
}

impl RouteRequest {
    /// The tokens a target's context window must hold: the prompt plus the output reserved.
    pub fn context_needed(&self) -> u64 {
        self.prompt_tokens + u64::from(self.max_output_tokens.unwrap_or(0))
    }

    /// A rough token count for text when no tokenizer for the model is at hand: about four
    /// bytes a token for English and code, rounded up. Good enough to choose between a 8k and a
    /// 128k window; the provider's usage gives the exact figure afterwards.
    pub fn estimate_tokens(text: &str) -> u64 {
        (text.len() as u64).div_ceil(4)
    }
}

/// What the router needs to know about one model at one provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelFacts {
    /// Context window, tokens.
    pub context_length: Option<u64>,
    /// Input kinds it takes (text is assumed).
    pub modalities: Vec<Modality>,
    /// What it can do.
    pub capabilities: Vec<Capability>,
    /// USD per input token.
    pub prompt_price: Option<f64>,
    /// USD per output token.
    pub completion_price: Option<f64>,
    /// USD per input token, exactly (for budget reservations).
    pub prompt_usd: Option<switchboard_core::Usd>,
    /// USD per output token, exactly.
    pub completion_usd: Option<switchboard_core::Usd>,
    /// The most tokens it will generate.
    pub max_output: Option<u64>,
}

/// Model facts by (provider, model id); what the router knows comes from the OpenRouter
/// catalogue and the bundled price table. A model missing here is not excluded for what is
/// unknown about it (the user named it), and the explain view says the facts are unknown.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// One map keyed by both names, looked up by borrowed names (one hash per target of every
    /// decision, not two), hashed with `foldhash` rather than SipHash: the keys are the user's
    /// own model ids, not an attacker's.
    models: hashbrown::HashMap<(ProviderId, String), ModelFacts>,
    /// How many models each provider has.
    counts: hashbrown::HashMap<ProviderId, usize>,
}

/// A (provider, model) key borrowed, to look a model up without copying its names (the
/// catalogue here, a target's state in the router). It hashes as `(ProviderId, String)` does:
/// the same fields, in order.
#[derive(Hash)]
pub(crate) struct TargetRef<'a>(pub(crate) &'a ProviderId, pub(crate) &'a str);

impl hashbrown::Equivalent<(ProviderId, String)> for TargetRef<'_> {
    fn equivalent(&self, key: &(ProviderId, String)) -> bool {
        *self.0 == key.0 && self.1 == key.1
    }
}

/// A hasher for maps the router reads on every decision.
pub(crate) type Fast = hashbrown::DefaultHashBuilder;

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces one model's facts.
    pub fn insert(&mut self, provider: ProviderId, model: impl Into<String>, facts: ModelFacts) {
        let key = (provider, model.into());
        if !self.models.contains_key(&key) {
            *self.counts.entry(key.0.clone()).or_default() += 1;
        }
        self.models.insert(key, facts);
    }

    /// One model's facts. An OpenRouter routing variant (`openai/gpt-4o:nitro`) that is not
    /// listed itself has its base model's: the same model, served by other providers first.
    pub fn get(&self, provider: &ProviderId, model: &str) -> Option<&ModelFacts> {
        self.models.get(&TargetRef(provider, model)).or_else(|| {
            if provider.builtin() != Some(switchboard_core::BuiltinProvider::OpenRouter) {
                return None;
            }
            let base = switchboard_core::priced_as(model)?;
            self.models.get(&TargetRef(provider, base))
        })
    }

    /// How many models of `provider` it knows (0: nothing known of that provider).
    pub fn provider_models(&self, provider: &ProviderId) -> usize {
        self.counts.get(provider).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_found_by_provider_and_model_and_counted_per_provider() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let an: ProviderId = "anthropic".parse().unwrap();
        let facts = |n: u64| ModelFacts {
            context_length: Some(n),
            ..ModelFacts::default()
        };
        let mut c = Catalogue::new();
        c.insert(or.clone(), "a/b", facts(1));
        c.insert(or.clone(), "a/c", facts(2));
        c.insert(an.clone(), "a/b", facts(3));
        c.insert(or.clone(), "a/b", facts(4));
        assert_eq!(c.get(&or, "a/b").and_then(|f| f.context_length), Some(4));
        assert_eq!(c.get(&an, "a/b").and_then(|f| f.context_length), Some(3));
        assert_eq!(c.get(&an, "a/c"), None);
        assert_eq!(c.get(&or, "a/"), None);
        assert_eq!((c.provider_models(&or), c.provider_models(&an)), (2, 1));
        let none: ProviderId = "openai".parse().unwrap();
        assert_eq!(c.provider_models(&none), 0);
    }

    #[test]
    fn an_openrouter_routing_variant_has_its_base_models_facts() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let local: ProviderId = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e"
            .parse()
            .unwrap();
        let facts = |n: u64| ModelFacts {
            context_length: Some(n),
            ..ModelFacts::default()
        };
        let mut c = Catalogue::new();
        c.insert(or.clone(), "a/b", facts(1));
        c.insert(or.clone(), "a/b:free", facts(2));
        c.insert(local.clone(), "a/b", facts(3));
        let context = |p: &ProviderId, m: &str| c.get(p, m).and_then(|f| f.context_length);
        assert_eq!(context(&or, "a/b:nitro"), Some(1), "the base's facts");
        assert_eq!(context(&or, "a/b:free"), Some(2), "a listed variant's own");
        assert_eq!(
            context(&or, "a/c:free"),
            None,
            "an unlisted free variant is unknown"
        );
        assert_eq!(
            context(&local, "a/b:nitro"),
            None,
            "only OpenRouter has variants"
        );
    }
}
