//! What this machine booked per key and per UTC day, for comparing with OpenRouter's own
//! figures (team mode). Days are UTC here, unlike the reports' local days, because OpenRouter
//! counts usage and resets key limits by UTC day.

use rusqlite::params;
use switchboard_core::Usd;

use crate::{Store, StoreError};

/// One key's requests to one provider on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDaySpend {
    /// The ledger's label for the key (`keychain ••••abcd`, `keychain team ••••abcd`,
    /// `env OPENROUTER_API_KEY ••••abcd`); never the key.
    pub key_label: String,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The exact sum of known costs.
    pub cost: Usd,
    /// Requests sent.
    pub requests: u64,
    /// Of those, still in flight.
    pub pending: u64,
    /// Of those, finished with no known cost.
    pub unknown: u64,
    /// Of those, with a cost estimated from prices rather than reported.
    pub estimated: u64,
}

impl Store {
    /// What requests to `provider_id` cost per key label and UTC day over
    /// `[since_ms, until_ms)`; rows without a key label are left out. Oldest day first.
    pub fn spend_by_key_and_utc_day(
        &self,
        provider_id: &str,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<KeyDaySpend>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT key_label, strftime('%Y-%m-%d', created_ms / 1000, 'unixepoch') AS day,
                SUM(cost_pico), COUNT(*), SUM(outcome = 'pending'),
                SUM(cost_pico IS NULL AND outcome NOT IN ('pending', 'cancelled')),
                SUM(cost_source = 'estimate' AND cost_pico IS NOT NULL)
             FROM ledger
             WHERE provider_id = ?1 AND created_ms >= ?2 AND created_ms < ?3
               AND key_label IS NOT NULL
             GROUP BY key_label, day ORDER BY day, key_label",
        )?;
        let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
        let rows = stmt.query_map(params![provider_id, since_ms, until_ms], |r| {
            Ok(KeyDaySpend {
                key_label: r.get(0)?,
                day: r.get(1)?,
                cost: Usd::from_pico(r.get::<_, Option<i64>>(2)?.unwrap_or(0)),
                requests: n(r.get(3)?),
                pending: n(r.get(4)?),
                unknown: n(r.get(5)?),
                estimated: n(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::{Usage, Usd};

    use crate::{CostSource, LedgerEntry, Outcome, Store};

    fn row(id: &str, at_ms: i64, label: Option<&str>, cost: Option<&str>) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            created_ms: at_ms,
            provider_id: "openrouter".into(),
            model: "openai/gpt-4o-mini".into(),
            served_model: None,
            served_by: None,
            generation_id: None,
            key_label: label.map(str::to_owned),
            usage: Usage::default(),
            cost: cost.map(|c| Usd::parse(c).unwrap()),
            cost_source: if cost.is_some() {
                CostSource::Provider
            } else {
                CostSource::Unknown
            },
            ttft_ms: None,
            latency_ms: None,
            outcome: Outcome::Ok,
            finish_reason: None,
            error_code: None,
            route: None,
            request_id: None,
            attempt: None,
            conversation_id: None,
            agent: None,
            bound: None,
        }
    }

    #[test]
    fn spend_is_summed_exactly_per_key_and_utc_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(crate::DB_FILE)).unwrap();
        // 2026-03-01T23:59:59Z and 2026-03-02T00:00:00Z: either side of a UTC midnight.
        let late = 1_772_409_599_000;
        let early = late + 1_000;
        let a = Some("keychain ••••aaaa");
        for entry in [
            row("1", late, a, Some("0.1")),
            row("2", late, a, Some("0.2")),
            row("3", early, a, Some("0.000003")),
            row("4", early, a, None),
            row("5", early, Some("keychain team ••••bbbb"), Some("1")),
            row("6", early, None, Some("5")),
        ] {
            store.record_request(&entry).unwrap();
        }
        let mut other = row("7", early, a, Some("9"));
        other.provider_id = "openai".into();
        store.record_request(&other).unwrap();

        let rows = store
            .spend_by_key_and_utc_day("openrouter", late, early + 1)
            .unwrap();
        let view: Vec<(&str, &str, String, u64, u64)> = rows
            .iter()
            .map(|r| {
                (
                    r.key_label.as_str(),
                    r.day.as_str(),
                    r.cost.to_string(),
                    r.requests,
                    r.unknown,
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                ("keychain ••••aaaa", "2026-03-01", "0.3".to_owned(), 2, 0),
                ("keychain team ••••bbbb", "2026-03-02", "1".to_owned(), 1, 0),
                (
                    "keychain ••••aaaa",
                    "2026-03-02",
                    "0.000003".to_owned(),
                    2,
                    1
                ),
            ],
            "no label, other providers and the end of the range are left out"
        );
    }
}
