//! The `provider_key` table: which further keys a provider has (by label; the secrets are in
//! the OS keychain) and which keys the provider refused.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now_ms};

/// The label of a provider's main key.
pub const MAIN_KEY: &str = "default";

/// A key's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// `default` for the main key, else the user's label.
    pub label: String,
    /// Why the provider refused it, while it is disabled.
    pub disabled: Option<String>,
}

impl Store {
    /// The further keys of `provider` in the order they were added (not the main key).
    pub fn extra_keys(&self, provider: &str) -> Result<Vec<KeyRow>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT label, disabled_reason FROM provider_key
             WHERE provider_id = ?1 AND label != ?2 ORDER BY created_ms, label",
        )?;
        let rows = stmt.query_map(params![provider, MAIN_KEY], |r| {
            Ok(KeyRow {
                label: r.get(0)?,
                disabled: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a further key; `Duplicate` if the label is taken.
    pub fn add_extra_key(&self, provider: &str, label: &str) -> Result<(), StoreError> {
        let inserted = self.config_conn()?.execute(
            "INSERT INTO provider_key (provider_id, label, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![provider, label, now_ms()],
        )?;
        if inserted == 0 {
            return Err(StoreError::Duplicate {
                entity: "key label",
                name: label.to_owned(),
            });
        }
        Ok(())
    }

    /// Forgets a further key (or a main key's disabled state).
    pub fn remove_key_row(&self, provider: &str, label: &str) -> Result<(), StoreError> {
        self.config_conn()?.execute(
            "DELETE FROM provider_key WHERE provider_id = ?1 AND label = ?2",
            params![provider, label],
        )?;
        Ok(())
    }

    /// Marks a key refused, with the provider's reason.
    pub fn disable_key(&self, provider: &str, label: &str, reason: &str) -> Result<(), StoreError> {
        self.config_conn()?.execute(
            "INSERT INTO provider_key (provider_id, label, created_ms, disabled_reason, disabled_ms)
             VALUES (?1, ?2, ?3, ?4, ?3)
             ON CONFLICT (provider_id, label) DO UPDATE
               SET disabled_reason = excluded.disabled_reason, disabled_ms = excluded.disabled_ms",
            params![provider, label, now_ms(), reason],
        )?;
        Ok(())
    }

    /// Uses a key again (after it was replaced, or the user says it works now).
    pub fn enable_key(&self, provider: &str, label: &str) -> Result<(), StoreError> {
        let conn = self.config_conn()?;
        if label == MAIN_KEY {
            conn.execute(
                "DELETE FROM provider_key WHERE provider_id = ?1 AND label = ?2",
                params![provider, label],
            )?;
        } else {
            conn.execute(
                "UPDATE provider_key SET disabled_reason = NULL, disabled_ms = NULL
                 WHERE provider_id = ?1 AND label = ?2",
                params![provider, label],
            )?;
        }
        Ok(())
    }

    /// Why the provider refused a key, if it did.
    pub fn key_disabled(&self, provider: &str, label: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT disabled_reason FROM provider_key WHERE provider_id = ?1 AND label = ?2",
                params![provider, label],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }
}
