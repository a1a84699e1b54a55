//! A conversation's whole tree (every turn version and answer attempt) as plain data, for
//! export and import. Rows refer to each other by index, not id, so exporting an import gives
//! the same document.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_core::{
    AnswerId, AnswerStats, AnswerStatus, Attachment, ColumnId, ColumnSpec, ConversationId,
    ErrorInfo, ToolCall, TurnId,
};

use super::view::{RawStats, STATS_COLUMNS};
use super::{from_json, insert_column, not_found, parse_status, read_columns, status_str, to_json};
use crate::{Store, StoreError};

/// A whole conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedConversation {
    /// Its title.
    pub title: String,
    /// Whether the title was set by hand (else it follows the first message).
    #[serde(default)]
    pub renamed: bool,
    /// Pinned in the sidebar.
    #[serde(default)]
    pub pinned: bool,
    /// Created, Unix ms.
    pub created_ms: i64,
    /// Last activity, Unix ms.
    pub updated_ms: i64,
    /// The columns, left to right.
    pub columns: Vec<ExportedColumn>,
    /// Every turn, parents before children.
    pub turns: Vec<ExportedTurn>,
    /// Index in `turns` of the displayed leaf.
    pub displayed_leaf: Option<usize>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedColumn {
    /// Provider, model, parameters.
    pub spec: ColumnSpec,
    /// False once retired.
    pub active: bool,
}

/// One user turn and every answer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedTurn {
    /// Index in `turns` of its parent (None: a first message).
    pub parent: Option<usize>,
    /// The user's text.
    pub text: String,
    /// Files given with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Sent, Unix ms.
    pub created_ms: i64,
    /// Every attempt of every column.
    #[serde(default)]
    pub answers: Vec<ExportedAnswer>,
}

/// One answer attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedAnswer {
    /// Index in `columns`.
    pub column: usize,
    /// 1-based attempt.
    pub attempt: u32,
    /// Whether this attempt is the displayed one.
    pub selected: bool,
    /// The text.
    pub content: String,
    /// Reasoning text.
    #[serde(default)]
    pub reasoning: String,
    /// Reasoning pieces as received.
    #[serde(default)]
    pub reasoning_details: Option<Value>,
    /// Tool calls.
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// Where it stood.
    pub status: AnswerStatus,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
    /// Its numbers as recorded.
    pub stats: AnswerStats,
    /// Created, Unix ms.
    pub created_ms: i64,
}

