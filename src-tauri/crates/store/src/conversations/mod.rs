//! Conversations: columns (one model each), turns (a tree: editing adds a sibling) and answers
//! (one per column per turn, more when regenerated), plus their full-text index.
//!
//! The displayed path is the chain from `conversation.leaf_turn_id` up to the root; an answer's
//! numbers come from its ledger row, so the Chat screen and the spend reports read one truth.

mod answers;
mod path;
mod search;
mod tree;
mod view;

use rusqlite::{OptionalExtension, Transaction, params};
use switchboard_core::{
    AnswerId, AnswerStatus, ColumnId, ColumnSpec, ConversationId, ConversationSummary, ModelParams,
    TurnId, Usd,
};

use crate::{Store, StoreError, now_ms};

pub use answers::{AnswerEnd, ContextTurn};
pub use tree::{ExportedAnswer, ExportedColumn, ExportedConversation, ExportedTurn};

/// How many columns a conversation may have.
pub const MAX_COLUMNS: usize = 8;

pub(crate) fn status_str(status: AnswerStatus) -> &'static str {
    match status {
        AnswerStatus::Streaming => "streaming",
        AnswerStatus::Complete => "complete",
        AnswerStatus::Cancelled => "cancelled",
        AnswerStatus::Failed => "failed",
        AnswerStatus::Interrupted => "interrupted",
    }
}

pub(crate) fn parse_status(text: &str) -> AnswerStatus {
    match text {
        "streaming" => AnswerStatus::Streaming,
        "complete" => AnswerStatus::Complete,
        "cancelled" => AnswerStatus::Cancelled,
        "failed" => AnswerStatus::Failed,
        _ => AnswerStatus::Interrupted,
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        detail: format!("value does not serialize: {e}"),
    })
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        detail: format!("{what} is not readable: {e}"),
    })
}

/// The default title: the first message, whitespace collapsed, cut at 60 characters.
pub fn title_from(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= 60 {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(60).collect();
    format!("{}…", cut.trim_end())
}

fn not_found(entity: &'static str, id: &str) -> StoreError {
    StoreError::not_found(entity, id)
}

pub(crate) fn insert_column(
    tx: &Transaction<'_>,
    conversation_id: &ConversationId,
    position: usize,
    spec: &ColumnSpec,
) -> Result<ColumnId, StoreError> {
    let id = ColumnId::new();
    tx.execute(
        "INSERT INTO conversation_column (id, conversation_id, position, provider_id, model,
            params_json, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
        params![
            id.as_str(),
            conversation_id.as_str(),
            i64::try_from(position).unwrap_or(i64::MAX),
            spec.provider.as_str(),
            spec.model,
            to_json(&spec.params)?
        ],
    )?;
    Ok(id)
}

/// One row of `conversation_column`, decoded.
pub(crate) struct ColumnRow {
    pub(crate) id: ColumnId,
    pub(crate) position: u32,
    pub(crate) spec: ColumnSpec,
    pub(crate) active: bool,
}

/// A conversation's columns, left to right. Takes the connection so callers that already
/// hold it (the view, the export) and `Store::columns` share one query.
pub(crate) fn read_columns(
    conn: &rusqlite::Connection,
    conversation_id: &ConversationId,
) -> Result<Vec<ColumnRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, position, provider_id, model, params_json, active
         FROM conversation_column WHERE conversation_id = ?1 ORDER BY position",
    )?;
    let rows = stmt
        .query_map([conversation_id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(id, position, provider, model, params, active)| {
            Ok(ColumnRow {
                id: ColumnId::from(id),
                position,
                spec: read_spec(provider, model, &params)?,
                active,
            })
        })
        .collect()
}

fn read_spec(provider: String, model: String, params_json: &str) -> Result<ColumnSpec, StoreError> {
    Ok(ColumnSpec {
        provider: provider.parse().map_err(|_| StoreError::Corrupt {
            detail: format!("column provider {provider:?} is not a provider id"),
        })?,
        model,
        params: from_json::<ModelParams>("column parameters", params_json)?,
    })
}

pub(crate) fn touch(
    tx: &Transaction<'_>,
    conversation_id: &ConversationId,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE conversation SET updated_ms = ?2 WHERE id = ?1",
        params![conversation_id.as_str(), now_ms()],
    )?;
    if n == 0 {
        return Err(not_found("conversation", conversation_id.as_str()));
    }
    Ok(())
}

impl Store {
    /// Runs `work` in one transaction: all of it is saved, or none.
    pub(crate) fn in_tx<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Creates a conversation with these columns (no turns yet); returns its id.
    pub fn create_conversation(
        &self,
        columns: &[ColumnSpec],
    ) -> Result<ConversationId, StoreError> {
        self.in_tx(|tx| {
            let id = ConversationId::new();
            let now = now_ms();
            tx.execute(
                "INSERT INTO conversation (id, title, created_ms, updated_ms)
                 VALUES (?1, 'New conversation', ?2, ?2)",
                params![id.as_str(), now],
            )?;
            for (position, spec) in columns.iter().enumerate() {
                insert_column(tx, &id, position, spec)?;
            }
            Ok(id)
        })
    }

