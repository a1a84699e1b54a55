//! OpenRouter's routing vocabulary beyond a plain model id: model variants (`:nitro`, `:floor`,
//! `:exacto`, `:online`, `:free`), presets (`@preset/<slug>`), and the `provider` preferences a
//! request carries (`zdr`, `data_collection`, `sort`, `max_price`).
//!
//! A routing variant asks OpenRouter to pick a provider for the same model in another way, so
//! its prices and context window are the base model's; `:free` is a listing of its own with its
//! own (zero) price, found in the catalogue or not at all. A preset names a configuration saved
//! on OpenRouter, so nothing about its price is known before its answer's usage.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::money::Usd;
use crate::provider::{BuiltinProvider, ProviderId};

/// What a model id starts with when it names a preset instead of a model.
pub const PRESET_PREFIX: &str = "@preset/";

/// A model variant: a suffix on an OpenRouter model id that changes how it is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ModelVariant {
    /// Fastest providers first, priority-tier endpoints included (billed at the tier served).
    Nitro,
    /// Cheapest providers first, flex-tier endpoints included.
    Floor,
    /// Providers with the most reliable tool calls first.
    Exacto,
    /// Web search results added to the prompt (deprecated by OpenRouter for the `web` plugin).
    Online,
    /// The free listing of the model, with free-model rate limits.
    Free,
}

impl ModelVariant {
    /// Every variant, in the order a picker lists them.
    pub const ALL: [Self; 5] = [
        Self::Nitro,
        Self::Floor,
        Self::Exacto,
        Self::Online,
        Self::Free,
    ];

    /// The suffix without its colon: `nitro`.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Nitro => "nitro",
            Self::Floor => "floor",
            Self::Exacto => "exacto",
            Self::Online => "online",
            Self::Free => "free",
        }
    }

    /// The variant a suffix (without its colon) names, if any.
    pub fn from_suffix(suffix: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.suffix() == suffix)
    }

    /// Whether the variant only changes which provider serves the same model, at the same
    /// list price; `:free` is a separate listing with its own price.
    pub fn routes_only(self) -> bool {
        self != Self::Free
    }
}

/// An OpenRouter model id taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenRouterModel<'a> {
    /// A preset saved on OpenRouter, `@preset/<slug>`.
    Preset {
        /// The preset's slug.
        slug: &'a str,
    },
    /// A model, with the variant chosen for it, if any.
    Model {
        /// The id without the variant (`openai/gpt-4o`, or a listing such as `…:thinking`).
        base: &'a str,
        /// The variant.
        variant: Option<ModelVariant>,
    },
}

/// An OpenRouter model id that OpenRouter would refuse, said so before sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidModelId {
    /// The id ends in a bare `:`.
    #[error(
        "\"{id}\" ends in \":{suffix}\", which is not an OpenRouter variant: use :nitro, :floor, \
         :exacto, :online or :free, or no variant"
    )]
    UnknownVariant {
        /// The id as given.
        id: String,
        /// What followed the last colon.
        suffix: String,
    },
    /// More than one suffix (`…:nitro:floor`).
    #[error("\"{id}\" has more than one suffix: OpenRouter takes one variant at a time")]
    TwoSuffixes {
        /// The id as given.
        id: String,
    },
    /// `@preset/` with nothing after it, or a slug with characters a slug never has.
    #[error(
        "\"{id}\" is not a preset: write @preset/ and then the preset's slug (letters, digits, \
         '-', '_' and '.')"
    )]
    BadPreset {
        /// The id as given.
        id: String,
    },
}

