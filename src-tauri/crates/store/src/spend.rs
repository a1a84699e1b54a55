//! Budgets and spend: the `budget` and `budget_alert` tables, and sums over the ledger.
//!
//! Periods and calendar groupings are computed by SQLite in local time (`'localtime'`), so a
//! "day" is the user's day and the same rule serves budgets, reports and charts.

use rusqlite::params;
use switchboard_core::{Budget, BudgetPeriod, BudgetScope, SpendGrouping, SpendRow, Usd};

use crate::{Store, StoreError, now_ms};

/// How spend by provider labels a custom provider that was removed since.
const REMOVED_PROVIDER: &str = "a removed provider";

/// How spend by client labels requests that came with no client key: the app's own and the
/// CLI's.
const NO_CLIENT: &str = "Switchboard app & CLI";

/// How spend by client labels a key whose row is gone (keys are revoked, never deleted, so
/// only a database edited by hand has one).
const REMOVED_CLIENT: &str = "a removed client key";

/// The start of every custom provider's id (`custom:<uuid>`).
const CUSTOM_ID_PREFIX: &str = "custom:";

/// Known cost, what is held for costs not known yet, and count of unknown-cost requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spent {
    /// The exact sum of known costs.
    pub cost: Usd,
    /// Worst cases held for requests whose cost is not known: those in flight (in any process
    /// on this database), and those that ended without a cost (interrupted by a crash, say)
    /// until reconciliation finds it. Hard budgets count it; reports do not.
    pub held: Usd,
    /// Finished requests whose cost is unknown.
    pub unknown: u64,
}

