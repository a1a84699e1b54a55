//! The `catalogue` table: the last model list fetched per provider, so the model browser and
//! cost estimates work offline.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now_ms};

/// A cached catalogue: when it was fetched and the models as JSON (the providers crate's
/// serialized model list; the store does not interpret it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedCatalogue {
    /// Unix milliseconds of the fetch.
    pub fetched_ms: i64,
    /// The serialized models.
    pub models_json: String,
}

impl Store {
    /// Replaces the cached catalogue of `provider_id`.
    pub fn save_catalogue(&self, provider_id: &str, models_json: &str) -> Result<(), StoreError> {
        self.config_conn()?.execute(
            "INSERT INTO catalogue (provider_id, fetched_ms, models_json) VALUES (?1, ?2, ?3)
             ON CONFLICT (provider_id) DO UPDATE SET fetched_ms = excluded.fetched_ms,
                models_json = excluded.models_json",
            params![provider_id, now_ms(), models_json],
        )?;
        Ok(())
    }

    /// Forgets the cached catalogue of `provider_id` (its provider was removed, or now points
    /// at another server); false when there was none.
    pub fn delete_catalogue(&self, provider_id: &str) -> Result<bool, StoreError> {
        let n = self.config_conn()?.execute(
            "DELETE FROM catalogue WHERE provider_id = ?1",
            [provider_id],
        )?;
        Ok(n > 0)
    }

    /// The cached catalogue of `provider_id`, if one was ever fetched.
    pub fn catalogue(&self, provider_id: &str) -> Result<Option<CachedCatalogue>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT fetched_ms, models_json FROM catalogue WHERE provider_id = ?1",
                [provider_id],
                |r| {
                    Ok(CachedCatalogue {
                        fetched_ms: r.get(0)?,
                        models_json: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }
}