impl<'a> OpenRouterModel<'a> {
    /// Takes `id` apart, refusing variants OpenRouter does not have, stacked suffixes and
    /// presets without a usable slug.
    pub fn parse(id: &'a str) -> Result<Self, InvalidModelId> {
        if let Some(slug) = id.strip_prefix(PRESET_PREFIX) {
            let usable = !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            return if usable {
                Ok(Self::Preset { slug })
            } else {
                Err(InvalidModelId::BadPreset { id: id.to_owned() })
            };
        }
        let Some((head, suffix)) = id.rsplit_once(':') else {
            return Ok(Self::Model {
                base: id,
                variant: None,
            });
        };
        if head.contains(':') {
            return Err(InvalidModelId::TwoSuffixes { id: id.to_owned() });
        }
        if let Some(variant) = ModelVariant::from_suffix(suffix) {
            return Ok(Self::Model {
                base: head,
                variant: Some(variant),
            });
        }
        if suffix.is_empty() {
            return Err(InvalidModelId::UnknownVariant {
                id: id.to_owned(),
                suffix: String::new(),
            });
        }
        // Any other suffix names a model of its own (`:thinking`, `:beta`, `:extended`, and
        // whatever OpenRouter lists next): passed on as it is, for the catalogue and OpenRouter
        // to judge. Refusing unknown ones here would turn a saved route or column into an error
        // the day OpenRouter adds a suffix.
        Ok(Self::Model {
            base: id,
            variant: None,
        })
    }
}

/// Checks `model` where `provider` is OpenRouter (other providers' ids, such as Ollama's
/// `llama3.2:3b`, have colons of their own and are left alone).
pub fn check_model_id(provider: &ProviderId, model: &str) -> Result<(), InvalidModelId> {
    if provider.builtin() == Some(BuiltinProvider::OpenRouter) {
        OpenRouterModel::parse(model)?;
    }
    Ok(())
}

/// The id whose catalogue entry prices and describes OpenRouter's `id` when `id` is not
/// listed itself: the base model of a routing-only variant (`openai/gpt-4o:nitro` is priced as
/// `openai/gpt-4o`). `None` for anything else: a `:free` listing has its own entry or none, and
/// a preset is priced by its answer's usage.
pub fn priced_as(id: &str) -> Option<&str> {
    match OpenRouterModel::parse(id) {
        Ok(OpenRouterModel::Model {
            base,
            variant: Some(v),
        }) if v.routes_only() => Some(base),
        _ => None,
    }
}

/// `base` with `variant` appended (`openai/gpt-4o:nitro`), or `base` alone.
pub fn with_variant(base: &str, variant: Option<ModelVariant>) -> String {
    match variant {
        Some(v) => format!("{base}:{}", v.suffix()),
        None => base.to_owned(),
    }
}

/// How OpenRouter orders the providers that can serve a request (`provider.sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderSort {
    /// The lowest price first.
    Price,
    /// The highest throughput first.
    Throughput,
    /// The lowest latency first.
    Latency,
}

impl ProviderSort {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Throughput => "throughput",
            Self::Latency => "latency",
        }
    }
}

/// Whether providers that may store or train on the prompts may serve
/// (`provider.data_collection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DataCollection {
    /// Any provider (OpenRouter's default).
    Allow,
    /// Only providers that neither store nor train on the data.
    Deny,
}

impl DataCollection {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
}

/// The most a request may cost per million tokens (`provider.max_price`): providers dearer than
/// this are not used, and if none is left the request fails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MaxPrice {
    /// USD per million prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub prompt: Option<Usd>,
    /// USD per million completion tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub completion: Option<Usd>,
}

/// The `provider` preferences Switchboard sets on an OpenRouter request; unset fields leave
/// OpenRouter's defaults (and the account's settings) in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProviderPreferences {
    /// Only zero-data-retention endpoints. It adds to the account's own setting, never
    /// removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub zdr: Option<bool>,
    /// Whether providers that store or train on data may serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub data_collection: Option<DataCollection>,
    /// How providers are ordered (this turns OpenRouter's load balancing off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub sort: Option<ProviderSort>,
    /// The most a million tokens may cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub max_price: Option<MaxPrice>,
}

impl ProviderPreferences {
    /// What a private conversation asks of every OpenRouter request: zero data retention and
    /// no provider that collects data.
    pub fn private() -> Self {
        Self {
            zdr: Some(true),
            data_collection: Some(DataCollection::Deny),
            ..Self::default()
        }
    }

    /// Whether nothing is set (then nothing is sent: even an empty `provider` object would
    /// change routing).
    pub fn is_empty(&self) -> bool {
        self.to_wire().is_empty()
    }

