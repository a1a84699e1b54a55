//! Writing turns and answers as they stream: the row exists (`streaming`) before the first
//! token, progress is saved as it arrives, and the end writes status, error and ledger link.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use switchboard_core::{
    AnswerId, AnswerStats, AnswerStatus, Attachment, Citation, ColumnId, ColumnSpec,
    ConversationId, ErrorInfo, Thumb, ToolCall, TurnId,
};

use super::{from_json, not_found, read_columns, status_str, title_from, to_json, touch};
use crate::{Store, StoreError, now_ms};

/// How an answer ended, as written by [`Store::finish_answer`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerEnd {
    /// The whole text.
    pub content: String,
    /// The whole reasoning text.
    pub reasoning: String,
    /// OpenRouter's reasoning pieces, to send back on later turns.
    pub reasoning_details: Vec<Value>,
    /// Tool calls made.
    pub tool_calls: Vec<ToolCall>,
    /// Complete, cancelled or failed.
    pub status: AnswerStatus,
    /// Why it failed.
    pub error: Option<ErrorInfo>,
    /// Its ledger row, when a request was made.
    pub ledger_id: Option<String>,
    /// Web pages it cites.
    pub citations: Vec<Citation>,
}

/// One turn of a column's context: the user's message and that column's displayed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextTurn {
    /// The user's text.
    pub text: String,
    /// Files given with it.
    pub attachments: Vec<Attachment>,
    /// The column's displayed answer text (empty when none).
    pub answer: String,
    /// Its reasoning pieces, if any.
    pub reasoning_details: Option<Value>,
}

