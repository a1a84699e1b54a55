//! The Chat screen's use cases: conversations with columns (one model each), turns that branch
//! when edited, answers that stream concurrently and are regenerated as new attempts, search,
//! and export/import.

mod context;
mod export;
mod predict;
mod private;
mod stream;

use std::collections::HashMap;
use std::sync::Mutex;

use switchboard_core::{
    AnswerId, ColumnId, ColumnSpec, ConversationId, ConversationSummary, ConversationView,
    SearchHit, TurnId,
};
use switchboard_store::MAX_COLUMNS;
use tokio_util::sync::CancellationToken;

use crate::EngineError;

/// Part of a conversation (see [`Conversations::page`]).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConversationPage {
    /// The conversation with only this page's turns.
    pub view: ConversationView,
    /// How many turns of the displayed path come before the page.
    pub skipped: u32,
}

handle! {
    /// Conversations: creating, opening and paging them, sending, regenerating and stopping
    /// answers, search, export and import, cost predictions.
    Conversations, conversations
}

/// The most conversations one sidebar page returns.
const MAX_SIDEBAR_PAGE: u32 = 500;

/// The answers streaming right now: answer id -> (conversation id, its stop switch).
#[derive(Debug, Default)]
pub(crate) struct Running(Mutex<HashMap<AnswerId, (ConversationId, CancellationToken)>>);

/// The map inside [`Running`].
type RunningMap = HashMap<AnswerId, (ConversationId, CancellationToken)>;

impl Running {
    fn lock(&self) -> std::sync::MutexGuard<'_, RunningMap> {
        // The map stays consistent whatever panicked while holding it (single inserts/removes).
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, answer_id: &AnswerId, conversation_id: &ConversationId) -> CancellationToken {
        let token = CancellationToken::new();
        self.lock()
            .insert(answer_id.clone(), (conversation_id.clone(), token.clone()));
        token
    }

    fn remove(&self, answer_id: &AnswerId) {
        self.lock().remove(answer_id);
    }

    fn cancel(&self, answer_id: &AnswerId) {
        if let Some((_, token)) = self.lock().get(answer_id) {
            token.cancel();
        }
    }

    fn cancel_conversation(&self, conversation_id: &ConversationId) {
        for (conversation, token) in self.lock().values() {
            if conversation == conversation_id {
                token.cancel();
            }
        }
    }
}

fn check_columns(columns: &[ColumnSpec]) -> Result<(), EngineError> {
    if columns.is_empty() || columns.len() > MAX_COLUMNS {
        return Err(EngineError::invalid(format!(
            "a conversation has 1 to {MAX_COLUMNS} columns, not {}",
            columns.len()
        )));
    }
    if let Some(i) = columns.iter().position(|c| c.model.trim().is_empty()) {
        return Err(EngineError::invalid(format!(
            "column {} has no model: choose one",
            i + 1
        )));
    }
    private::check_openrouter(columns)
}