    /// The wire form: snake_case keys, only what is set. Prices are decimal strings, exact as
    /// entered (OpenRouter's schema types them as strings; a float would round them).
    pub fn to_wire(&self) -> Map<String, Value> {
        let mut out = Map::new();
        if let Some(zdr) = self.zdr {
            out.insert("zdr".into(), json!(zdr));
        }
        if let Some(d) = self.data_collection {
            out.insert("data_collection".into(), json!(d.as_str()));
        }
        if let Some(sort) = self.sort {
            out.insert("sort".into(), json!(sort.as_str()));
        }
        if let Some(max) = &self.max_price {
            let mut price = Map::new();
            if let Some(p) = max.prompt {
                price.insert("prompt".into(), json!(p.to_string()));
            }
            if let Some(c) = max.completion {
                price.insert("completion".into(), json!(c.to_string()));
            }
            if !price.is_empty() {
                out.insert("max_price".into(), Value::Object(price));
            }
        }
        out
    }

    /// `onto` (a `provider` object written elsewhere: a route target's, a client's) with these
    /// preferences set over it, key by key; `None` when the result is empty.
    pub fn overlay(&self, onto: Option<Value>) -> Option<Value> {
        let mut object = match onto {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        object.extend(self.to_wire());
        (!object.is_empty()).then_some(Value::Object(object))
    }

    /// Refuses a maximum price below zero, which could never be met.
    pub fn check(&self) -> Result<(), NegativeMaxPrice> {
        let prices = self.max_price.iter().flat_map(|m| [m.prompt, m.completion]);
        match prices.flatten().find(|p| p.is_negative()) {
            Some(p) => Err(NegativeMaxPrice(p)),
            None => Ok(()),
        }
    }
}

/// A maximum price below zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a maximum price of ${0} per million tokens can never be met: leave it empty for no limit")]
pub struct NegativeMaxPrice(pub Usd);

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    #[test]
    fn variants_and_presets_are_taken_apart() {
        assert_eq!(
            OpenRouterModel::parse("openai/gpt-4o:nitro"),
            Ok(OpenRouterModel::Model {
                base: "openai/gpt-4o",
                variant: Some(ModelVariant::Nitro)
            })
        );
        assert_eq!(
            OpenRouterModel::parse("openai/gpt-4o"),
            Ok(OpenRouterModel::Model {
                base: "openai/gpt-4o",
                variant: None
            })
        );
        assert_eq!(
            OpenRouterModel::parse("anthropic/claude-3.7-sonnet:thinking"),
            Ok(OpenRouterModel::Model {
                base: "anthropic/claude-3.7-sonnet:thinking",
                variant: None
            }),
            "a listing of its own is a plain id"
        );
        assert_eq!(
            OpenRouterModel::parse("@preset/email-copywriter"),
            Ok(OpenRouterModel::Preset {
                slug: "email-copywriter"
            })
        );
        for v in ModelVariant::ALL {
            let id = with_variant("a/b", Some(v));
            assert_eq!(
                OpenRouterModel::parse(&id),
                Ok(OpenRouterModel::Model {
                    base: "a/b",
                    variant: Some(v)
                }),
                "{id} round-trips"
            );
        }
    }

