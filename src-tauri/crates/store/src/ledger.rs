//! The `ledger` table: one row per request, the single source for totals, budgets and charts.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use switchboard_core::{Usage, Usd};

use crate::{Store, StoreError, now_ms};

/// Where a row's cost came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The provider said what it charged (OpenRouter's `usage.cost`, or `/generation`).
    Provider,
    /// Tokens × catalogue or price-table prices; labelled as an estimate everywhere.
    Estimate,
    /// Neither applies (variable pricing, unknown model); never summed as zero.
    Unknown,
    /// The provider answered with an error and reported no usage: nothing was billed, so the
    /// row costs $0, said as such rather than as an unknown cost.
    NotBilled,
}

impl CostSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Estimate => "estimate",
            Self::Unknown => "unknown",
            Self::NotBilled => "not_billed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "provider" => Self::Provider,
            "estimate" => Self::Estimate,
            "not_billed" => Self::NotBilled,
            _ => Self::Unknown,
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not ended yet: reserved and (about to be) sent. Its worst-case cost is held against
    /// budgets until it settles; a crash leaves it for the next start to mark interrupted.
    Pending,
    /// A complete answer.
    Ok,
    /// It failed (before or during the answer).
    Error,
    /// The user stopped it.
    Cancelled,
    /// The app died mid-stream; what arrived was kept.
    Interrupted,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Cancelled => "cancelled",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "pending" => Self::Pending,
            "ok" => Self::Ok,
            "cancelled" => Self::Cancelled,
            "interrupted" => Self::Interrupted,
            _ => Self::Error,
        }
    }
}

/// One request's accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// Row id (a UUID v7, so ids sort by time).
    pub id: String,
    /// When the request started, Unix milliseconds.
    pub created_ms: i64,
    /// Our provider id (`openrouter`, `custom:…`).
    pub provider_id: String,
    /// The model asked for.
    pub model: String,
    /// The model that served (differs after an OpenRouter `models[]` fallback).
    pub served_model: Option<String>,
    /// The upstream provider that served (OpenRouter's `provider`).
    pub served_by: Option<String>,
    /// The provider's generation id (`gen-…`), for reconciliation.
    pub generation_id: Option<String>,
    /// Which key served, by label (never the key itself).
    pub key_label: Option<String>,
    /// Token counts and the provider's cost as reported.
    pub usage: Usage,
    /// The cost recorded for this row (None = unknown).
    pub cost: Option<Usd>,
    /// Where `cost` came from.
    pub cost_source: CostSource,
    /// Time to first token, ms.
    pub ttft_ms: Option<u64>,
    /// Total time, ms.
    pub latency_ms: Option<u64>,
    /// How it ended.
    pub outcome: Outcome,
    /// The finish reason, when one came.
    pub finish_reason: Option<String>,
    /// The error code, when it failed.
    pub error_code: Option<String>,
    /// The route that chose this target, for a routed request.
    pub route: Option<String>,
    /// Groups the attempts of one routed request.
    pub request_id: Option<String>,
    /// Which attempt of its request this was (1 = first).
    pub attempt: Option<u32>,
    /// The conversation it answered, for chat requests.
    pub conversation_id: Option<String>,
    /// The agent that sent it.
    pub agent: Option<String>,
    /// The worst case held against budgets while the request is in flight (and, for a row
    /// interrupted before its cost was known, until it is reconciled).
    pub bound: Option<Usd>,
}