impl crate::Conversations<'_> {
    /// Starts a conversation comparing `columns` (1 to 8 models).
    pub async fn create(&self, columns: Vec<ColumnSpec>) -> Result<ConversationView, EngineError> {
        check_columns(&columns)?;
        self.blocking(move |inner| {
            let id = inner.store.create_conversation(&columns)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }

    /// Every conversation for the sidebar: pinned first, then the most recent.
    pub async fn list(&self) -> Result<Vec<ConversationSummary>, EngineError> {
        self.blocking(|inner| Ok(inner.store.conversation_summaries()?))
            .await
    }

    /// The sidebar a page at a time: the `limit` conversations (1 to 500) that follow `after`
    /// in the order of [`Conversations::list`], the first ones without it. A long history
    /// then opens with what the sidebar shows instead of every conversation and its total.
    pub async fn list_after(
        &self,
        after: Option<ConversationSummary>,
        limit: u32,
    ) -> Result<Vec<ConversationSummary>, EngineError> {
        // At least one, so a caller paging until a short page always moves forward.
        let limit = usize::try_from(limit.clamp(1, MAX_SIDEBAR_PAGE)).unwrap_or(1);
        self.blocking(move |inner| {
            Ok(inner
                .store
                .conversation_summaries_after(after.as_ref(), limit)?)
        })
        .await
    }

    /// One conversation as the Chat screen shows it.
    pub async fn open(&self, id: ConversationId) -> Result<ConversationView, EngineError> {
        self.blocking(move |inner| Ok(inner.store.conversation_view(&id)?))
            .await
    }

    /// Part of a conversation's displayed path: the `limit` turns just before the turn
    /// `before` (the latest ones without it), and how many earlier turns were left out. A long
    /// conversation opens with its tail and pages older turns in as they are scrolled to, so
    /// opening costs what is shown rather than the whole history.
    pub async fn page(
        &self,
        id: ConversationId,
        before: Option<TurnId>,
        limit: u32,
    ) -> Result<ConversationPage, EngineError> {
        self.blocking(move |inner| {
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            let (view, skipped) = inner
                .store
                .conversation_window(&id, before.as_ref(), limit)?;
            Ok(ConversationPage {
                view,
                skipped: u32::try_from(skipped).unwrap_or(u32::MAX),
            })
        })
        .await
    }

    /// Replaces the models: existing columns keep their id by position, extra ones retire
    /// (their history stays), new ones are added.
    pub async fn set_columns(
        &self,
        id: ConversationId,
        columns: Vec<ColumnSpec>,
    ) -> Result<ConversationView, EngineError> {
        check_columns(&columns)?;
        self.blocking(move |inner| {
            inner.store.set_columns(&id, &columns)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }

    /// Renames a conversation.
    pub async fn rename(&self, id: ConversationId, title: String) -> Result<(), EngineError> {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            return Err(EngineError::invalid("a title cannot be empty"));
        }
        self.blocking(move |inner| Ok(inner.store.rename_conversation(&id, &title)?))
            .await
    }

    /// Pins or unpins a conversation.
    pub async fn pin(&self, id: ConversationId, pinned: bool) -> Result<(), EngineError> {
        self.blocking(move |inner| Ok(inner.store.pin_conversation(&id, pinned)?))
            .await
    }

    /// Deletes a conversation for real (turns, answers, search rows); its spend stays in the
    /// ledger. Running answers are stopped first. The screen kept for the next launch's first
    /// paint may show it, so that goes too (the UI saves a new one).
    pub async fn delete(&self, id: ConversationId) -> Result<(), EngineError> {
        self.inner.running.cancel_conversation(&id);
        self.blocking(move |inner| Ok(inner.store.delete_conversation(&id)?))
            .await?;
        self.first_paint().forget();
        Ok(())
    }

    /// Keeps `column_id` and retires the other columns.
    pub async fn continue_with(
        &self,
        id: ConversationId,
        column_id: ColumnId,
    ) -> Result<ConversationView, EngineError> {
        self.blocking(move |inner| {
            inner.store.continue_with_column(&id, &column_id)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }

    /// Displays version `version` (1-based) of a turn.
    pub async fn select_version(
        &self,
        turn_id: TurnId,
        version: u32,
    ) -> Result<ConversationView, EngineError> {
        self.blocking(move |inner| {
            let id = inner.store.select_turn_version(&turn_id, version)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }

    /// Displays attempt `attempt` (1-based) of an answer.
    pub async fn select_attempt(
        &self,
        answer_id: AnswerId,
        attempt: u32,
    ) -> Result<ConversationView, EngineError> {
        self.blocking(move |inner| {
            let id = inner.store.select_attempt(&answer_id, attempt)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }

    /// Stops one answer (what arrived is kept); a no-op when it is not running.
    pub async fn stop_answer(&self, answer_id: AnswerId) -> Result<(), EngineError> {
        self.inner.running.cancel(&answer_id);
        Ok(())
    }

    /// Stops every running answer of a conversation.
    pub async fn stop_all(&self, conversation_id: ConversationId) -> Result<(), EngineError> {
        self.inner.running.cancel_conversation(&conversation_id);
        Ok(())
    }

    /// Full-text search over messages and answers, best first.
    pub async fn search(&self, query: String, limit: u32) -> Result<Vec<SearchHit>, EngineError> {
        let limit = limit.clamp(1, 500);
        self.blocking(move |inner| Ok(inner.store.search(&query, limit)?))
            .await
    }
}