/// See [`Store::budgets`].
pub(crate) fn budgets(conn: &rusqlite::Connection) -> Result<Vec<Budget>, StoreError> {
    // A custom provider and a client key are known to people by name: the label comes with
    // the budget, so every message about it can name it without another lookup.
    let mut stmt = conn.prepare_cached(
        "SELECT b.id, b.name, b.scope, b.scope_value, b.period, b.limit_pico, b.alerts, b.hard,
            COALESCE(k.name, p.name)
         FROM budget b
         LEFT JOIN client_key k ON b.scope = 'client' AND k.id = b.scope_value
         LEFT JOIN custom_provider p ON b.scope = 'provider' AND p.id = b.scope_value
         ORDER BY b.created_ms, b.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let scope: String = r.get(2)?;
        let period: String = r.get(4)?;
        let alerts: String = r.get(6)?;
        Ok(Budget {
            id: r.get(0)?,
            name: r.get(1)?,
            scope: BudgetScope::parse(&scope).unwrap_or(BudgetScope::Global),
            scope_value: r.get(3)?,
            scope_label: r.get(8)?,
            period: BudgetPeriod::parse(&period).unwrap_or(BudgetPeriod::All),
            limit: Usd::from_pico(r.get(5)?),
            alerts: serde_json::from_str(&alerts).unwrap_or_default(),
            hard: r.get::<_, i64>(7)? != 0,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// See [`Store::save_budget`].
pub(crate) fn save_budget(conn: &rusqlite::Connection, b: &Budget) -> Result<(), StoreError> {
    let alerts = serde_json::to_string(&b.alerts).map_err(|e| StoreError::Corrupt {
        detail: format!("alerts do not serialize: {e}"),
    })?;
    conn.execute(
        "INSERT INTO budget (id, name, scope, scope_value, period, limit_pico, alerts, hard,
            created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, scope = excluded.scope,
           scope_value = excluded.scope_value, period = excluded.period,
           limit_pico = excluded.limit_pico, alerts = excluded.alerts, hard = excluded.hard",
        params![
            b.id,
            b.name,
            b.scope.as_str(),
            b.scope_value,
            b.period.as_str(),
            b.limit.to_pico(),
            alerts,
            i64::from(b.hard),
            now_ms()
        ],
    )?;
    Ok(())
}

/// When the period containing `at_ms` began, Unix ms, in local time; 0 for all-time.
pub(crate) fn period_start(
    conn: &rusqlite::Connection,
    period: BudgetPeriod,
    at_ms: i64,
) -> Result<i64, StoreError> {
    let modifiers = match period {
        BudgetPeriod::All => return Ok(0),
        BudgetPeriod::Day => "'start of day'",
        // `weekday 1` moves forward to a Monday; stepping back six days first lands on
        // this week's Monday (today, if it is one).
        BudgetPeriod::Week => "'start of day', '-6 days', 'weekday 1'",
        BudgetPeriod::Month => "'start of month'",
    };
    let sql = format!(
        "SELECT CAST(strftime('%s', ?1 / 1000, 'unixepoch', 'localtime', {modifiers}, 'utc')
            AS INTEGER) * 1000"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([at_ms], |r| r.get(0))?)
}

/// See [`Store::spent`].
pub(crate) fn spent(
    conn: &rusqlite::Connection,
    b: &Budget,
    since_ms: i64,
) -> Result<Spent, StoreError> {
    let column = match b.scope {
        BudgetScope::Global => None,
        BudgetScope::Provider => Some("provider_id"),
        BudgetScope::Model => Some("model"),
        BudgetScope::Agent => Some("agent"),
        BudgetScope::Conversation => Some("conversation_id"),
        BudgetScope::Client => Some("client"),
    };
    let filter = column.map_or_else(|| "1".to_owned(), |c| format!("{c} = ?2"));
    let sql = format!(
        "SELECT SUM(cost_pico),
            SUM(CASE WHEN cost_pico IS NULL THEN bound_pico END),
            SUM(cost_pico IS NULL AND outcome NOT IN ('cancelled', 'pending'))
         FROM ledger WHERE created_ms >= ?1 AND {filter}"
    );
    let read =
        |r: &rusqlite::Row<'_>| -> rusqlite::Result<(Option<i64>, Option<i64>, Option<i64>)> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        };
    let (pico, held, unknown) = match column {
        None => conn
            .prepare_cached(&sql)?
            .query_row(params![since_ms], read)?,
        Some(_) => conn.prepare_cached(&sql)?.query_row(
            params![since_ms, b.scope_value.as_deref().unwrap_or_default()],
            read,
        )?,
    };
    Ok(Spent {
        cost: Usd::from_pico(pico.unwrap_or(0)),
        held: Usd::from_pico(held.unwrap_or(0)),
        unknown: u64::try_from(unknown.unwrap_or(0)).unwrap_or(0),
    })
}

impl Store {
    /// Every budget, in the order they were created.
    pub fn budgets(&self) -> Result<Vec<Budget>, StoreError> {
        budgets(&*self.conn()?)
    }

    /// Creates or replaces a budget (by id).
    pub fn save_budget(&self, b: &Budget) -> Result<(), StoreError> {
        save_budget(&*self.config_conn()?, b)
    }

    /// Deletes a budget (and its alert history); `NotFound` if there was none.
    pub fn delete_budget(&self, id: &str) -> Result<(), StoreError> {
        let n = self
            .config_conn()?
            .execute("DELETE FROM budget WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::not_found("budget", id));
        }
        Ok(())
    }

    /// When the period containing `at_ms` began, Unix ms, in local time; 0 for all-time.
    pub fn period_start(&self, period: BudgetPeriod, at_ms: i64) -> Result<i64, StoreError> {
        period_start(&*self.conn()?, period, at_ms)
    }

    /// What the requests in a budget's scope cost since `since_ms`, and what is held for
    /// those whose cost is not known yet.
    pub fn spent(&self, b: &Budget, since_ms: i64) -> Result<Spent, StoreError> {
        spent(&*self.conn()?, b, since_ms)
    }

    /// Records that `threshold` fired for a budget's period; false if it already had.
    pub fn mark_alert(
        &self,
        budget_id: &str,
        period_start: i64,
        threshold: u8,
    ) -> Result<bool, StoreError> {
        let n = self.conn()?.execute(
            "INSERT INTO budget_alert (budget_id, period_start, threshold, fired_ms)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![budget_id, period_start, threshold, now_ms()],
        )?;
        Ok(n > 0)
    }

    /// Spend grouped by `grouping` over `[since_ms, until_ms)`; time groupings oldest first,
    /// categories costliest first.
    pub fn spend_rows(
        &self,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
    ) -> Result<Vec<SpendRow>, StoreError> {
        let local = "ledger.created_ms / 1000, 'unixepoch', 'localtime'";
        let key = match grouping {
            SpendGrouping::Day => format!("strftime('%Y-%m-%d', {local})"),
            // Keyed by the week's Monday so keys sort and read as dates.
            SpendGrouping::Week => format!("date({local}, '-6 days', 'weekday 1')"),
            SpendGrouping::Month => format!("strftime('%Y-%m', {local})"),
            SpendGrouping::Model => "model".to_owned(),
            SpendGrouping::Provider => "provider_id".to_owned(),
            SpendGrouping::Agent => "agent".to_owned(),
            SpendGrouping::Conversation => "ledger.conversation_id".to_owned(),
            SpendGrouping::Client => "ledger.client".to_owned(),
        };
        let (label, join) = match grouping {
            SpendGrouping::Conversation => (
                "MAX(conversation.title)",
                "LEFT JOIN conversation ON conversation.id = ledger.conversation_id",
            ),
            // A custom provider is shown by its name, never its `custom:<uuid>` id.
            SpendGrouping::Provider => (
                "MAX(custom_provider.name)",
                "LEFT JOIN custom_provider ON custom_provider.id = ledger.provider_id",
            ),
            // A client key by its name, a revoked one too (revoking keeps the row).
            SpendGrouping::Client => (
                "MAX(client_key.name)",
                "LEFT JOIN client_key ON client_key.id = ledger.client",
            ),
            _ => ("NULL", ""),
        };
        let order = if grouping.is_time() {
            "k"
        } else {
            "SUM(cost_pico) IS NULL, SUM(cost_pico) DESC, k"
        };
        let sql = format!(
            "SELECT {key} AS k, {label}, SUM(cost_pico),
                SUM(cost_pico IS NULL AND outcome != 'cancelled'), COUNT(*),
                SUM(prompt_tokens), SUM(completion_tokens), SUM(reasoning_tokens),
                SUM(cached_tokens)
             FROM ledger {join}
             WHERE ledger.created_ms >= ?1 AND ledger.created_ms < ?2
               AND ledger.outcome != 'pending'
             GROUP BY k ORDER BY {order}"
        );
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&sql)?;
        let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
        let rows = stmt.query_map(
            params![since_ms.unwrap_or(i64::MIN), until_ms.unwrap_or(i64::MAX)],
            |r| {
                let key: Option<String> = r.get(0)?;
                let sent_by_app = key.is_none() && grouping == SpendGrouping::Client;
                let key = key.unwrap_or_else(|| "(none)".to_owned());
                let label: Option<String> = r.get(1)?;
                let label = match label {
                    Some(label) => label,
                    None if sent_by_app => NO_CLIENT.to_owned(),
                    None if grouping == SpendGrouping::Client => REMOVED_CLIENT.to_owned(),
                    // Its row is gone, and with it the name; the id would mean nothing.
                    None if grouping == SpendGrouping::Provider
                        && key.starts_with(CUSTOM_ID_PREFIX) =>
                    {
                        REMOVED_PROVIDER.to_owned()
                    }
                    None => key.clone(),
                };
                Ok(SpendRow {
                    label,
                    key,
                    cost: Usd::from_pico(r.get::<_, Option<i64>>(2)?.unwrap_or(0)),
                    unknown_requests: n(r.get(3)?),
                    requests: n(r.get(4)?),
                    prompt_tokens: n(r.get(5)?),
                    completion_tokens: n(r.get(6)?),
                    reasoning_tokens: n(r.get(7)?),
                    cached_tokens: n(r.get(8)?),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// Local midnight at the start of `date` (`YYYY-MM-DD`), Unix ms; `None` if it is not a
    /// date.
    pub fn local_midnight_ms(&self, date: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn()?.query_row(
            "SELECT CASE WHEN date(?1) = ?1
                THEN CAST(strftime('%s', ?1, 'utc') AS INTEGER) * 1000 END",
            [date],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::{BaseUrl, CustomProvider, ProviderId, SpendGrouping};

    use crate::Store;

    #[test]
    fn spend_by_provider_names_custom_providers_and_never_shows_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(crate::DB_FILE)).unwrap();
        let local = CustomProvider {
            id: ProviderId::custom(uuid::Uuid::from_u128(1)),
            name: "Ollama on the desk".into(),
            base_url: BaseUrl::parse("http://127.0.0.1:11434/v1").unwrap(),
        };
        store.insert_custom_provider(&local).unwrap();
        let gone = ProviderId::custom(uuid::Uuid::from_u128(2));
        for (n, provider) in [
            local.id.as_str(),
            local.id.as_str(),
            gone.as_str(),
            "openrouter",
        ]
        .into_iter()
        .enumerate()
        {
            store
                .conn()
                .unwrap()
                .execute(
                    "INSERT INTO ledger (id, created_ms, provider_id, model, cost_pico,
                        cost_source, outcome)
                     VALUES (?1, 1000, ?2, 'm', 1000000, 'estimate', 'ok')",
                    rusqlite::params![format!("row-{n}"), provider],
                )
                .unwrap();
        }
        let rows = store
            .spend_rows(SpendGrouping::Provider, None, None)
            .unwrap();
        let labels: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.key.as_str(), r.label.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                (local.id.as_str(), "Ollama on the desk"),
                (gone.as_str(), "a removed provider"),
                ("openrouter", "openrouter"),
            ],
            "the key stays the id (filters use it); the label is what people read"
        );
        assert_eq!(rows[0].requests, 2, "the join does not multiply rows");
    }
}
