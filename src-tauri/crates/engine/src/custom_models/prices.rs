//! The prices a user gives custom providers' models (a local or self-hosted server publishes
//! none), per model or as the server's default, and what they make of a request's cost.

use switchboard_core::{ProviderId, Usd, UserPrice};
use switchboard_providers::openrouter_api::{Price, Pricing};
use switchboard_store::{DEFAULT_MODEL, ModelPriceRow};

use crate::{Engine, EngineError};

/// The most a user price may be per million tokens: far above any real model, far below
/// what would overflow a cost.
const MAX_PRICE_PER_MILLION: i64 = 1_000_000;

impl Engine {
    /// The prices a user price gives `model` at `provider`, for estimating a cost.
    pub(crate) async fn user_pricing(&self, provider: &ProviderId, model: &str) -> Option<Pricing> {
        let (id, model) = (provider.to_string(), model.to_owned());
        self.blocking(move |inner| Ok(inner.store.model_price(&id, &model)?))
            .await
            .ok()
            .flatten()
            .map(|row| pricing(&row))
    }

    pub(super) async fn price_rows(&self) -> Result<Vec<ModelPriceRow>, EngineError> {
        self.blocking(|inner| Ok(inner.store.model_prices()?)).await
    }
}

impl crate::Models<'_> {
    /// Every price the user gave, each with its provider's name.
    pub async fn prices(&self) -> Result<Vec<UserPrice>, EngineError> {
        self.blocking(|inner| {
            let customs = inner.store.custom_providers()?;
            Ok(inner
                .store
                .model_prices()?
                .into_iter()
                .filter_map(|row| {
                    let custom = customs.iter().find(|c| c.id.as_str() == row.provider_id)?;
                    Some(UserPrice {
                        provider: custom.id.clone(),
                        provider_name: custom.name.clone(),
                        model: (row.model != DEFAULT_MODEL).then_some(row.model),
                        prompt_per_million: row.prompt_per_million,
                        completion_per_million: row.completion_per_million,
                        updated_ms: row.updated_ms,
                    })
                })
                .collect())
        })
        .await
    }

    /// Sets the price of `model` at custom provider `provider`, per million tokens; `None` for
    /// the provider's default (every model of it without a price of its own). Returns every
    /// price.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn set_price(
        &self,
        provider: ProviderId,
        model: Option<String>,
        prompt_per_million: Usd,
        completion_per_million: Usd,
    ) -> Result<Vec<UserPrice>, EngineError> {
        let custom = self.custom_provider(&provider).await?;
        let model = price_model(model.as_deref())?;
        for (which, usd) in [
            ("input", prompt_per_million),
            ("output", completion_per_million),
        ] {
            check_price(which, usd)?;
        }
        let id = custom.id.to_string();
        self.blocking(move |inner| {
            Ok(inner.store.set_model_price(
                &id,
                &model,
                prompt_per_million,
                completion_per_million,
            )?)
        })
        .await?;
        self.models().prices().await
    }

    /// Removes the price of `model` at `provider` (`None`: the provider's default). Returns
    /// every price.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn remove_price(
        &self,
        provider: ProviderId,
        model: Option<String>,
    ) -> Result<Vec<UserPrice>, EngineError> {
        let custom = self.custom_provider(&provider).await?;
        let model = price_model(model.as_deref())?;
        let id = custom.id.to_string();
        self.blocking(move |inner| Ok(inner.store.delete_model_price(&id, &model)?))
            .await?;
        self.models().prices().await
    }
}

/// The stored model of a price: the model id, or [`DEFAULT_MODEL`] for the provider's default.
fn price_model(model: Option<&str>) -> Result<String, EngineError> {
    match model.map(str::trim) {
        None | Some("") => Ok(DEFAULT_MODEL.to_owned()),
        Some(DEFAULT_MODEL) => Err(EngineError::invalid(
            "\"*\" is not a model id; leave the model out to set the provider's default",
        )),
        Some(id) => Ok(id.to_owned()),
    }
}