    /// Every conversation, pinned first, then the most recently active.
    pub fn conversation_summaries(&self) -> Result<Vec<ConversationSummary>, StoreError> {
        self.conversation_summaries_after(None, usize::MAX)
    }

    /// The sidebar a page at a time: the `limit` conversations that follow `after` in the
    /// order of [`Store::conversation_summaries`] (the first ones without it). Each page walks
    /// the recency index from where the last one stopped and totals only its own
    /// conversations, so the first page of a long history costs what it shows.
    pub fn conversation_summaries_after(
        &self,
        after: Option<&ConversationSummary>,
        limit: usize,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        // Each conversation's total: its answers' costs through the covering index
        // `answer_cost`, so long answers' text is never read.
        const SELECT: &str = "SELECT c.id, c.title, c.pinned, c.updated_ms,
                (SELECT SUM(COALESCE(l.cost_pico, CASE WHEN l.id IS NULL THEN a.stats_cost_pico END))
                   FROM conversation_column k JOIN answer a ON a.column_id = k.id
                   LEFT JOIN ledger l ON l.id = a.ledger_id
                  WHERE k.conversation_id = c.id)
             FROM conversation c";
        const ORDER: &str = "ORDER BY c.pinned DESC, c.updated_ms DESC, c.id DESC LIMIT ?1";
        let conn = self.conn()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let read = |r: &rusqlite::Row<'_>| {
            Ok(ConversationSummary {
                id: ConversationId::from(r.get::<_, String>(0)?),
                title: r.get(1)?,
                pinned: r.get(2)?,
                updated_ms: r.get(3)?,
                total_cost: Usd::from_pico(r.get::<_, Option<i64>>(4)?.unwrap_or(0)),
            })
        };
        let rows = match after {
            None => conn
                .prepare_cached(&format!("{SELECT} {ORDER}"))?
                .query_map([limit], read)?
                .collect::<Result<_, _>>()?,
            // A row value compares as the index orders, so the scan starts at `after`.
            Some(last) => conn
                .prepare_cached(&format!(
                    "{SELECT} WHERE (c.pinned, c.updated_ms, c.id) < (?2, ?3, ?4) {ORDER}"
                ))?
                .query_map(
                    params![limit, last.pinned, last.updated_ms, last.id.as_str()],
                    read,
                )?
                .collect::<Result<_, _>>()?,
        };
        Ok(rows)
    }

    /// Renames a conversation (its title no longer follows the first message).
    pub fn rename_conversation(&self, id: &ConversationId, title: &str) -> Result<(), StoreError> {
        let n = self.conn()?.execute(
            "UPDATE conversation SET title = ?2, renamed = 1 WHERE id = ?1",
            params![id.as_str(), title],
        )?;
        if n == 0 {
            return Err(not_found("conversation", id.as_str()));
        }
        Ok(())
    }

    /// Pins or unpins a conversation.
    pub fn pin_conversation(&self, id: &ConversationId, pinned: bool) -> Result<(), StoreError> {
        let n = self.conn()?.execute(
            "UPDATE conversation SET pinned = ?2 WHERE id = ?1",
            params![id.as_str(), pinned],
        )?;
        if n == 0 {
            return Err(not_found("conversation", id.as_str()));
        }
        Ok(())
    }

    /// Makes a conversation private (its OpenRouter requests ask for zero data retention and
    /// no data collection) or not.
    pub fn set_conversation_private(
        &self,
        id: &ConversationId,
        private: bool,
    ) -> Result<(), StoreError> {
        let n = self.conn()?.execute(
            "UPDATE conversation SET private = ?2 WHERE id = ?1",
            params![id.as_str(), private],
        )?;
        if n == 0 {
            return Err(not_found("conversation", id.as_str()));
        }
        Ok(())
    }

    /// Whether a conversation is private.
    pub fn conversation_private(&self, id: &ConversationId) -> Result<bool, StoreError> {
        self.conn()?
            .query_row(
                "SELECT private FROM conversation WHERE id = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| not_found("conversation", id.as_str()))
    }

    /// Deletes a conversation with its columns, turns, answers and their index rows. Ledger
    /// rows stay: money spent is spent.
    pub fn delete_conversation(&self, id: &ConversationId) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            // Explicit deletes, children first, so the index triggers fire for every row.
            tx.execute(
                "DELETE FROM answer WHERE column_id IN
                    (SELECT id FROM conversation_column WHERE conversation_id = ?1)",
                [id.as_str()],
            )?;
            tx.execute("DELETE FROM turn WHERE conversation_id = ?1", [id.as_str()])?;
            tx.execute(
                "DELETE FROM conversation_column WHERE conversation_id = ?1",
                [id.as_str()],
            )?;
            if tx.execute("DELETE FROM conversation WHERE id = ?1", [id.as_str()])? == 0 {
                return Err(not_found("conversation", id.as_str()));
            }
            Ok(())
        })
    }

    /// Replaces the models: active columns keep their id by position, extra ones retire
    /// (history kept), missing ones are added after the existing ones.
    pub fn set_columns(
        &self,
        id: &ConversationId,
        columns: &[ColumnSpec],
    ) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            touch(tx, id)?;
            let (active, max_position) = {
                let mut stmt = tx.prepare(
                    "SELECT id FROM conversation_column WHERE conversation_id = ?1 AND active = 1
                     ORDER BY position",
                )?;
                let active = stmt
                    .query_map([id.as_str()], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                let max: Option<i64> = tx.query_row(
                    "SELECT MAX(position) FROM conversation_column WHERE conversation_id = ?1",
                    [id.as_str()],
                    |r| r.get(0),
                )?;
                (active, max.unwrap_or(-1))
            };
            for (i, spec) in columns.iter().enumerate() {
                if let Some(column) = active.get(i) {
                    tx.execute(
                        "UPDATE conversation_column SET provider_id = ?2, model = ?3,
                            params_json = ?4 WHERE id = ?1",
                        params![
                            column,
                            spec.provider.as_str(),
                            spec.model,
                            to_json(&spec.params)?
                        ],
                    )?;
                } else {
                    let extra = i - active.len();
                    let position = usize::try_from(max_position + 1).unwrap_or(0) + extra;
                    insert_column(tx, id, position, spec)?;
                }
            }
            for column in active.iter().skip(columns.len()) {
                tx.execute(
                    "UPDATE conversation_column SET active = 0 WHERE id = ?1",
                    [column],
                )?;
            }
            Ok(())
        })
    }

    /// Keeps `column_id` active and retires every other column.
    pub fn continue_with_column(
        &self,
        id: &ConversationId,
        column_id: &ColumnId,
    ) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            let found: Option<String> = tx
                .query_row(
                    "SELECT id FROM conversation_column WHERE id = ?2 AND conversation_id = ?1",
                    params![id.as_str(), column_id.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if found.is_none() {
                return Err(not_found("column", column_id.as_str()));
            }
            tx.execute(
                "UPDATE conversation_column SET active = (id = ?2) WHERE conversation_id = ?1",
                params![id.as_str(), column_id.as_str()],
            )?;
            touch(tx, id)
        })
    }

    /// Displays version `version` (1-based) of the turn `turn_id` belongs with (its siblings),
    /// following each version's most recent continuation. Returns the conversation id.
    pub fn select_turn_version(
        &self,
        turn_id: &TurnId,
        version: u32,
    ) -> Result<ConversationId, StoreError> {
        self.in_tx(|tx| {
            let (conversation, parent): (String, Option<String>) = tx
                .query_row(
                    "SELECT conversation_id, parent_id FROM turn WHERE id = ?1",
                    [turn_id.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| not_found("turn", turn_id.as_str()))?;
            let offset = i64::from(version.max(1)) - 1;
            let chosen: String = tx
                .query_row(
                    "SELECT id FROM turn WHERE conversation_id = ?1 AND parent_id IS ?2
                     ORDER BY n LIMIT 1 OFFSET ?3",
                    params![conversation, parent, offset],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("turn version", &format!("{turn_id} v{version}")))?;
            let mut leaf = chosen;
            while let Some(child) = tx
                .query_row(
                    "SELECT id FROM turn WHERE parent_id = ?1 ORDER BY n DESC LIMIT 1",
                    [&leaf],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
            {
                leaf = child;
            }
            tx.execute(
                "UPDATE conversation SET leaf_turn_id = ?2 WHERE id = ?1",
                params![conversation, leaf],
            )?;
            Ok(ConversationId::from(conversation))
        })
    }

    /// Displays attempt `attempt` of the answers for the same turn and column as `answer_id`.
    /// Returns the conversation id.
    pub fn select_attempt(
        &self,
        answer_id: &AnswerId,
        attempt: u32,
    ) -> Result<ConversationId, StoreError> {
        self.in_tx(|tx| {
            let (turn, column, conversation): (String, String, String) = tx
                .query_row(
                    "SELECT a.turn_id, a.column_id, t.conversation_id FROM answer a
                     JOIN turn t ON t.id = a.turn_id WHERE a.id = ?1",
                    [answer_id.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| not_found("answer", answer_id.as_str()))?;
            let n = tx.execute(
                "UPDATE answer SET selected = (attempt = ?3) WHERE turn_id = ?1 AND column_id = ?2
                 AND EXISTS (SELECT 1 FROM answer WHERE turn_id = ?1 AND column_id = ?2
                     AND attempt = ?3)",
                params![turn, column, attempt],
            )?;
            if n == 0 {
                return Err(not_found("attempt", &format!("{answer_id} #{attempt}")));
            }
            Ok(ConversationId::from(conversation))
        })
    }
}
