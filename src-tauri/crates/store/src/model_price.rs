//! The `model_price` table: prices the user gives for models whose provider publishes none (a
//! local or self-hosted OpenAI-compatible server), so their costs are estimates rather than
//! unknown. Prices are USD per million tokens, stored as integer picodollars; the model
//! [`DEFAULT_MODEL`] (`*`) holds the provider's default for its models without a row of their
//! own ("every model of this server: $0").

use rusqlite::{OptionalExtension, params};
use switchboard_core::Usd;

use crate::{Store, StoreError, now_ms};

/// The `model` of a provider-wide default price.
pub const DEFAULT_MODEL: &str = "*";

/// One price the user gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPriceRow {
    /// The provider's id (`custom:<uuid>`).
    pub provider_id: String,
    /// The model id, or [`DEFAULT_MODEL`] for the provider's default.
    pub model: String,
    /// USD per million input tokens.
    pub prompt_per_million: Usd,
    /// USD per million output tokens.
    pub completion_per_million: Usd,
    /// When it was last set, Unix ms.
    pub updated_ms: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ModelPriceRow> {
    Ok(ModelPriceRow {
        provider_id: r.get(0)?,
        model: r.get(1)?,
        prompt_per_million: Usd::from_pico(r.get(2)?),
        completion_per_million: Usd::from_pico(r.get(3)?),
        updated_ms: r.get(4)?,
    })
}