impl Store {
    /// The whole tree of a conversation.
    pub fn export_conversation(
        &self,
        id: &ConversationId,
    ) -> Result<ExportedConversation, StoreError> {
        let conn = self.conn()?;
        let (title, renamed, pinned, created_ms, updated_ms, leaf): (
            String,
            bool,
            bool,
            i64,
            i64,
            Option<String>,
        ) = conn
            .query_row(
                "SELECT title, renamed, pinned, created_ms, updated_ms, leaf_turn_id
                 FROM conversation WHERE id = ?1",
                [id.as_str()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| not_found("conversation", id.as_str()))?;
        let mut column_index: HashMap<ColumnId, usize> = HashMap::new();
        let mut columns = Vec::new();
        for c in read_columns(&conn, id)? {
            column_index.insert(c.id, columns.len());
            columns.push(ExportedColumn {
                spec: c.spec,
                active: c.active,
            });
        }
        let mut turn_index = HashMap::new();
        let mut turns = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT id, parent_id, text, attachments_json, created_ms FROM turn
                 WHERE conversation_id = ?1 ORDER BY n",
            )?;
            let rows = stmt
                .query_map([id.as_str()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get::<_, String>(3)?,
                        r.get(4)?,
                    ))
                })?
                .collect::<Result<Vec<(String, Option<String>, String, String, i64)>, _>>()?;
            for (tid, parent, text, attachments, created) in rows {
                turn_index.insert(tid, turns.len());
                turns.push(ExportedTurn {
                    parent: parent.and_then(|p| turn_index.get(&p).copied()),
                    text,
                    attachments: from_json("attachments", &attachments)?,
                    created_ms: created,
                    answers: Vec::new(),
                });
            }
        }
        {
            let mut stmt = conn.prepare(&format!(
                "SELECT a.turn_id, a.column_id, a.attempt, a.selected, a.content, a.reasoning,
                    a.reasoning_details_json, a.tool_calls_json, a.error_json, a.created_ms,
                    {STATS_COLUMNS}
                 FROM answer a JOIN conversation_column k ON k.id = a.column_id
                 LEFT JOIN ledger l ON l.id = a.ledger_id
                 WHERE k.conversation_id = ?1 ORDER BY k.position, a.attempt"
            ))?;
            let mut rows = stmt.query([id.as_str()])?;
            while let Some(r) = rows.next()? {
                let raw = RawStats::read_at(r, 10)?;
                let status = parse_status(&raw_status(r)?);
                let (Some(&turn), Some(&column)) = (
                    turn_index.get(&r.get::<_, String>(0)?),
                    column_index.get(r.get::<_, String>(1)?.as_str()),
                ) else {
                    continue;
                };
                let details: Option<String> = r.get(6)?;
                let tool_calls: String = r.get(7)?;
                let error: Option<String> = r.get(8)?;
                let answer = ExportedAnswer {
                    column,
                    attempt: r.get(2)?,
                    selected: r.get(3)?,
                    content: r.get(4)?,
                    reasoning: r.get(5)?,
                    reasoning_details: details
                        .map(|d| from_json("reasoning details", &d))
                        .transpose()?,
                    tool_calls: from_json("tool calls", &tool_calls)?,
                    status,
                    error: error.map(|e| from_json("answer error", &e)).transpose()?,
                    stats: raw.into_stats()?,
                    created_ms: r.get(9)?,
                };
                if let Some(t) = turns.get_mut(turn) {
                    t.answers.push(answer);
                }
            }
        }
        Ok(ExportedConversation {
            title,
            renamed,
            pinned,
            created_ms,
            updated_ms,
            columns,
            turns,
            displayed_leaf: leaf.and_then(|l| turn_index.get(&l).copied()),
        })
    }

    /// Writes `doc` as a new conversation with new ids, in one transaction; returns its id.
    /// Answers keep their recorded numbers (they have no ledger row here). The caller has
    /// validated the references; a bad one is reported as [`StoreError::Corrupt`].
    pub fn import_conversation(
        &self,
        doc: &ExportedConversation,
    ) -> Result<ConversationId, StoreError> {
        let bad = |what: String| StoreError::Corrupt { detail: what };
        self.in_tx(|tx| {
            let id = ConversationId::new();
            tx.execute(
                "INSERT INTO conversation (id, title, renamed, pinned, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id.as_str(),
                    doc.title,
                    doc.renamed,
                    doc.pinned,
                    doc.created_ms,
                    doc.updated_ms
                ],
            )?;
            let mut column_ids = Vec::with_capacity(doc.columns.len());
            for (position, column) in doc.columns.iter().enumerate() {
                let cid = insert_column(tx, &id, position, &column.spec)?;
                if !column.active {
                    tx.execute(
                        "UPDATE conversation_column SET active = 0 WHERE id = ?1",
                        [cid.as_str()],
                    )?;
                }
                column_ids.push(cid);
            }
            let mut turn_ids: Vec<TurnId> = Vec::with_capacity(doc.turns.len());
            let mut insert_turn = tx.prepare_cached(
                "INSERT INTO turn (id, conversation_id, parent_id, text, attachments_json,
                    created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut insert_answer = tx.prepare_cached(
                "INSERT INTO answer (id, turn_id, column_id, attempt, selected, content, reasoning,
                    reasoning_details_json, tool_calls_json, status, error_json, stats_json,
                    stats_cost_pico, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for (i, turn) in doc.turns.iter().enumerate() {
                let parent = match turn.parent {
                    Some(p) => Some(
                        turn_ids
                            .get(p)
                            .ok_or_else(|| bad(format!("turns[{i}].parent {p} is not earlier")))?
                            .clone(),
                    ),
                    None => None,
                };
                let tid = TurnId::new();
                insert_turn.execute(params![
                    tid.as_str(),
                    id.as_str(),
                    parent.as_ref().map(TurnId::as_str),
                    turn.text,
                    to_json(&turn.attachments)?,
                    turn.created_ms
                ])?;
                for (j, answer) in turn.answers.iter().enumerate() {
                    let column = column_ids.get(answer.column).ok_or_else(|| {
                        bad(format!(
                            "turns[{i}].answers[{j}].column {} does not exist",
                            answer.column
                        ))
                    })?;
                    // A stream cannot still be running in an imported file.
                    let status = match answer.status {
                        AnswerStatus::Streaming => AnswerStatus::Interrupted,
                        s => s,
                    };
                    insert_answer.execute(params![
                        AnswerId::new().as_str(),
                        tid.as_str(),
                        column.as_str(),
                        answer.attempt,
                        answer.selected,
                        answer.content,
                        answer.reasoning,
                        answer.reasoning_details.as_ref().map(to_json).transpose()?,
                        to_json(&answer.tool_calls)?,
                        status_str(status),
                        answer.error.as_ref().map(to_json).transpose()?,
                        to_json(&answer.stats)?,
                        answer.stats.cost.map(switchboard_core::Usd::to_pico),
                        answer.created_ms
                    ])?;
                }
                turn_ids.push(tid);
            }
            let leaf = match doc.displayed_leaf {
                Some(l) => Some(
                    turn_ids
                        .get(l)
                        .ok_or_else(|| bad(format!("displayedLeaf {l} does not exist")))?,
                ),
                None => None,
            };
            tx.execute(
                "UPDATE conversation SET leaf_turn_id = ?2 WHERE id = ?1",
                params![id.as_str(), leaf.map(TurnId::as_str)],
            )?;
            Ok(id)
        })
    }
}

fn raw_status(r: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    // The status is the last of the stats columns (see STATS_COLUMNS).
    r.get(22)
}
