//! The OpenRouter model catalogue (cached in SQLite, usable offline) and account figures.

use serde::Serialize;
use switchboard_core::{BuiltinProvider, Usd};
use switchboard_providers::openrouter_api::{self, CatalogueModel, KeyInfo};

use crate::EngineError;
use crate::chat::OPENROUTER;

/// The catalogue entry that describes and prices OpenRouter's `id`: its own, else, for a
/// routing variant (`:nitro`, `:floor`, `:exacto`, `:online`), its base model's. A `:free`
/// listing that is not in the catalogue has none (it is not the paid model).
pub(crate) fn listed<'a>(models: &'a [CatalogueModel], id: &str) -> Option<&'a CatalogueModel> {
    let find = |id: &str| models.iter().find(|m| m.id == id);
    find(id).or_else(|| find(switchboard_core::priced_as(id)?))
}

/// The catalogue as shown: the models, when they were fetched, and whether this is the cache.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    /// The models.
    pub models: Vec<CatalogueModel>,
    /// When they were fetched, Unix ms.
    pub fetched_ms: i64,
    /// True when served from the cache.
    pub from_cache: bool,
    /// Why the cache was used although a refresh was asked for (e.g. offline).
    pub notice: Option<String>,
}

impl crate::Models<'_> {
    /// The OpenRouter catalogue: from the cache unless `refresh` or there is none; a failed
    /// refresh falls back to the cache (with a notice) so the browser works offline.
    #[tracing::instrument(skip_all, fields(refresh), err(Debug))]
    pub async fn catalogue(&self, refresh: bool) -> Result<Catalogue, EngineError> {
        let cached = self
            .blocking(|inner| Ok(inner.store.catalogue(OPENROUTER)?))
            .await?;
        if !refresh
            && let Some(c) = &cached
            && let Ok(models) = serde_json::from_str::<Vec<CatalogueModel>>(&c.models_json)
        {
            return Ok(Catalogue {
                models,
                fetched_ms: c.fetched_ms,
                from_cache: true,
                notice: None,
            });
        }
        let endpoint = self
            .keys()
            .endpoint(BuiltinProvider::OpenRouter.id())
            .await?;
        match openrouter_api::fetch_models(&self.inner.http, &endpoint).await {
            Ok(models) => {
                let json = serde_json::to_string(&models).map_err(|e| EngineError::Internal {
                    context: format!("catalogue does not serialize: {e}"),
                })?;
                self.blocking(move |inner| Ok(inner.store.save_catalogue(OPENROUTER, &json)?))
                    .await?;
                Ok(Catalogue {
                    models,
                    fetched_ms: switchboard_store::now_unix_ms(),
                    from_cache: false,
                    notice: None,
                })
            }
            Err(err) => match cached
                .and_then(|c| Some((serde_json::from_str(&c.models_json).ok()?, c.fetched_ms)))
            {
                Some((models, fetched_ms)) => Ok(Catalogue {
                    models,
                    fetched_ms,
                    from_cache: true,
                    notice: Some(format!("showing the cached catalogue: {err}")),
                }),
                None => Err(err.into()),
            },
        }
    }
}

impl crate::Keys<'_> {
    /// The OpenRouter key's usage, limit, remaining credit and rate limit (`GET /key`).
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn openrouter_key(&self) -> Result<KeyInfo, EngineError> {
        let endpoint = self.endpoint(BuiltinProvider::OpenRouter.id()).await?;
        if endpoint.key.is_none() {
            return Err(EngineError::invalid(
                "no OpenRouter key: add one in Settings or set OPENROUTER_API_KEY",
            ));
        }
        Ok(openrouter_api::fetch_key(&self.inner.http, &endpoint).await?)
    }
}

impl crate::Spend<'_> {
    /// Replaces estimated costs with OpenRouter's exact ones (`GET /generation`) for up to
    /// `limit` rows; returns how many rows were updated. Rows whose generation is not yet
    /// known to OpenRouter stay estimates until a later call.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn reconcile_costs(&self, limit: u32) -> Result<u32, EngineError> {
        let ids = self
            .blocking(move |inner| {
                // Requests a process that died since left in flight become interrupted first,
                // so they are reconciled too.
                inner.store.interrupt_orphaned_requests()?;
                // OpenRouter keeps generations for a while, not forever: a month back is plenty.
                let since = switchboard_store::now_unix_ms() - 30 * 86_400_000;
                Ok(inner.store.unreconciled_generations(limit, since)?)
            })
            .await?;
        // The app polls this every minute; with nothing to reconcile, skip the preferences
        // and keychain reads the endpoint needs.
        if ids.is_empty() {
            return Ok(0);
        }
        let endpoint = self
            .keys()
            .endpoint(BuiltinProvider::OpenRouter.id())
            .await?;
        let mut updated = 0;
        for id in ids {
            let Ok(generation) =
                openrouter_api::fetch_generation(&self.inner.http, &endpoint, &id).await
            else {
                continue;
            };
            let Some(cost) = generation.total_cost else {
                continue;
            };
            let changed = self
                .blocking(move |inner| Ok(inner.store.reconcile_cost(&id, cost)?))
                .await?;
            updated += u32::from(changed);
        }
        Ok(updated)
    }

    /// The exact sum of known costs in the ledger and the number of rows of unknown cost.
    pub async fn ledger_total(&self) -> Result<(Usd, u64), EngineError> {
        self.blocking(|inner| Ok(inner.store.ledger_total()?)).await
    }

    /// The most recent ledger rows.
    pub async fn recent_requests(
        &self,
        limit: u32,
    ) -> Result<Vec<switchboard_store::LedgerEntry>, EngineError> {
        self.blocking(move |inner| Ok(inner.store.recent_requests(limit)?))
            .await
    }
}