impl Store {
    /// Adds a user turn under `parent` (None: a first turn) and displays it. The first turn
    /// also titles an unrenamed conversation. Returns the turn id.
    pub fn add_turn(
        &self,
        conversation_id: &ConversationId,
        parent: Option<&TurnId>,
        text: &str,
        attachments: &[Attachment],
    ) -> Result<TurnId, StoreError> {
        self.in_tx(|tx| {
            touch(tx, conversation_id)?;
            let id = TurnId::new();
            tx.execute(
                "INSERT INTO turn (id, conversation_id, parent_id, text, attachments_json,
                    created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id.as_str(),
                    conversation_id.as_str(),
                    parent.map(TurnId::as_str),
                    text,
                    to_json(&attachments)?,
                    now_ms()
                ],
            )?;
            tx.execute(
                "UPDATE conversation SET leaf_turn_id = ?2 WHERE id = ?1",
                params![conversation_id.as_str(), id.as_str()],
            )?;
            if parent.is_none() {
                tx.execute(
                    "UPDATE conversation SET title = ?2 WHERE id = ?1 AND renamed = 0",
                    params![conversation_id.as_str(), title_from(text)],
                )?;
            }
            Ok(id)
        })
    }

    /// The displayed leaf turn of a conversation (None before the first message).
    pub fn displayed_leaf(
        &self,
        conversation_id: &ConversationId,
    ) -> Result<Option<TurnId>, StoreError> {
        let leaf: Option<String> = self
            .conn()?
            .query_row(
                "SELECT leaf_turn_id FROM conversation WHERE id = ?1",
                [conversation_id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| not_found("conversation", conversation_id.as_str()))?;
        Ok(leaf.map(TurnId::from))
    }

    /// A turn's conversation, parent, text and attachments.
    pub fn turn(
        &self,
        turn_id: &TurnId,
    ) -> Result<(ConversationId, Option<TurnId>, String, Vec<Attachment>), StoreError> {
        let row: (String, Option<String>, String, String) = self
            .conn()?
            .query_row(
                "SELECT conversation_id, parent_id, text, attachments_json FROM turn WHERE id = ?1",
                [turn_id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| not_found("turn", turn_id.as_str()))?;
        Ok((
            ConversationId::from(row.0),
            row.1.map(TurnId::from),
            row.2,
            from_json("attachments", &row.3)?,
        ))
    }

    /// The columns of a conversation as `(id, spec, active)`, left to right.
    pub fn columns(
        &self,
        conversation_id: &ConversationId,
    ) -> Result<Vec<(ColumnId, ColumnSpec, bool)>, StoreError> {
        let conn = self.conn()?;
        Ok(read_columns(&conn, conversation_id)?
            .into_iter()
            .map(|c| (c.id, c.spec, c.active))
            .collect())
    }

    /// Inserts a new `streaming` attempt for `turn_id` × `column_id` and displays it.
    /// Returns `(answer id, attempt)`.
    pub fn start_answer(
        &self,
        turn_id: &TurnId,
        column_id: &ColumnId,
    ) -> Result<(AnswerId, u32), StoreError> {
        self.in_tx(|tx| {
            let attempt: u32 = tx.query_row(
                "SELECT COALESCE(MAX(attempt), 0) + 1 FROM answer WHERE turn_id = ?1 AND column_id = ?2",
                params![turn_id.as_str(), column_id.as_str()],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE answer SET selected = 0 WHERE turn_id = ?1 AND column_id = ?2",
                params![turn_id.as_str(), column_id.as_str()],
            )?;
            let id = AnswerId::new();
            tx.execute(
                "INSERT INTO answer (id, turn_id, column_id, attempt, selected, status, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 1, 'streaming', ?5)",
                params![
                    id.as_str(),
                    turn_id.as_str(),
                    column_id.as_str(),
                    attempt,
                    now_ms()
                ],
            )?;
            Ok((id, attempt))
        })
    }

    /// Saves what has arrived so far of a streaming answer.
    pub fn save_answer_progress(
        &self,
        answer_id: &AnswerId,
        content: &str,
        reasoning: &str,
    ) -> Result<(), StoreError> {
        self.conn()?.execute(
            "UPDATE answer SET content = ?2, reasoning = ?3 WHERE id = ?1",
            params![answer_id.as_str(), content, reasoning],
        )?;
        Ok(())
    }

    /// Writes how an answer ended.
    pub fn finish_answer(&self, answer_id: &AnswerId, end: &AnswerEnd) -> Result<(), StoreError> {
        let details = (!end.reasoning_details.is_empty())
            .then(|| to_json(&end.reasoning_details))
            .transpose()?;
        let error = end.error.as_ref().map(to_json).transpose()?;
        let citations = (!end.citations.is_empty())
            .then(|| to_json(&end.citations))
            .transpose()?;
        let n = self.conn()?.execute(
            "UPDATE answer SET content = ?2, reasoning = ?3, reasoning_details_json = ?4,
                tool_calls_json = ?5, status = ?6, error_json = ?7,
                ledger_id = COALESCE(?8, ledger_id), citations_json = ?9 WHERE id = ?1",
            params![
                answer_id.as_str(),
                end.content,
                end.reasoning,
                details,
                to_json(&end.tool_calls)?,
                status_str(end.status),
                error,
                end.ledger_id,
                citations
            ],
        )?;
        if n == 0 {
            return Err(not_found("answer", answer_id.as_str()));
        }
        Ok(())
    }

    /// Links a streaming answer to the ledger row of the request just sent for it, so that
    /// if the app dies mid-stream the answer still finds its (reconciled) cost.
    pub fn link_answer_request(
        &self,
        answer_id: &AnswerId,
        ledger_id: &str,
    ) -> Result<(), StoreError> {
        self.conn()?.execute(
            "UPDATE answer SET ledger_id = ?2 WHERE id = ?1 AND status = 'streaming'",
            params![answer_id.as_str(), ledger_id],
        )?;
        Ok(())
    }

    /// Sets (or clears) the thumb on an answer.
    pub fn set_thumb(&self, answer_id: &AnswerId, thumb: Option<Thumb>) -> Result<(), StoreError> {
        let n = self.conn()?.execute(
            "UPDATE answer SET thumb = ?2 WHERE id = ?1",
            params![answer_id.as_str(), thumb.map(Thumb::as_str)],
        )?;
        if n == 0 {
            return Err(not_found("answer", answer_id.as_str()));
        }
        Ok(())
    }

    /// Marks an answer as the best of its turn (and no other answer of that turn), or clears
    /// it. Thumbs are left as they are: a vote and a thumb are different verdicts.
    pub fn set_best(&self, answer_id: &AnswerId, best: bool) -> Result<(), StoreError> {
        self.in_tx(|tx| {
            let turn: String = tx
                .query_row(
                    "SELECT turn_id FROM answer WHERE id = ?1",
                    [answer_id.as_str()],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("answer", answer_id.as_str()))?;
            if best {
                tx.execute(
                    "UPDATE answer SET best = 0 WHERE turn_id = ?1 AND id != ?2",
                    params![turn, answer_id.as_str()],
                )?;
            }
            tx.execute(
                "UPDATE answer SET best = ?2 WHERE id = ?1",
                params![answer_id.as_str(), best],
            )?;
            Ok(())
        })
    }

    /// Marks every answer still `streaming` as `interrupted` (the app died mid-stream); their
    /// text is kept. Run at startup; returns how many there were.
    pub fn interrupt_streaming_answers(&self) -> Result<usize, StoreError> {
        Ok(self.conn()?.execute(
            "UPDATE answer SET status = 'interrupted' WHERE status = 'streaming'",
            [],
        )?)
    }

    /// The context of `column_id` for answering `turn_id`: every turn on the path from the root
    /// to `turn_id` (inclusive), each with the column's displayed answer except the last.
    pub fn context_path(
        &self,
        turn_id: &TurnId,
        column_id: &ColumnId,
    ) -> Result<Vec<ContextTurn>, StoreError> {
        self.path_with_answers(turn_id.as_str(), column_id.as_str(), false)
    }

    /// What `column_id` would send before a new message: the displayed path of its
    /// conversation with every answer (empty for a conversation without turns).
    pub fn displayed_context(
        &self,
        conversation_id: &ConversationId,
        column_id: &ColumnId,
    ) -> Result<Vec<ContextTurn>, StoreError> {
        let leaf: Option<String> = self
            .conn()?
            .query_row(
                "SELECT leaf_turn_id FROM conversation WHERE id = ?1",
                [conversation_id.as_str()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| not_found("conversation", conversation_id.as_str()))?;
        match leaf {
            Some(leaf) => self.path_with_answers(&leaf, column_id.as_str(), true),
            None => Ok(Vec::new()),
        }
    }

    fn path_with_answers(
        &self,
        turn_id: &str,
        column_id: &str,
        last_answer: bool,
    ) -> Result<Vec<ContextTurn>, StoreError> {
        let conn = self.conn()?;
        let mut turns = Vec::new();
        let mut next = Some(turn_id.to_owned());
        while let Some(id) = next {
            let (parent, text, attachments): (Option<String>, String, String) = conn
                .query_row(
                    "SELECT parent_id, text, attachments_json FROM turn WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| not_found("turn", &id))?;
            let answer: Option<(String, Option<String>)> = if id == turn_id && !last_answer {
                None
            } else {
                conn.query_row(
                    "SELECT content, reasoning_details_json FROM answer
                     WHERE turn_id = ?1 AND column_id = ?2
                     ORDER BY selected DESC, attempt DESC LIMIT 1",
                    params![id, column_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
            };
            let (answer, details) = answer.unwrap_or_default();
            turns.push(ContextTurn {
                text,
                attachments: from_json("attachments", &attachments)?,
                answer,
                reasoning_details: details
                    .map(|d| from_json("reasoning details", &d))
                    .transpose()?,
            });
            next = parent;
        }
        turns.reverse();
        Ok(turns)
    }

    /// Who answered: the provider and model of the answer's ledger row (none if it never
    /// reached a provider), and its column's parameters as stored (JSON).
    pub fn answer_origin(
        &self,
        answer_id: &AnswerId,
    ) -> Result<(Option<(String, String)>, String), StoreError> {
        self.conn()?
            .query_row(
                "SELECT l.provider_id, l.model, c.params_json FROM answer a
                 JOIN conversation_column c ON c.id = a.column_id
                 LEFT JOIN ledger l ON l.id = a.ledger_id WHERE a.id = ?1",
                [answer_id.as_str()],
                |r| {
                    let provider: Option<String> = r.get(0)?;
                    let model: Option<String> = r.get(1)?;
                    Ok((provider.zip(model), r.get(2)?))
                },
            )
            .optional()?
            .ok_or_else(|| not_found("answer", answer_id.as_str()))
    }

    /// The conversation an answer belongs to.
    pub fn answer_conversation(&self, answer_id: &AnswerId) -> Result<ConversationId, StoreError> {
        self.conn()?
            .query_row(
                "SELECT t.conversation_id FROM answer a JOIN turn t ON t.id = a.turn_id
                 WHERE a.id = ?1",
                [answer_id.as_str()],
                |r| r.get::<_, String>(0).map(ConversationId::from),
            )
            .optional()?
            .ok_or_else(|| not_found("answer", answer_id.as_str()))
    }

    /// An answer's numbers: from its ledger row, else its recorded stats, else empty.
    pub fn answer_stats(&self, answer_id: &AnswerId) -> Result<AnswerStats, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM answer a LEFT JOIN ledger l ON l.id = a.ledger_id WHERE a.id = ?1",
            super::view::STATS_COLUMNS
        ))?;
        let raw = stmt
            .query_row([answer_id.as_str()], super::view::RawStats::read)
            .optional()?
            .ok_or_else(|| not_found("answer", answer_id.as_str()))?;
        raw.into_stats()
    }
}
