//! The `custom_provider` table: OpenAI-compatible servers the user added.

use rusqlite::params;
use switchboard_core::{BaseUrl, CustomProvider, ProviderId};

use crate::{Store, StoreError, now_ms};

const ENTITY: &str = "custom provider";

impl Store {
    /// All custom providers, in the order they were added.
    pub fn custom_providers(&self) -> Result<Vec<CustomProvider>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, name, base_url FROM custom_provider ORDER BY created_ms, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, name, base_url) = row?;
            Ok(CustomProvider {
                id: id.parse().map_err(|e| corrupt(&e))?,
                name,
                base_url: BaseUrl::parse(&base_url).map_err(|e| corrupt(&e))?,
            })
        })
        .collect()
    }

    /// Adds a custom provider; its name must be unique (case-insensitively).
    pub fn insert_custom_provider(&self, provider: &CustomProvider) -> Result<(), StoreError> {
        self.config_conn()?
            .execute(
                "INSERT INTO custom_provider (id, name, base_url, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![
                    provider.id.as_str(),
                    provider.name,
                    provider.base_url.as_str(),
                    now_ms()
                ],
            )
            .map_err(|e| StoreError::unique_violation(e, ENTITY, &provider.name))?;
        Ok(())
    }

    /// Renames or re-points a custom provider.
    pub fn update_custom_provider(&self, provider: &CustomProvider) -> Result<(), StoreError> {
        let changed = self
            .config_conn()?
            .execute(
                "UPDATE custom_provider SET name = ?2, base_url = ?3 WHERE id = ?1",
                params![
                    provider.id.as_str(),
                    provider.name,
                    provider.base_url.as_str()
                ],
            )
            .map_err(|e| StoreError::unique_violation(e, ENTITY, &provider.name))?;
        if changed == 0 {
            return Err(not_found(&provider.id));
        }
        Ok(())
    }

    /// Deletes a custom provider's row for good.
    pub fn delete_custom_provider(&self, id: &ProviderId) -> Result<(), StoreError> {
        let changed = self
            .config_conn()?
            .execute("DELETE FROM custom_provider WHERE id = ?1", [id.as_str()])?;
        if changed == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }
}

fn not_found(id: &ProviderId) -> StoreError {
    StoreError::NotFound {
        entity: ENTITY,
        id: id.to_string(),
    }
}

fn corrupt(err: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        detail: format!("custom_provider row: {err}"),
    }
}
