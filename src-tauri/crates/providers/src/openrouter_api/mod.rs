//! OpenRouter's catalogue and account endpoints, and what its prices mean.
//!
//! - [`parse_models`] / [`fetch_models`]: `GET /models`, in both the 2025 shape (every price
//!   key present, `"0"` when unused) and the 2026 one (zero prices omitted, `canonical_slug`).
//! - [`parse_endpoints`] / [`fetch_endpoints`]: the providers serving one model, each with its
//!   own price.
//! - [`fetch_key`], [`fetch_credits`], [`fetch_generation`]: what a key has spent, what the
//!   account holds, and what one generation cost.
//! - [`CodeVerifier`], [`authorization_url`], [`exchange_code`]: signing in with OpenRouter
//!   (OAuth PKCE) for a key the person owns.
//! - [`Price`], [`Pricing`], [`estimate_cost`]: exact prices, with `"-1"` kept apart as
//!   [`Price::Variable`].
//! - [`list_keys`], [`create_key`], [`update_key`], [`delete_key`], the guardrail calls and
//!   [`fetch_activity`]: team mode, through a management key.
//!
//! Money is exact: amounts that arrive as JSON numbers go through [`Usd::from_json_f64`] (their
//! shortest decimal form, which is what the server wrote), decimal strings through
//! [`Usd::parse`]. `usage.cost` and `/generation`'s `total_cost` are what was charged; price ×
//! tokens is only an estimate.

mod account;
mod activity;
mod catalogue;
mod guardrails;
mod management;
mod pricing;
mod sign_in;

use std::time::Duration;

use reqwest::RequestBuilder;
use serde::Deserialize;
use switchboard_core::{InvalidAmount, ProviderError, Usd};

use crate::Endpoint;

pub(crate) use account::parse_key;
pub use account::{
    Credits, Generation, KeyInfo, RateLimit, fetch_credits, fetch_generation, fetch_key,
};
pub use activity::{ActivityItem, fetch_activity, parse_activity};
pub use catalogue::{
    CatalogueModel, ModelEndpoint, ModelEndpoints, fetch_endpoints, fetch_models, parse_endpoints,
    parse_models,
};
pub use guardrails::{
    Assignee, assign_guardrail, create_guardrail, delete_guardrail, guardrail_key_hashes,
    guardrail_member_ids, list_guardrails, update_guardrail,
};
pub use management::{create_key, delete_key, get_key, list_keys, update_key};
pub use pricing::{Price, Pricing, estimate_cost};
pub use sign_in::{
    AUTH_PAGE, CHALLENGE_METHOD, CodeVerifier, ExchangeError, InvalidVerifier, IssuedKey,
    auth_page, authorization_url, exchange_code, parse_issued_key, s256_challenge,
};

/// These are small GETs; a server that has not answered in this long will not.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends a GET with the short deadline and returns the body of a 2xx answer; anything else is
/// the classified error.
async fn get_text(endpoint: &Endpoint, request: RequestBuilder) -> Result<String, ProviderError> {
    let response = crate::http::send(endpoint, request.timeout(TIMEOUT)).await?;
    response
        .text()
        .await
        .map_err(|e| crate::transport_error(&e))
}

/// An amount as it may arrive: OpenRouter writes prices as decimal strings and account amounts
/// as JSON numbers; accepting both costs nothing and survives either changing.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum WireAmount {
    Text(String),
    Number(f64),
}

/// Why an amount OpenRouter sent is not one we can count with.
#[derive(Debug, PartialEq, thiserror::Error)]
pub(crate) enum BadAmount {
    /// Text that is not a decimal.
    #[error(transparent)]
    NotDecimal(#[from] InvalidAmount),
    /// A JSON number with no exact dollar value (NaN, infinite, beyond the decimal's range).
    #[error("{0} is not a dollar amount")]
    NotDollars(f64),
    /// An account amount past [`max_amount`].
    #[error("{0} is beyond any real account amount")]
    BeyondAccount(Usd),
    /// A unit price past any real model's.
    #[error("pricing.{key}: {amount} per unit is not a real price")]
    NotAPrice {
        /// The pricing key (`prompt`, `completion`, ...).
        key: &'static str,
        /// What was sent.
        amount: Usd,
    },
    /// A pricing key whose amount did not parse.
    #[error("pricing.{key}: {cause}")]
    Pricing {
        /// The pricing key.
        key: &'static str,
        /// Why.
        cause: Box<BadAmount>,
    },
}

impl WireAmount {
    /// The exact amount, or why it is not one.
    fn to_usd(&self) -> Result<Usd, BadAmount> {
        match self {
            Self::Text(text) => Ok(Usd::parse(text)?),
            Self::Number(n) => Usd::from_json_f64(*n).ok_or(BadAmount::NotDollars(*n)),
        }
    }

    /// An account amount (balance, usage, limit): exact and within [`max_amount`].
    fn to_account_usd(&self) -> Result<Usd, BadAmount> {
        let usd = self.to_usd()?;
        let bound = max_amount();
        if usd > bound || usd < negate(bound) {
            return Err(BadAmount::BeyondAccount(usd));
        }
        Ok(usd)
    }
}

/// A trillion dollars: no account holds more, and staying under it keeps every later sum and
/// every conversion to picodollars clear of the decimal's overflow (which would panic).
fn max_amount() -> Usd {
    Usd::from_pico(1_000_000_000_000_000_000).times(1_000_000)
}

/// `-amount`, exactly.
///
/// `Usd` (in core) has `+` but no `-`, so negation goes through its exact decimal text; the
/// picodollar form is only a fallback, never reached for amounts `Usd` itself printed.
fn negate(amount: Usd) -> Usd {
    let text = amount.to_string();
    let flipped = match text.strip_prefix('-') {
        Some(positive) => Usd::parse(positive),
        None => Usd::parse(&format!("-{text}")),
    };
    flipped.unwrap_or_else(|_| Usd::from_pico(amount.to_pico().saturating_neg()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_is_exact() {
        for (text, negated) in [
            ("0.00813", "-0.00813"),
            ("-1", "1"),
            ("0", "0"),
            ("123456.000000000001", "-123456.000000000001"),
        ] {
            let usd = Usd::parse(text).unwrap();
            assert_eq!(negate(usd), Usd::parse(negated).unwrap(), "-({text})");
        }
    }

    #[test]
    fn wire_amounts_accept_strings_and_numbers_but_not_garbage() {
        let parse = |json: &str| serde_json::from_str::<WireAmount>(json).unwrap();
        assert_eq!(
            parse("\"0.000003\"").to_usd(),
            Ok(Usd::parse("0.000003").unwrap()),
            "string"
        );
        assert_eq!(
            parse("0.00813").to_usd(),
            Ok(Usd::parse("0.00813").unwrap()),
            "number"
        );
        assert!(parse("\"free\"").to_usd().is_err(), "not an amount");
        assert!(parse("1e20").to_account_usd().is_err(), "absurd balance");
        assert!(parse("-1e20").to_account_usd().is_err(), "absurd debt");
        assert!(
            parse("5e-324").to_usd().is_ok(),
            "a subnormal rounds to zero, no panic"
        );
    }
}
