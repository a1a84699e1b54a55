//! OpenRouter's price semantics, and estimating a request's cost from them.
//!
//! Prices are decimal strings in USD per unit (`"0.000003"` is $3 per million tokens). A missing
//! key means 0 (2026 bodies omit zero prices), and any negative price (`"-1"`) means the price is
//! VARIABLE: it depends on what a router picks, so it must never be summed, sorted or shown as a
//! real price. `usage.cost` is what OpenRouter actually charged; everything here is an estimate
//! for when that is missing (direct OpenAI/Anthropic, old responses, budgets before sending).

use serde::{Deserialize, Serialize};
use switchboard_core::{Usage, Usd};

/// A price: exact USD per unit, or variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Price {
    /// USD per unit (per token, per request, per image or per search, by field).
    Known(Usd),
    /// Depends on what serves the request (OpenRouter's `"-1"` for routers such as
    /// `openrouter/auto`).
    Variable,
}

impl Price {
    /// Free; also what a missing price means.
    pub const ZERO: Self = Self::Known(Usd::ZERO);

    /// Interprets an amount read from the wire: negative means variable.
    pub fn from_amount(amount: Usd) -> Self {
        if amount.is_negative() {
            Self::Variable
        } else {
            Self::Known(amount)
        }
    }

    /// The price per unit, unless it is variable.
    pub fn known(&self) -> Option<Usd> {
        match self {
            Self::Known(usd) => Some(*usd),
            Self::Variable => None,
        }
    }

    /// The price per million units (how people compare token prices), unless it is variable.
    ///
    /// Also `None` for a price beyond any real one (over $1,000,000 per unit, or a negative
    /// `Known` built by hand): such a value can only come from a broken source, and multiplying
    /// it could overflow.
    pub fn per_million(&self) -> Option<Usd> {
        usable(self).map(Usd::per_million)
    }

    /// Whether the price is variable.
    pub fn is_variable(&self) -> bool {
        matches!(self, Self::Variable)
    }
}

/// What one model (or one endpoint of it) costs, per unit, as OpenRouter lists it.
///
/// Only the prices Switchboard can use are kept; the rest of OpenRouter's keys (`audio`,
/// `image_output`, `input_cache_write_1h`, `discount`, conditional `overrides`…) are ignored,
/// which is safe because `usage.cost` stays the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pricing {
    /// Per input token.
    pub prompt: Price,
    /// Per output token (reasoning included, unless `internal_reasoning` is priced).
    pub completion: Price,
    /// Per request.
    pub request: Price,
    /// Per input image.
    pub image: Price,
    /// Per input token read from the prompt cache.
    pub input_cache_read: Price,
    /// Per input token written to the prompt cache (the 5-minute rate).
    pub input_cache_write: Price,
    /// Per reasoning token, when the model bills reasoning apart from output.
    pub internal_reasoning: Price,
    /// Per web search.
    pub web_search: Price,
}

impl Pricing {
    /// Every price zero: a free model.
    pub const FREE: Self = Self {
        prompt: Price::ZERO,
        completion: Price::ZERO,
        request: Price::ZERO,
        image: Price::ZERO,
        input_cache_read: Price::ZERO,
        input_cache_write: Price::ZERO,
        internal_reasoning: Price::ZERO,
        web_search: Price::ZERO,
    };

    /// Every price variable: what a model whose pricing is missing altogether gets, so it is
    /// never shown, sorted or estimated as free.
    pub const UNKNOWN: Self = Self {
        prompt: Price::Variable,
        completion: Price::Variable,
        request: Price::Variable,
        image: Price::Variable,
        input_cache_read: Price::Variable,
        input_cache_write: Price::Variable,
        internal_reasoning: Price::Variable,
        web_search: Price::Variable,
    };

    /// Whether the token prices depend on routing (prompt or completion variable).
    pub fn is_variable(&self) -> bool {
        self.prompt.is_variable() || self.completion.is_variable()
    }

    /// Whether both token prices are exactly zero.
    pub fn is_free(&self) -> bool {
        self.prompt == Price::ZERO && self.completion == Price::ZERO
    }

    /// The key to sort models by price with: the prompt price, or `None` when the pricing is
    /// variable.
    ///
    /// Variable models have no place on a price scale, so list them apart: either drop them
    /// (`filter_map`) or sort the `Option`, which puts them all first, never between two known
    /// prices.
    pub fn sort_key(&self) -> Option<Usd> {
        if self.is_variable() {
            None
        } else {
            self.prompt.known()
        }
    }
}

/// Above this a per-unit price is not real, only broken data; refusing it keeps every product
/// and sum in [`estimate_cost`] far inside the decimal range (1e6 × u64::MAX × a few terms is
/// about 1e26, against a ceiling near 7.9e28), so bad input cannot overflow and panic.
pub(super) fn max_price() -> Usd {
    Usd::from_pico(1_000_000_000_000_000_000)
}

/// A price that can be multiplied: known, not negative, not absurd.
fn usable(price: &Price) -> Option<Usd> {
    price
        .known()
        .filter(|usd| !usd.is_negative() && *usd <= max_price())
}