impl Store {
    /// Every price the user gave: by provider, each provider's default first, then by model.
    pub fn model_prices(&self) -> Result<Vec<ModelPriceRow>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT provider_id, model, prompt_pico, completion_pico, updated_ms FROM model_price
             ORDER BY provider_id, model != '*', model",
        )?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The price that applies to `model` at `provider_id`: the model's own, else the
    /// provider's default, else none.
    pub fn model_price(
        &self,
        provider_id: &str,
        model: &str,
    ) -> Result<Option<ModelPriceRow>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT provider_id, model, prompt_pico, completion_pico, updated_ms
                 FROM model_price WHERE provider_id = ?1 AND model IN (?2, '*')
                 ORDER BY model = '*' LIMIT 1",
                params![provider_id, model],
                row,
            )
            .optional()?)
    }

    /// Sets (or replaces) the price of `model` at `provider_id` ([`DEFAULT_MODEL`] for the
    /// provider's default). Negative prices are refused by the table.
    pub fn set_model_price(
        &self,
        provider_id: &str,
        model: &str,
        prompt_per_million: Usd,
        completion_per_million: Usd,
    ) -> Result<(), StoreError> {
        self.config_conn()?.execute(
            "INSERT INTO model_price (provider_id, model, prompt_pico, completion_pico, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (provider_id, model) DO UPDATE SET prompt_pico = excluded.prompt_pico,
                completion_pico = excluded.completion_pico, updated_ms = excluded.updated_ms",
            params![
                provider_id,
                model,
                prompt_per_million.to_pico(),
                completion_per_million.to_pico(),
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Removes the price of `model` at `provider_id`; false when there was none.
    pub fn delete_model_price(&self, provider_id: &str, model: &str) -> Result<bool, StoreError> {
        let n = self.config_conn()?.execute(
            "DELETE FROM model_price WHERE provider_id = ?1 AND model = ?2",
            params![provider_id, model],
        )?;
        Ok(n > 0)
    }

    /// Removes every price of `provider_id` (the provider itself was removed).
    pub fn delete_model_prices(&self, provider_id: &str) -> Result<u64, StoreError> {
        let n = self.config_conn()?.execute(
            "DELETE FROM model_price WHERE provider_id = ?1",
            [provider_id],
        )?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    /// A text that changes whenever a cached model list (any provider's, in `catalogue`) is
    /// fetched or removed, or a user price is set or removed, and only then: what the router's
    /// model facts are built from, so they are rebuilt exactly when it changes, whichever
    /// process (the app or the CLI) changed it.
    pub fn model_facts_stamp(&self) -> Result<String, StoreError> {
        Ok(self
            .conn()?
            .prepare_cached(
                "SELECT COALESCE((SELECT group_concat(provider_id || ' ' || fetched_ms, ';')
                    FROM (SELECT provider_id, fetched_ms FROM catalogue ORDER BY provider_id)), '')
                || '|' ||
                COALESCE((SELECT group_concat(provider_id || ' ' || model || ' ' || prompt_pico
                    || ' ' || completion_pico, ';')
                    FROM (SELECT * FROM model_price ORDER BY provider_id, model)), '')",
            )?
            .query_row([], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: &str = "custom:0190f3c4-7b1a-7cc2-9d5e-3f1a2b3c4d5e";
    const OTHER: &str = "custom:0190f3c4-7b1a-7cc2-9d5e-000000000001";

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(crate::DB_FILE)).unwrap();
        (dir, store)
    }

    fn prices(row: Option<ModelPriceRow>) -> Option<(String, Usd, Usd)> {
        row.map(|r| (r.model, r.prompt_per_million, r.completion_per_million))
    }

    #[test]
    fn a_model_price_wins_over_the_provider_default_which_covers_the_rest() {
        let (_dir, s) = store();
        assert_eq!(s.model_price(LOCAL, "llama3.2").unwrap(), None, "none yet");
        s.set_model_price(LOCAL, DEFAULT_MODEL, Usd::ZERO, Usd::ZERO)
            .unwrap();
        s.set_model_price(LOCAL, "llama3.2", usd("0.15"), usd("0.6"))
            .unwrap();
        assert_eq!(
            prices(s.model_price(LOCAL, "llama3.2").unwrap()),
            Some(("llama3.2".into(), usd("0.15"), usd("0.6"))),
            "the model's own price"
        );
        assert_eq!(
            prices(s.model_price(LOCAL, "qwen2.5").unwrap()),
            Some(("*".into(), Usd::ZERO, Usd::ZERO)),
            "the provider's default: a real $0, not unknown"
        );
        assert_eq!(
            s.model_price(OTHER, "llama3.2").unwrap(),
            None,
            "prices are per provider"
        );
    }

    #[test]
    fn prices_are_exact_replaced_in_place_and_removed() {
        let (_dir, s) = store();
        s.set_model_price(LOCAL, "m", usd("0.000001"), usd("123456.789"))
            .unwrap();
        s.set_model_price(LOCAL, "m", usd("1.25"), usd("2.5"))
            .unwrap();
        s.set_model_price(OTHER, DEFAULT_MODEL, usd("3"), usd("15"))
            .unwrap();
        s.set_model_price(LOCAL, DEFAULT_MODEL, usd("0"), usd("0"))
            .unwrap();
        let all = s.model_prices().unwrap();
        let listed: Vec<(&str, &str)> = all
            .iter()
            .map(|r| (r.provider_id.as_str(), r.model.as_str()))
            .collect();
        assert_eq!(
            listed,
            [(OTHER, "*"), (LOCAL, "*"), (LOCAL, "m")],
            "one row per model, the default first"
        );
        assert_eq!(
            (all[2].prompt_per_million, all[2].completion_per_million),
            (usd("1.25"), usd("2.5")),
            "replaced, exactly"
        );
        assert!(s.delete_model_price(LOCAL, "m").unwrap());
        assert!(!s.delete_model_price(LOCAL, "m").unwrap(), "already gone");
        assert_eq!(s.delete_model_prices(OTHER).unwrap(), 1);
        assert_eq!(s.model_prices().unwrap().len(), 1);
    }

    #[test]
    fn a_negative_price_is_refused_and_nothing_changes() {
        let (_dir, s) = store();
        s.set_model_price(LOCAL, "m", usd("1"), usd("2")).unwrap();
        assert!(s.set_model_price(LOCAL, "m", usd("-1"), usd("2")).is_err());
        assert_eq!(
            prices(s.model_price(LOCAL, "m").unwrap()),
            Some(("m".into(), usd("1"), usd("2")))
        );
    }

    #[test]
    fn the_stamp_changes_with_catalogues_and_prices_and_only_then() {
        let (_dir, s) = store();
        let empty = s.model_facts_stamp().unwrap();
        assert_eq!(s.model_facts_stamp().unwrap(), empty, "stable when idle");
        s.save_catalogue(LOCAL, "[]").unwrap();
        let cached = s.model_facts_stamp().unwrap();
        assert_ne!(cached, empty, "a fetched model list");
        s.set_model_price(LOCAL, "m", usd("1"), usd("2")).unwrap();
        let priced = s.model_facts_stamp().unwrap();
        assert_ne!(priced, cached, "a new price");
        s.set_model_price(LOCAL, "m", usd("1"), usd("3")).unwrap();
        let repriced = s.model_facts_stamp().unwrap();
        assert_ne!(repriced, priced, "a changed price");
        s.delete_model_price(LOCAL, "m").unwrap();
        assert_eq!(s.model_facts_stamp().unwrap(), cached, "a removed price");
    }
}