/// Refuses a price that is negative, absurd, or finer than a millionth of a dollar per million
/// tokens (the finest that is still a whole picodollar per token, so costs stay exact).
fn check_price(which: &str, usd: Usd) -> Result<(), EngineError> {
    if usd.is_negative() {
        return Err(EngineError::invalid(format!(
            "The {which} price cannot be negative; use 0 for a free model."
        )));
    }
    if usd > Usd::from_pico(MAX_PRICE_PER_MILLION.saturating_mul(1_000_000_000_000)) {
        return Err(EngineError::invalid(format!(
            "The {which} price is over $1,000,000 per million tokens; prices are per million \
             tokens, not per token."
        )));
    }
    if usd.to_pico() % 1_000_000 != 0 {
        return Err(EngineError::invalid(format!(
            "The {which} price has more than six decimal places; give it in dollars per million \
             tokens to at most six (0.000001)."
        )));
    }
    Ok(())
}

/// USD per token from USD per million tokens: exact, since [`check_price`] allows only whole
/// picodollars per token.
fn per_token(per_million: Usd) -> Usd {
    Usd::from_pico(per_million.to_pico() / 1_000_000)
}

/// A user price as the prices a cost estimate takes: input and output, nothing else charged.
pub(super) fn pricing(row: &ModelPriceRow) -> Pricing {
    Pricing {
        prompt: Price::Known(per_token(row.prompt_per_million)),
        completion: Price::Known(per_token(row.completion_per_million)),
        ..Pricing::FREE
    }
}

/// The price that applies to `model` at `provider`: its own, else the provider's default.
pub(super) fn price_for<'a>(
    prices: &'a [ModelPriceRow],
    provider: &ProviderId,
    model: &str,
) -> Option<&'a ModelPriceRow> {
    let of = |m: &str| {
        prices
            .iter()
            .find(|p| p.provider_id == provider.as_str() && p.model == m)
    };
    of(model).or_else(|| of(DEFAULT_MODEL))
}

#[cfg(test)]
mod tests {
    use switchboard_core::Usage;
    use switchboard_providers::openrouter_api::estimate_cost;

    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn row(model: &str, prompt: &str, completion: &str) -> ModelPriceRow {
        ModelPriceRow {
            provider_id: "custom:00000000-0000-0000-0000-000000000007".into(),
            model: model.into(),
            prompt_per_million: usd(prompt),
            completion_per_million: usd(completion),
            updated_ms: 0,
        }
    }

    #[test]
    fn a_user_price_per_million_estimates_a_cost_exactly() {
        let usage = Usage {
            prompt_tokens: 1_234,
            completion_tokens: 567,
            ..Usage::default()
        };
        let cost = estimate_cost(&pricing(&row("m", "0.15", "0.6")), &usage).unwrap();
        assert_eq!(
            cost,
            usd("0.0005253"),
            "1234 × 0.15e-6 + 567 × 0.6e-6, no float"
        );
        let free = estimate_cost(&pricing(&row("*", "0", "0")), &usage).unwrap();
        assert_eq!(free, Usd::ZERO, "$0 is a real estimate, not unknown");
    }

    #[test]
    fn prices_are_checked_before_they_are_kept() {
        assert!(check_price("input", usd("0.000001")).is_ok());
        assert!(check_price("input", usd("1000000")).is_ok());
        for bad in ["-0.5", "1000000.000001", "0.0000001"] {
            let err = check_price("input", usd(bad)).unwrap_err().info();
            assert!(
                err.message.starts_with("The input price"),
                "{bad}: {}",
                err.message
            );
        }
        assert_eq!(price_model(None).unwrap(), "*");
        assert_eq!(price_model(Some("  llama3 ")).unwrap(), "llama3");
        assert!(price_model(Some("*")).is_err(), "* is reserved");
    }
}
