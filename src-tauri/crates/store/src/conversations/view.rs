//! Loading a conversation as the Chat screen shows it: the displayed path, each turn's
//! versions, each column's displayed attempt, and exact totals.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row};
use switchboard_core::{
    AnswerId, AnswerStats, AnswerStatus, AnswerView, Citation, ColumnView, ConversationId,
    ConversationView, ProviderId, Thumb, TurnId, TurnView, Usd,
};

use super::path::displayed_path;
use super::{from_json, not_found, parse_status, read_columns};
use crate::{Store, StoreError};

/// The stats columns, aliased `a` (answer) and `l` (its ledger row, LEFT JOINed).
/// After the status come where the request went and how many were sent for the answer.
pub(crate) const STATS_COLUMNS: &str = "l.id, l.prompt_tokens, l.completion_tokens,
    l.reasoning_tokens, l.cached_tokens, l.cost_pico, l.cost_source, l.ttft_ms, l.latency_ms,
    l.served_by, l.served_model, a.stats_json, a.status, l.provider_id, l.route,
    (SELECT count(*) FROM ledger x WHERE x.request_id = l.request_id AND x.outcome != 'pending'),
    (SELECT name FROM custom_provider p WHERE p.id = l.provider_id), l.byok,
    l.upstream_cost_pico";

/// An answer's numbers as read, before choosing the ledger row or the recorded stats.
pub(crate) struct RawStats {
    ledger_id: Option<String>,
    tokens: [i64; 4],
    cost_pico: Option<i64>,
    cost_source: Option<String>,
    ttft_ms: Option<i64>,
    latency_ms: Option<i64>,
    served_by: Option<String>,
    model: Option<String>,
    stats_json: Option<String>,
    status: AnswerStatus,
    provider: Option<String>,
    route: Option<String>,
    sent: i64,
    custom_name: Option<String>,
    byok: Option<bool>,
    upstream_cost_pico: Option<i64>,
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl RawStats {
    pub(crate) fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Self::read_at(r, 0)
    }

    pub(crate) fn read_at(r: &Row<'_>, at: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            ledger_id: r.get(at)?,
            tokens: [
                r.get::<_, Option<i64>>(at + 1)?.unwrap_or(0),
                r.get::<_, Option<i64>>(at + 2)?.unwrap_or(0),
                r.get::<_, Option<i64>>(at + 3)?.unwrap_or(0),
                r.get::<_, Option<i64>>(at + 4)?.unwrap_or(0),
            ],
            cost_pico: r.get(at + 5)?,
            cost_source: r.get(at + 6)?,
            ttft_ms: r.get(at + 7)?,
            latency_ms: r.get(at + 8)?,
            served_by: r.get(at + 9)?,
            model: r.get(at + 10)?,
            stats_json: r.get(at + 11)?,
            status: parse_status(&r.get::<_, String>(at + 12)?),
            provider: r.get(at + 13)?,
            route: r.get(at + 14)?,
            sent: r.get(at + 15)?,
            custom_name: r.get(at + 16)?,
            byok: r.get(at + 17)?,
            upstream_cost_pico: r.get(at + 18)?,
        })
    }

    pub(crate) fn into_stats(self) -> Result<AnswerStats, StoreError> {
        if self.ledger_id.is_none() {
            return match &self.stats_json {
                Some(json) => from_json("recorded answer stats", json),
                // Failed or stopped with no request recorded: refused before sending (a
                // budget, no key, a limit) or stopped while waiting. It cost nothing.
                None if matches!(self.status, AnswerStatus::Failed | AnswerStatus::Cancelled) => {
                    Ok(AnswerStats {
                        cost: Some(Usd::ZERO),
                        cost_source: "not_sent".into(),
                        ..AnswerStats::default()
                    })
                }
                None => Ok(AnswerStats {
                    cost_source: "unknown".into(),
                    ..AnswerStats::default()
                }),
            };
        }
        let provider: Option<ProviderId> = self.provider.as_deref().and_then(|p| p.parse().ok());
        let provider_name = self.custom_name.or_else(|| {
            provider
                .as_ref()
                .and_then(ProviderId::builtin)
                .map(|b| b.display_name().to_owned())
        });
        let [prompt, completion, reasoning, cached] = self.tokens;
        let ttft = self.ttft_ms.map(to_u32);
        let latency = self.latency_ms.map(to_u32);
        let tokens_per_second = match (ttft, latency) {
            (Some(t), Some(l)) if l > t && completion > 0 => {
                Some(completion as f64 * 1000.0 / f64::from(l - t))
            }
            _ => None,
        };
        Ok(AnswerStats {
            prompt_tokens: to_u32(prompt),
            completion_tokens: to_u32(completion),
            reasoning_tokens: to_u32(reasoning),
            cached_tokens: to_u32(cached),
            cost: self.cost_pico.map(Usd::from_pico),
            cost_source: self.cost_source.unwrap_or_else(|| "unknown".into()),
            ttft_ms: ttft,
            latency_ms: latency,
            tokens_per_second,
            served_by: self.served_by,
            model: self.model,
            provider,
            provider_name,
            route: self.route,
            attempts: u32::try_from(self.sent.max(1)).unwrap_or(u32::MAX),
            is_byok: self.byok.unwrap_or(false),
            upstream_cost: self.upstream_cost_pico.map(Usd::from_pico),
        })
    }
}