    #[test]
    fn stacked_or_empty_suffixes_and_empty_presets_are_refused_clearly() {
        // Suffixes that are no variant are ids of their own, left for OpenRouter to judge.
        for listed in [
            "openai/gpt-4o:turbo",
            "anthropic/claude-3.5-sonnet:beta",
            "a/b:thinking",
        ] {
            assert_eq!(
                OpenRouterModel::parse(listed),
                Ok(OpenRouterModel::Model {
                    base: listed,
                    variant: None
                })
            );
        }
        let err = OpenRouterModel::parse("a/b:").unwrap_err();
        assert!(
            err.to_string()
                .contains(":nitro, :floor, :exacto, :online or :free"),
            "the message lists what is allowed: {err}"
        );
        assert!(matches!(
            OpenRouterModel::parse("a/b:nitro:floor"),
            Err(InvalidModelId::TwoSuffixes { .. })
        ));
        assert!(matches!(
            OpenRouterModel::parse("a/b:"),
            Err(InvalidModelId::UnknownVariant { .. })
        ));
        for bad in ["@preset/", "@preset/has space", "@preset/a/b"] {
            assert!(
                matches!(
                    OpenRouterModel::parse(bad),
                    Err(InvalidModelId::BadPreset { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_openrouter_ids_are_checked() {
        let ollama: ProviderId = "custom:0192f0c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e"
            .parse()
            .unwrap();
        assert_eq!(check_model_id(&ollama, "llama3.2:3b"), Ok(()));
        assert!(check_model_id(&BuiltinProvider::OpenRouter.id(), "a/b:free:nitro").is_err());
        assert_eq!(
            check_model_id(&BuiltinProvider::OpenAi.id(), "gpt-4o:whatever"),
            Ok(())
        );
    }

    #[test]
    fn routing_variants_are_priced_as_their_base_and_free_as_itself() {
        assert_eq!(priced_as("openai/gpt-4o:nitro"), Some("openai/gpt-4o"));
        assert_eq!(priced_as("openai/gpt-4o:floor"), Some("openai/gpt-4o"));
        assert_eq!(priced_as("openai/gpt-4o:exacto"), Some("openai/gpt-4o"));
        assert_eq!(priced_as("openai/gpt-4o:online"), Some("openai/gpt-4o"));
        assert_eq!(priced_as("meta-llama/llama-3.3-70b-instruct:free"), None);
        assert_eq!(priced_as("openai/gpt-4o"), None);
        assert_eq!(priced_as("@preset/x"), None);
        assert_eq!(
            priced_as("a/b:turbo"),
            None,
            "an id of its own prices as itself, not as a base"
        );
    }

    #[test]
    fn the_provider_object_is_exact_json() {
        let prefs = ProviderPreferences {
            zdr: Some(true),
            data_collection: Some(DataCollection::Deny),
            sort: Some(ProviderSort::Throughput),
            max_price: Some(MaxPrice {
                prompt: Some(usd("1.25")),
                completion: Some(usd("0.000001")),
            }),
        };
        assert_eq!(
            Value::Object(prefs.to_wire()),
            json!({
                "zdr": true,
                "data_collection": "deny",
                "sort": "throughput",
                "max_price": {"prompt": "1.25", "completion": "0.000001"},
            })
        );
        assert_eq!(
            Value::Object(ProviderPreferences::private().to_wire()),
            json!({"zdr": true, "data_collection": "deny"})
        );
        let half = ProviderPreferences {
            max_price: Some(MaxPrice {
                prompt: None,
                completion: Some(usd("15")),
            }),
            ..ProviderPreferences::default()
        };
        assert_eq!(
            Value::Object(half.to_wire()),
            json!({"max_price": {"completion": "15"}})
        );
        let nothing = ProviderPreferences {
            max_price: Some(MaxPrice::default()),
            ..ProviderPreferences::default()
        };
        assert!(nothing.is_empty(), "an empty max price sends nothing");
    }

    #[test]
    fn a_negative_max_price_is_refused() {
        let bad = ProviderPreferences {
            max_price: Some(MaxPrice {
                prompt: Some(usd("1")),
                completion: Some(usd("-0.5")),
            }),
            ..ProviderPreferences::default()
        };
        assert_eq!(bad.check(), Err(NegativeMaxPrice(usd("-0.5"))));
        assert_eq!(ProviderPreferences::private().check(), Ok(()));
    }

    #[test]
    fn preferences_overlay_another_provider_object_key_by_key() {
        let target = json!({"order": ["anthropic"], "data_collection": "allow", "zdr": false});
        assert_eq!(
            ProviderPreferences::private().overlay(Some(target)),
            Some(json!({"order": ["anthropic"], "data_collection": "deny", "zdr": true}))
        );
        assert_eq!(ProviderPreferences::default().overlay(None), None);
        assert_eq!(
            ProviderPreferences::default().overlay(Some(json!({"sort": "price"}))),
            Some(json!({"sort": "price"}))
        );
    }

    #[test]
    fn the_ipc_form_is_camel_case_and_round_trips() {
        let prefs = ProviderPreferences {
            sort: Some(ProviderSort::Price),
            max_price: Some(MaxPrice {
                prompt: Some(usd("2")),
                completion: None,
            }),
            data_collection: Some(DataCollection::Deny),
            zdr: None,
        };
        let text = serde_json::to_value(&prefs).unwrap();
        assert_eq!(
            text,
            json!({"dataCollection": "deny", "sort": "price", "maxPrice": {"prompt": "2"}})
        );
        assert_eq!(
            serde_json::from_value::<ProviderPreferences>(text).unwrap(),
            prefs
        );
    }
}