/// Cost of `usage` at `pricing`: `None` when a price it needs is variable.
///
/// Input: `(prompt − cached − cache_write) × prompt + cached × input_cache_read (or × prompt
/// when there is no cache-read price) + cache_write × input_cache_write (or × prompt)`.
/// Output: `completion × completion`; reasoning tokens are part of the completion count, so when
/// `internal_reasoning` is priced the reasoning tokens are billed at it and only the rest at
/// `completion`. Plus the per-request price.
///
/// Counts that do not add up (more cached tokens than prompt tokens, more reasoning than
/// completion) are clamped so no token is billed twice and nothing underflows. Images and web
/// searches are not in [`Usage`], so their prices are not included: the estimate is then a
/// lower bound. A component whose token count is zero does not need its price, so a variable
/// price there does not spoil the estimate.
pub fn estimate_cost(pricing: &Pricing, usage: &Usage) -> Option<Usd> {
    let prompt_price = usable(&pricing.prompt)?;
    let completion_price = usable(&pricing.completion)?;

    let cached = usage.cached_tokens.min(usage.prompt_tokens);
    let written = usage
        .cache_write_tokens
        .min(usage.prompt_tokens.saturating_sub(cached));
    let uncached = usage
        .prompt_tokens
        .saturating_sub(cached)
        .saturating_sub(written);
    let reasoning = usage.reasoning_tokens.min(usage.completion_tokens);

    let mut total = prompt_price.times(uncached);
    total += component(&pricing.input_cache_read, prompt_price, cached)?;
    total += component(&pricing.input_cache_write, prompt_price, written)?;
    // A zero internal_reasoning price means "not billed apart": reasoning is ordinary output.
    total += component(&pricing.internal_reasoning, completion_price, reasoning)?;
    total += completion_price.times(usage.completion_tokens - reasoning);
    total += usable(&pricing.request)?;
    Some(total)
}

/// `count` tokens at `price`, or at `fallback` when `price` is zero (not listed separately).
fn component(price: &Price, fallback: Usd, count: u64) -> Option<Usd> {
    if count == 0 {
        return Some(Usd::ZERO);
    }
    let per_unit = usable(price)?;
    let per_unit = if per_unit == Usd::ZERO {
        fallback
    } else {
        per_unit
    };
    Some(per_unit.times(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn known(text: &str) -> Price {
        Price::from_amount(usd(text))
    }

    #[test]
    fn negative_prices_are_variable_and_have_no_number() {
        assert_eq!(known("-1"), Price::Variable, "-1 is variable");
        assert_eq!(known("-0.5"), Price::Variable, "any negative is variable");
        assert_eq!(known("0"), Price::ZERO, "zero is a real price");
        assert_eq!(Price::Variable.known(), None, "variable has no amount");
        assert_eq!(
            Price::Variable.per_million(),
            None,
            "nor a per-million amount"
        );
        assert_eq!(
            known("0.000003").per_million(),
            Some(usd("3")),
            "$3 per million"
        );
    }

    #[test]
    fn absurd_or_hand_built_negative_prices_never_multiply() {
        let huge = Price::Known(usd("79228162514264337593543950335"));
        assert_eq!(huge.per_million(), None, "would overflow the decimal");
        let usage = Usage {
            prompt_tokens: u64::MAX,
            completion_tokens: u64::MAX,
            ..Usage::default()
        };
        let pricing = Pricing {
            prompt: huge.clone(),
            ..Pricing::FREE
        };
        assert_eq!(
            estimate_cost(&pricing, &usage),
            None,
            "no panic, no estimate"
        );
        let negative = Pricing {
            completion: Price::Known(usd("-1")),
            ..Pricing::FREE
        };
        assert_eq!(
            estimate_cost(&negative, &usage),
            None,
            "a negative Known is still not a price"
        );
        let max = Pricing {
            prompt: Price::Known(max_price()),
            completion: Price::Known(max_price()),
            request: Price::Known(max_price()),
            ..Pricing::FREE
        };
        assert!(
            estimate_cost(&max, &usage).is_some(),
            "the largest accepted prices times the largest counts still fit"
        );
    }

    #[test]
    fn the_serialized_form_is_tagged_and_keeps_decimal_strings() {
        let json = serde_json::to_value(&Pricing {
            prompt: known("0.000003"),
            ..Pricing::UNKNOWN
        })
        .unwrap();
        assert_eq!(
            json["prompt"],
            serde_json::json!({"known": "0.000003"}),
            "{json}"
        );
        assert_eq!(json["completion"], "variable", "{json}");
        assert_eq!(json["inputCacheRead"], "variable", "camelCase keys: {json}");
        let back: Pricing = serde_json::from_value(json).unwrap();
        assert_eq!(back.prompt, known("0.000003"), "round trip");
    }

    #[test]
    fn zero_token_components_do_not_need_their_price() {
        let pricing = Pricing {
            prompt: known("0.000001"),
            completion: known("0.000002"),
            input_cache_read: Price::Variable,
            ..Pricing::FREE
        };
        let usage = Usage {
            prompt_tokens: 10,
            completion_tokens: 10,
            ..Usage::default()
        };
        assert_eq!(
            estimate_cost(&pricing, &usage),
            Some(usd("0.00003")),
            "no cached tokens, so the variable cache price is irrelevant"
        );
        let cached = Usage {
            cached_tokens: 5,
            ..usage
        };
        assert_eq!(
            estimate_cost(&pricing, &cached),
            None,
            "cached tokens at a variable price cannot be estimated"
        );
    }

    #[test]
    fn inconsistent_counts_are_clamped() {
        let pricing = Pricing {
            prompt: known("0.000001"),
            completion: known("0.000002"),
            input_cache_read: known("0.0000001"),
            internal_reasoning: known("0.000005"),
            ..Pricing::FREE
        };
        let usage = Usage {
            prompt_tokens: 10,
            completion_tokens: 4,
            cached_tokens: 50,
            cache_write_tokens: 7,
            reasoning_tokens: 9,
            cost: None,
            ..Usage::default()
        };
        // 10 cached at 1e-7 (the cache write gets none left), 4 reasoning at 5e-6.
        assert_eq!(
            estimate_cost(&pricing, &usage),
            Some(usd("0.000021")),
            "every token billed once"
        );
    }
}