/// Each answer's cost (picodollars, NULL when not known) and whether it is unknown (counted
/// apart, never as zero), for the totals: the ledger row's when there is one, else the one
/// recorded at import (`stats_cost_pico` beside `stats_json`, NULL when the stats had none).
/// With neither, no request was recorded: unknown only if one may have been billed
/// mid-stream. These are the rules [`RawStats::into_stats`] follows for one answer's cost.
///
/// The inner query reads only what the index `answer_cost` holds (`recorded` is one of its
/// expressions), so totalling a conversation far longer than its window never reads an
/// answer's text; SQLite matches an indexed expression in a result column but not inside a
/// CASE, hence the two levels.
const COSTS: &str = "SELECT a.column_id,
        COALESCE(l.cost_pico, CASE WHEN l.id IS NULL THEN a.stats_cost_pico END),
        CASE WHEN l.id IS NOT NULL THEN l.cost_pico IS NULL
             WHEN a.recorded THEN a.stats_cost_pico IS NULL
             ELSE a.status = 'interrupted' END
     FROM (SELECT a.column_id, a.ledger_id, a.stats_cost_pico, a.status,
                  a.stats_json IS NOT NULL AS recorded
           FROM conversation_column k JOIN answer a ON a.column_id = k.id
           WHERE k.conversation_id = ?1) a
     LEFT JOIN ledger l ON l.id = a.ledger_id";

impl Store {
    /// The conversation as opened: columns, the displayed path with answers, totals.
    pub fn conversation_view(&self, id: &ConversationId) -> Result<ConversationView, StoreError> {
        Ok(self.conversation_window(id, None, usize::MAX)?.0)
    }