/// One past request to a target, as the router's figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHistory {
    /// Our provider id.
    pub provider_id: String,
    /// The model asked for.
    pub model: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Time to first token, ms.
    pub ttft_ms: Option<u64>,
    /// Total time, ms.
    pub latency_ms: Option<u64>,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Its cost, when known.
    pub cost: Option<Usd>,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// Appends a finished request's row to the ledger.
    pub fn record_request(&self, entry: &LedgerEntry) -> Result<(), StoreError> {
        insert(&*self.conn()?, entry, None, None)
    }

    /// The most recent rows, newest first.
    pub fn recent_requests(&self, limit: u32) -> Result<Vec<LedgerEntry>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, created_ms, provider_id, model, served_model, served_by, generation_id,
                key_label, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens,
                reasoning_tokens, cost_pico, cost_source, ttft_ms, latency_ms, outcome,
                finish_reason, error_code, route, request_id, attempt, conversation_id, agent,
                bound_pico, byok, upstream_cost_pico
             FROM ledger ORDER BY created_ms DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(LedgerEntry {
                id: r.get(0)?,
                created_ms: r.get(1)?,
                provider_id: r.get(2)?,
                model: r.get(3)?,
                served_model: r.get(4)?,
                served_by: r.get(5)?,
                generation_id: r.get(6)?,
                key_label: r.get(7)?,
                usage: Usage {
                    prompt_tokens: to_u64(r.get(8)?),
                    completion_tokens: to_u64(r.get(9)?),
                    cached_tokens: to_u64(r.get(10)?),
                    cache_write_tokens: to_u64(r.get(11)?),
                    reasoning_tokens: to_u64(r.get(12)?),
                    cost: None,
                    is_byok: r.get(26)?,
                    upstream_cost: r.get::<_, Option<i64>>(27)?.map(Usd::from_pico),
                },
                cost: r.get::<_, Option<i64>>(13)?.map(Usd::from_pico),
                cost_source: CostSource::parse(&r.get::<_, String>(14)?),
                ttft_ms: r.get::<_, Option<i64>>(15)?.map(to_u64),
                latency_ms: r.get::<_, Option<i64>>(16)?.map(to_u64),
                outcome: Outcome::parse(&r.get::<_, String>(17)?),
                finish_reason: r.get(18)?,
                error_code: r.get(19)?,
                route: r.get(20)?,
                request_id: r.get(21)?,
                attempt: r.get(22)?,
                conversation_id: r.get(23)?,
                agent: r.get(24)?,
                bound: r.get::<_, Option<i64>>(25)?.map(Usd::from_pico),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Requests since `since_ms` (Unix ms), oldest first, at most `per_target` per
    /// (provider, model): the router's figures survive a restart. Cancelled and interrupted
    /// requests say nothing about a target's health and are left out.
    pub fn target_history(
        &self,
        since_ms: i64,
        per_target: u32,
    ) -> Result<Vec<TargetHistory>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT provider_id, model, outcome, ttft_ms, latency_ms, completion_tokens, cost_pico
             FROM (
               SELECT *, ROW_NUMBER() OVER (
                 PARTITION BY provider_id, model ORDER BY created_ms DESC) AS recent
               FROM ledger
               WHERE created_ms >= ?1 AND outcome IN ('ok', 'error'))
             WHERE recent <= ?2
             ORDER BY created_ms, id",
        )?;
        let rows = stmt.query_map(params![since_ms, per_target], |r| {
            Ok(TargetHistory {
                provider_id: r.get(0)?,
                model: r.get(1)?,
                ok: r.get::<_, String>(2)? == "ok",
                ttft_ms: r.get::<_, Option<i64>>(3)?.map(to_u64),
                latency_ms: r.get::<_, Option<i64>>(4)?.map(to_u64),
                completion_tokens: to_u64(r.get(5)?),
                cost: r.get::<_, Option<i64>>(6)?.map(Usd::from_pico),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The exact sum of known costs, and how many rows have an unknown cost (kept apart, never
    /// counted as zero).
    pub fn ledger_total(&self) -> Result<(Usd, u64), StoreError> {
        let (pico, unknown): (Option<i64>, i64) = self.conn()?.query_row(
            "SELECT SUM(cost_pico), SUM(cost_pico IS NULL AND outcome != 'pending') FROM ledger",
            [],
            |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0))),
        )?;
        Ok((Usd::from_pico(pico.unwrap_or(0)), to_u64(unknown)))
    }

    /// Replaces an estimated (or unknown) cost with the provider's exact one, found later by
    /// generation id. Returns whether a row changed. A provider-sourced cost is never replaced.
    pub fn reconcile_cost(&self, generation_id: &str, cost: Usd) -> Result<bool, StoreError> {
        let changed = self.conn()?.execute(
            "UPDATE ledger SET cost_pico = ?2, cost_source = 'provider'
             WHERE generation_id = ?1 AND cost_source != 'provider' AND outcome != 'pending'",
            params![generation_id, cost.to_pico()],
        )?;
        Ok(changed > 0)
    }

    /// OpenRouter rows since `since_ms` whose cost is still an estimate or unknown but which
    /// have a generation id, newest first (so rows OpenRouter never learns about cannot starve
    /// the rest).
    pub fn unreconciled_generations(
        &self,
        limit: u32,
        since_ms: i64,
    ) -> Result<Vec<String>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT generation_id FROM ledger
             WHERE generation_id IS NOT NULL AND cost_source != 'provider'
               AND outcome != 'pending' AND provider_id = 'openrouter' AND created_ms >= ?2
             ORDER BY created_ms DESC LIMIT ?1",
        )?;
        let ids = stmt.query_map(params![limit, since_ms], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The ledger row for a generation id, if any.
    pub fn request_by_generation(&self, generation_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT id FROM ledger WHERE generation_id = ?1",
                [generation_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// Inserts `entry` as a new row, owned by `session` while it is pending, sent by `client` (a
/// client key's id; `None` for the app and the CLI).
pub(crate) fn insert(
    conn: &rusqlite::Connection,
    entry: &LedgerEntry,
    session: Option<&str>,
    client: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ledger (id, created_ms, provider_id, model, served_model, served_by,
            generation_id, key_label, prompt_tokens, completion_tokens, cached_tokens,
            cache_write_tokens, reasoning_tokens, cost_pico, cost_source, ttft_ms, latency_ms,
            outcome, finish_reason, error_code, route, request_id, attempt, conversation_id,
            agent, bound_pico, session, client, byok, upstream_cost_pico)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?
    .execute(params![
        entry.id,
        entry.created_ms,
        entry.provider_id,
        entry.model,
        entry.served_model,
        entry.served_by,
        entry.generation_id,
        entry.key_label,
        to_i64(entry.usage.prompt_tokens),
        to_i64(entry.usage.completion_tokens),
        to_i64(entry.usage.cached_tokens),
        to_i64(entry.usage.cache_write_tokens),
        to_i64(entry.usage.reasoning_tokens),
        entry.cost.map(Usd::to_pico),
        entry.cost_source.as_str(),
        entry.ttft_ms.map(to_i64),
        entry.latency_ms.map(to_i64),
        entry.outcome.as_str(),
        entry.finish_reason,
        entry.error_code,
        entry.route,
        entry.request_id,
        entry.attempt,
        entry.conversation_id,
        entry.agent,
        entry.bound.map(Usd::to_pico),
        session,
        client,
        entry.usage.is_byok,
        entry.usage.upstream_cost.map(Usd::to_pico),
    ])?;
    Ok(())
}

/// Rewrites a pending row with how its request ended; `false` if there was no such row.
pub(crate) fn settle(conn: &rusqlite::Connection, entry: &LedgerEntry) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE ledger SET served_model = ?2, served_by = ?3,
            generation_id = COALESCE(?4, generation_id), key_label = ?5, prompt_tokens = ?6,
            completion_tokens = ?7, cached_tokens = ?8, cache_write_tokens = ?9,
            reasoning_tokens = ?10, cost_pico = ?11, cost_source = ?12, ttft_ms = ?13,
            latency_ms = ?14, outcome = ?15, finish_reason = ?16, error_code = ?17,
            byok = ?18, upstream_cost_pico = ?19, session = NULL
         WHERE id = ?1",
        )?
        .execute(params![
            entry.id,
            entry.served_model,
            entry.served_by,
            entry.generation_id,
            entry.key_label,
            to_i64(entry.usage.prompt_tokens),
            to_i64(entry.usage.completion_tokens),
            to_i64(entry.usage.cached_tokens),
            to_i64(entry.usage.cache_write_tokens),
            to_i64(entry.usage.reasoning_tokens),
            entry.cost.map(Usd::to_pico),
            entry.cost_source.as_str(),
            entry.ttft_ms.map(to_i64),
            entry.latency_ms.map(to_i64),
            entry.outcome.as_str(),
            entry.finish_reason,
            entry.error_code,
            entry.usage.is_byok,
            entry.usage.upstream_cost.map(Usd::to_pico),
        ])?;
    Ok(n > 0)
}

/// The current time in Unix milliseconds (for callers building entries).
pub fn now_unix_ms() -> i64 {
    now_ms()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{DB_FILE, Store};

    fn row(id: &str, cost: &str, upstream: Option<&str>, outcome: Outcome) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            created_ms: 1,
            provider_id: "openrouter".into(),
            model: "openai/gpt-4o-mini".into(),
            served_model: None,
            served_by: None,
            generation_id: None,
            key_label: None,
            usage: Usage {
                prompt_tokens: 20,
                completion_tokens: 2,
                is_byok: upstream.is_some(),
                upstream_cost: upstream.map(|u| Usd::parse(u).unwrap()),
                ..Usage::default()
            },
            cost: Some(Usd::parse(cost).unwrap()),
            cost_source: CostSource::Provider,
            ttft_ms: None,
            latency_ms: None,
            outcome,
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
    fn a_byok_row_keeps_its_upstream_cost_apart_from_the_total() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        store
            .record_request(&row("byok", "0.00000021", Some("0.0000042"), Outcome::Ok))
            .unwrap();
        store
            .record_request(&row("shared", "0.000003", None, Outcome::Ok))
            .unwrap();
        // A routed request is reserved pending, then settled: the settle writes BYOK too.
        let pending = row("routed", "0", None, Outcome::Pending);
        store.record_request(&pending).unwrap();
        let mut settled = row("routed", "0.000001", Some("0.00002"), Outcome::Ok);
        settled.cost_source = CostSource::Provider;
        assert!(settle(&store.conn().unwrap(), &settled).unwrap());

        let rows = store.recent_requests(10).unwrap();
        let find = |id: &str| rows.iter().find(|r| r.id == id).unwrap().usage.clone();
        assert!(find("byok").is_byok);
        assert_eq!(
            find("byok").upstream_cost,
            Some(Usd::parse("0.0000042").unwrap())
        );
        assert!(!find("shared").is_byok);
        assert_eq!(find("shared").upstream_cost, None);
        assert_eq!(
            find("routed").upstream_cost,
            Some(Usd::parse("0.00002").unwrap()),
            "settling keeps the upstream cost"
        );
        let (total, unknown) = store.ledger_total().unwrap();
        assert_eq!(
            total,
            Usd::parse("0.00000421").unwrap(),
            "the total is what OpenRouter charged, no upstream cost in it"
        );
        assert_eq!(unknown, 0);
    }
}