    /// The conversation with only part of its displayed path: the `limit` turns just before
    /// turn `before` (the latest without it); totals still cover every answer. Also returns
    /// how many turns of the path precede the window. Turns and answers outside the window are
    /// read for their tree links and costs only, so a page of a long conversation costs about
    /// its own size.
    pub fn conversation_window(
        &self,
        id: &ConversationId,
        before: Option<&TurnId>,
        limit: usize,
    ) -> Result<(ConversationView, usize), StoreError> {
        let conn = self.conn()?;
        let (title, pinned, leaf, private): (String, bool, Option<String>, bool) = conn
            .query_row(
                "SELECT title, pinned, leaf_turn_id, private FROM conversation WHERE id = ?1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| not_found("conversation", id.as_str()))?;

        let mut columns: Vec<ColumnView> = read_columns(&conn, id)?
            .into_iter()
            .map(|c| ColumnView {
                id: c.id,
                position: c.position,
                spec: c.spec,
                active: c.active,
                total_cost: Usd::ZERO,
                unknown_costs: 0,
            })
            .collect();

        let mut path = displayed_path(&conn, id.as_str(), leaf.as_deref())?;

        let end = match before {
            None => path.len(),
            Some(turn) => path
                .iter()
                .position(|row| row.id == turn.as_str())
                .ok_or_else(|| not_found("turn on the displayed path", turn.as_str()))?,
        };
        let start = end.saturating_sub(limit);
        path.truncate(end);
        path.drain(..start);

        let mut total = Usd::ZERO;
        let mut unknown = 0;
        {
            let mut stmt = conn.prepare(COSTS)?;
            let mut rows = stmt.query([id.as_str()])?;
            while let Some(r) = rows.next()? {
                let column_id: String = r.get(0)?;
                let cost = r.get::<_, Option<i64>>(1)?.map(Usd::from_pico);
                let unknown_here: bool = r.get(2)?;
                if let Some(column) = columns.iter_mut().find(|c| c.id == column_id.as_str()) {
                    column.unknown_costs += u32::from(unknown_here);
                    if let Some(cost) = cost {
                        column.total_cost += cost;
                    }
                }
                unknown += u32::from(unknown_here);
                if let Some(cost) = cost {
                    total += cost;
                }
            }
        }

        let mut turn_text =
            conn.prepare("SELECT text, attachments_json FROM turn WHERE id = ?1")?;
        let mut turn_answers = conn.prepare(&format!(
            "SELECT a.id, a.column_id, a.attempt, a.selected, a.content, a.reasoning,
                a.tool_calls_json, a.error_json, a.thumb, a.best, a.citations_json,
                {STATS_COLUMNS}
             FROM answer a LEFT JOIN ledger l ON l.id = a.ledger_id
             WHERE a.turn_id = ?1 ORDER BY a.attempt"
        ))?;
        let mut turn_views = Vec::with_capacity(path.len());
        for row in path {
            let (text, attachments): (String, String) =
                turn_text.query_row([&row.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            // column -> answers of every attempt, with whether each is selected.
            let mut attempts_by_column: HashMap<String, Vec<(bool, AnswerView)>> = HashMap::new();
            let mut rows = turn_answers.query([&row.id])?;
            while let Some(r) = rows.next()? {
                let raw = RawStats::read_at(r, 11)?;
                let thumb: Option<String> = r.get(8)?;
                let citations: Option<String> = r.get(10)?;
                let status = raw.status;
                let column_id: String = r.get(1)?;
                let tool_calls: String = r.get(6)?;
                let error: Option<String> = r.get(7)?;
                let view = AnswerView {
                    id: AnswerId::from(r.get::<_, String>(0)?),
                    column_id: column_id.as_str().into(),
                    turn_id: row.id.as_str().into(),
                    content: r.get(4)?,
                    reasoning: r.get(5)?,
                    tool_calls: from_json("tool calls", &tool_calls)?,
                    status,
                    error: error.map(|e| from_json("answer error", &e)).transpose()?,
                    stats: raw.into_stats()?,
                    attempt: r.get(2)?,
                    attempts: 0,
                    thumb: thumb.as_deref().and_then(Thumb::parse),
                    best: r.get(9)?,
                    citations: citations
                        .map(|c| from_json::<Vec<Citation>>("citations", &c))
                        .transpose()?
                        .unwrap_or_default(),
                };
                attempts_by_column
                    .entry(column_id)
                    .or_default()
                    .push((r.get(3)?, view));
            }

            let mut shown = Vec::new();
            for column in &columns {
                let Some(mut attempts) = attempts_by_column.remove(column.id.as_str()) else {
                    continue;
                };
                let count = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
                let pick = attempts
                    .iter()
                    .rposition(|(selected, _)| *selected)
                    .unwrap_or(attempts.len() - 1);
                let (_, mut view) = attempts.swap_remove(pick);
                view.attempts = count;
                shown.push(view);
            }
            turn_views.push(TurnView {
                attachments: from_json("attachments", &attachments)?,
                id: TurnId::from(row.id),
                text,
                answers: shown,
                version: row.version,
                versions: row.versions,
                created_ms: row.created_ms,
            });
        }

        let view = ConversationView {
            id: id.clone(),
            title,
            pinned,
            private,
            columns,
            turns: turn_views,
            total_cost: total,
            unknown_costs: unknown,
        };
        Ok((view, start))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchboard_core::{
        AnswerStatus, ColumnSpec, ConversationId, ModelParams, TurnId, Usage, Usd,
    };

    use crate::{AnswerEnd, CostSource, DB_FILE, LedgerEntry, Outcome, Store, StoreError};

    /// A one-column conversation of `n` answered turns, each on the last; returns its id.
    fn chain(store: &Store, n: usize) -> ConversationId {
        let spec = ColumnSpec {
            provider: "openrouter".parse().unwrap(),
            model: "a/one".into(),
            params: ModelParams::default(),
        };
        let id = store.create_conversation(&[spec]).unwrap();
        let column = store.columns(&id).unwrap().remove(0).0;
        let mut parent: Option<TurnId> = None;
        for i in 0..n {
            let turn = store
                .add_turn(&id, parent.as_ref(), &format!("q{i}"), &[])
                .unwrap();
            let (answer, _) = store.start_answer(&turn, &column).unwrap();
            let end = AnswerEnd {
                content: format!("a{i}"),
                reasoning: String::new(),
                reasoning_details: Vec::new(),
                tool_calls: Vec::new(),
                status: AnswerStatus::Interrupted, // no request recorded: an unknown cost each
                error: None,
                ledger_id: None,
                citations: Vec::new(),
            };
            store.finish_answer(&answer, &end).unwrap();
            parent = Some(turn);
        }
        id
    }

    fn texts(view: &switchboard_core::ConversationView) -> Vec<String> {
        view.turns
            .iter()
            .map(|t| format!("{}={}", t.text, t.answers[0].content))
            .collect()
    }

    /// A one-column conversation with an answer for each way a cost can be recorded: a priced
    /// ledger row, an unpriced one, an interrupted stream with no row, and a complete answer
    /// with no row. Returns its id.
    fn every_kind_of_cost(store: &Store) -> ConversationId {
        let id = chain(store, 0);
        let column = store.columns(&id).unwrap().remove(0).0;
        let kinds = [
            (Some("0.00813"), AnswerStatus::Complete),
            (None, AnswerStatus::Complete),
            (None, AnswerStatus::Interrupted),
            (None, AnswerStatus::Complete),
        ];
        let mut parent: Option<TurnId> = None;
        for (i, (cost, status)) in kinds.into_iter().enumerate() {
            let ledger_id = (i < 2).then(|| format!("r{i}"));
            if let Some(ledger_id) = &ledger_id {
                store
                    .record_request(&LedgerEntry {
                        id: ledger_id.clone(),
                        created_ms: 1,
                        provider_id: "openrouter".into(),
                        model: "a/one".into(),
                        served_model: None,
                        served_by: None,
                        generation_id: None,
                        key_label: None,
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
                        conversation_id: Some(id.to_string()),
                        agent: None,
                        bound: None,
                    })
                    .unwrap();
            }
            let turn = store
                .add_turn(&id, parent.as_ref(), &format!("q{i}"), &[])
                .unwrap();
            let (answer, _) = store.start_answer(&turn, &column).unwrap();
            let end = AnswerEnd {
                content: format!("a{i}"),
                reasoning: String::new(),
                reasoning_details: Vec::new(),
                tool_calls: Vec::new(),
                status,
                error: None,
                ledger_id,
                citations: Vec::new(),
            };
            store.finish_answer(&answer, &end).unwrap();
            parent = Some(turn);
        }
        id
    }

    #[test]
    fn totals_count_each_answer_as_its_stats_do_inside_the_window_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let id = every_kind_of_cost(&store);
        // Imported answers carry their recorded stats instead of a ledger row; those without a
        // cost are unknown, whatever their status.
        let copy = store
            .import_conversation(&store.export_conversation(&id).unwrap())
            .unwrap();
        for (id, unknown) in [(id, 2), (copy, 3)] {
            let whole = store.conversation_view(&id).unwrap();
            let shown: Vec<_> = whole
                .turns
                .iter()
                .map(|t| t.answers[0].stats.cost)
                .collect();
            let priced = Usd::parse("0.00813").unwrap();
            assert_eq!(shown, [Some(priced), None, None, None]);
            assert_eq!(whole.total_cost, priced);
            assert_eq!(whole.unknown_costs, unknown);
            assert_eq!(
                (whole.columns[0].total_cost, whole.columns[0].unknown_costs),
                (whole.total_cost, unknown)
            );
            for limit in 0..4 {
                let (window, _) = store.conversation_window(&id, None, limit).unwrap();
                assert_eq!(
                    (window.total_cost, window.unknown_costs, &window.columns),
                    (whole.total_cost, whole.unknown_costs, &whole.columns),
                    "a window of {limit} turns"
                );
            }
        }
    }

    /// The path is followed by position, not by removing visited turns as before, so a loop
    /// (which no write makes, but a damaged file can hold) must be caught, not followed forever.
    #[test]
    fn a_loop_in_the_turn_tree_is_reported_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let id = chain(&store, 2);
        store
            .conn()
            .unwrap()
            .execute(
                "UPDATE turn SET parent_id = (SELECT id FROM turn
                     WHERE conversation_id = ?1 AND parent_id IS NOT NULL)
                 WHERE conversation_id = ?1 AND parent_id IS NULL",
                [id.as_str()],
            )
            .unwrap();
        let err = store.conversation_window(&id, None, 10).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    }

    /// Columns were stored with camelCase sampling names before they became snake_case.
    #[test]
    fn a_column_stored_with_camel_case_params_reads_its_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let id = chain(&store, 1);
        let old =
            r#"{"temperature":0.7,"maxTokens":300,"reasoningEffort":"high","system":"Be brief."}"#;
        store
            .conn()
            .unwrap()
            .execute(
                "UPDATE conversation_column SET params_json = ?2 WHERE conversation_id = ?1",
                [id.as_str(), old],
            )
            .unwrap();
        let params = store.columns(&id).unwrap().remove(0).1.params;
        assert_eq!(params.sampling.temperature, Some(0.7));
        assert_eq!(params.sampling.max_tokens, Some(300));
        assert_eq!(
            params.sampling.reasoning_effort,
            Some(switchboard_core::ReasoningEffort::High)
        );
        assert_eq!(params.system.as_deref(), Some("Be brief."));
    }

    #[test]
    fn windows_page_back_from_the_latest_turn_with_whole_totals() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
        let id = chain(&store, 5);
        let whole = store.conversation_view(&id).unwrap();

        let (tail, skipped) = store.conversation_window(&id, None, 2).unwrap();
        assert_eq!(skipped, 3, "three turns before the tail");
        assert_eq!(texts(&tail), ["q3=a3", "q4=a4"]);
        assert_eq!(tail.unknown_costs, whole.unknown_costs, "totals cover all");
        assert_eq!(tail.unknown_costs, 5);
        assert_eq!(tail.total_cost, whole.total_cost);
        assert_eq!(tail.columns, whole.columns, "per-column totals too");
        assert_eq!(
            tail.turns[..],
            whole.turns[3..],
            "same turns as the whole view"
        );

        let first = &tail.turns[0].id;
        let (older, skipped) = store.conversation_window(&id, Some(first), 2).unwrap();
        assert_eq!(
            (skipped, texts(&older)),
            (1, vec!["q1=a1".into(), "q2=a2".into()])
        );

        let (rest, skipped) = store
            .conversation_window(&id, Some(&older.turns[0].id), 10)
            .unwrap();
        assert_eq!((skipped, texts(&rest)), (0, vec!["q0=a0".to_owned()]));

        let err = store
            .conversation_window(&id, Some(&TurnId::from("nope")), 2)
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    }
}
