//! Sending, regenerating and editing: every active column streams concurrently into its own
//! answer row. The row exists (`streaming`) before the first token, what arrives is saved at
//! least every [`SAVE_EVERY`] so a crash keeps it, and each answer ends with exactly one
//! `Finished` or `Failed` event.

use std::time::Duration;

use switchboard_core::{
    AnswerId, AnswerStatus, Attachment, ChatEvent, ChatRequest, ColumnId, ColumnSpec,
    ConversationId, Delta, ErrorInfo, TurnId,
};
use switchboard_router::RouteRequest;
use switchboard_store::AnswerEnd;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::context::{build_request, has_images};
use super::private::make_private;
use crate::{Engine, EngineError, RouteEvent};

/// How often a streaming answer's text is written to disk.
const SAVE_EVERY: Duration = Duration::from_millis(250);

/// One answer about to stream.
struct Job {
    answer_id: AnswerId,
    conversation_id: ConversationId,
    spec: ColumnSpec,
    request: ChatRequest,
    token: CancellationToken,
}

impl Engine {
    async fn new_turn(
        &self,
        conversation_id: ConversationId,
        parent: Option<TurnId>,
        text: String,
        attachments: Vec<Attachment>,
        columns: Vec<(ColumnId, ColumnSpec, bool)>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Result<TurnId, EngineError> {
        if text.trim().is_empty() && attachments.is_empty() {
            return Err(EngineError::invalid("the message is empty"));
        }
        let active: Vec<(ColumnId, ColumnSpec)> = columns
            .into_iter()
            .filter(|(_, _, active)| *active)
            .map(|(id, spec, _)| (id, spec))
            .collect();
        if active.is_empty() {
            return Err(EngineError::invalid(
                "this conversation has no active column",
            ));
        }
        if attachments
            .iter()
            .any(|a| matches!(a, Attachment::Image { .. }))
        {
            for (_, spec) in &active {
                self.check_images(spec).await?;
            }
        }
        let id = conversation_id.clone();
        let turn_id = self
            .blocking(move |inner| {
                Ok(inner
                    .store
                    .add_turn(&id, parent.as_ref(), &text, &attachments)?)
            })
            .await?;
        self.start_answers(&conversation_id, &turn_id, active, events)
            .await?;
        Ok(turn_id)
    }

    /// Inserts a `streaming` answer per column, emits `Started` for each, then streams them all
    /// concurrently in the background.
    async fn start_answers(
        &self,
        conversation_id: &ConversationId,
        turn_id: &TurnId,
        columns: Vec<(ColumnId, ColumnSpec)>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Result<(), EngineError> {
        let mut jobs = Vec::with_capacity(columns.len());
        let private = self.is_private(conversation_id).await?;
        for (column_id, spec) in columns {
            let (turn, column) = (turn_id.clone(), column_id.clone());
            let context = self
                .blocking(move |inner| Ok(inner.store.context_path(&turn, &column)?))
                .await?;
            let mut request = build_request(&spec, context);
            if private {
                make_private(&mut request);
            }
            if has_images(&request) {
                self.check_images(&spec).await?;
            }
            jobs.push((column_id, spec, request));
        }
        let mut started = Vec::with_capacity(jobs.len());
        let mut failure = None;
        for (column_id, spec, request) in jobs {
            let (turn, column) = (turn_id.clone(), column_id.clone());
            let answer_id = match self
                .blocking(move |inner| Ok(inner.store.start_answer(&turn, &column)?))
                .await
            {
                Ok((answer_id, _)) => answer_id,
                Err(e) => {
                    // The answers already started still run to their end (each Started gets
                    // its Finished/Failed, no row is left `streaming`); the caller hears why
                    // the rest did not start.
                    failure = Some(e);
                    break;
                }
            };
            let token = self.inner.running.add(&answer_id, conversation_id);
            // The receiver may be gone (the window closed): the answer streams and is saved anyway.
            let _ = events
                .send(ChatEvent::Started {
                    answer_id: answer_id.clone(),
                    column_id,
                    turn_id: turn_id.clone(),
                })
                .await;
            started.push(Job {
                answer_id,
                conversation_id: conversation_id.clone(),
                spec,
                request,
                token,
            });
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let runs = started
                .into_iter()
                .map(|job| engine.run_answer(job, events.clone()));
            futures_util::future::join_all(runs).await;
        });
        failure.map_or(Ok(()), Err)
    }

    /// Streams one answer to its end, saving as it goes, and emits its final event.
    async fn run_answer(&self, job: Job, events: mpsc::Sender<ChatEvent>) {
        let Job {
            answer_id,
            conversation_id,
            spec,
            request,
            token,
        } = job;
        // Every answer goes through the router: with no route and no matching rule it is the
        // column's model alone, exactly as chosen; a route or a rule adds fallbacks, limits and
        // the explain trail. The send is read here as it streams (bounded: a slow webview
        // slows the provider read, nothing piles up).
        let route = RouteRequest {
            provider: Some(spec.provider.clone()),
            model: Some(spec.model.clone()),
            route: spec.params.route.clone(),
            task: spec.params.task.clone(),
            conversation: Some(conversation_id.into_string()),
            ..RouteRequest::default()
        };
        let mut send = self.routing().send(route, request, token.clone());
        let mut content = String::new();
        let mut reasoning = String::new();
        let mut saved_at = Instant::now();
        let mut dirty = false;
        let mut store_error: Option<ErrorInfo> = None;
        loop {
            let next = tokio::select! {
                e = send.next() => match e {
                    Some(e) => Some(e),
                    None => break,
                },
                () = tokio::time::sleep_until(saved_at + SAVE_EVERY), if dirty => None,
            };
            let event = match next {
                None => None,
                Some(RouteEvent::Attempt { ledger_id, .. }) => {
                    // Linked at once, so an answer cut short by a crash still finds the
                    // request's row (and, once reconciled, its cost).
                    let id = answer_id.clone();
                    let linked = self
                        .blocking(move |inner| {
                            Ok(inner.store.link_answer_request(&id, &ledger_id)?)
                        })
                        .await;
                    if let Err(e) = linked {
                        tracing::warn!(error = %e, "could not link an answer to its request");
                    }
                    None
                }
                Some(RouteEvent::Waiting { ms, reason }) => Some(ChatEvent::Waiting {
                    answer_id: answer_id.clone(),
                    ms,
                    reason,
                }),
                Some(RouteEvent::Delta(delta)) => match delta {
                    Delta::Text { text } => {
                        content.push_str(&text);
                        dirty = true;
                        Some(ChatEvent::TextDelta {
                            answer_id: answer_id.clone(),
                            text,
                        })
                    }
                    Delta::Reasoning { text } => {
                        reasoning.push_str(&text);
                        dirty = true;
                        Some(ChatEvent::ReasoningDelta {
                            answer_id: answer_id.clone(),
                            text,
                        })
                    }
                    Delta::ToolCall { call } => Some(ChatEvent::ToolCall {
                        answer_id: answer_id.clone(),
                        call,
                    }),
                    _ => None,
                },
            };
            if let Some(event) = event {
                let _ = events.send(event).await;
            }
            if dirty && saved_at.elapsed() >= SAVE_EVERY && store_error.is_none() {
                let (id, c, r) = (answer_id.clone(), content.clone(), reasoning.clone());
                let saved = self
                    .blocking(move |inner| Ok(inner.store.save_answer_progress(&id, &c, &r)?))
                    .await;
                if let Err(e) = saved {
                    // Disk full or similar: stop paying for text that cannot be kept.
                    tracing::warn!(error = %e, "cannot save a streaming answer; stopping it");
                    store_error = Some(e.info());
                    token.cancel();
                }
                saved_at = Instant::now();
                dirty = false;
            }
        }
        let result = send.outcome().await.and_then(|mut r| r.take_outcome());
        self.inner.running.remove(&answer_id);

        let end = match result {
            Ok(out) => {
                // A request the ledger could not record is a failure to keep, said plainly.
                let (status, error) = match (store_error.or(out.unrecorded), out.error) {
                    (Some(e), _) | (None, Some(e)) => (AnswerStatus::Failed, Some(e)),
                    (None, None) if out.cancelled => (AnswerStatus::Cancelled, None),
                    (None, None) => (AnswerStatus::Complete, None),
                };
                AnswerEnd {
                    content: out.content,
                    reasoning: out.reasoning,
                    reasoning_details: out.reasoning_details,
                    tool_calls: out.tool_calls,
                    status,
                    error,
                    ledger_id: Some(out.ledger_id),
                    citations: out.citations,
                }
            }
            Err(e) => AnswerEnd {
                content,
                reasoning,
                reasoning_details: Vec::new(),
                tool_calls: Vec::new(),
                status: AnswerStatus::Failed,
                error: Some(store_error.unwrap_or_else(|| e.info())),
                ledger_id: None,
                citations: Vec::new(),
            },
        };
        let id = answer_id.clone();
        let written = self
            .blocking(move |inner| {
                inner.store.finish_answer(&id, &end)?;
                Ok(end)
            })
            .await;
        let id = answer_id.clone();
        let stats = self
            .blocking(move |inner| Ok(inner.store.answer_stats(&id)?))
            .await
            .unwrap_or_default();
        let event = match written {
            Err(e) => ChatEvent::Failed {
                answer_id,
                error: e.info(),
                stats,
            },
            Ok(AnswerEnd {
                status: AnswerStatus::Failed,
                error,
                ..
            }) => ChatEvent::Failed {
                answer_id,
                error: error.unwrap_or_else(|| {
                    ErrorInfo::new(switchboard_core::ErrorCode::Internal, "the answer failed")
                }),
                stats,
            },
            Ok(end) => ChatEvent::Finished {
                answer_id,
                status: end.status,
                stats,
                citations: end.citations,
            },
        };
        let _ = events.send(event).await;
    }
}

impl crate::Conversations<'_> {
    /// Sends `text` (with `attachments`) to every active column after the displayed turn.
    /// Returns the new turn's id once every answer has started; the answers stream on in the
    /// background through `events`.
    pub async fn send(
        &self,
        conversation_id: ConversationId,
        text: String,
        attachments: Vec<Attachment>,
        events: mpsc::Sender<ChatEvent>,
    ) -> Result<TurnId, EngineError> {
        let id = conversation_id.clone();
        let (leaf, columns) = self
            .blocking(move |inner| {
                Ok((inner.store.displayed_leaf(&id)?, inner.store.columns(&id)?))
            })
            .await?;
        self.new_turn(conversation_id, leaf, text, attachments, columns, events)
            .await
    }

    /// Edits turn `turn_id` into a new version (a sibling, displayed from now on) and sends it;
    /// the old branch stays selectable. Returns the new turn's id.
    pub async fn edit_and_resend(
        &self,
        turn_id: TurnId,
        text: String,
        events: mpsc::Sender<ChatEvent>,
    ) -> Result<TurnId, EngineError> {
        let (conversation_id, parent, attachments, columns) = self
            .blocking(move |inner| {
                let (conversation, parent, _, attachments) = inner.store.turn(&turn_id)?;
                let columns = inner.store.columns(&conversation)?;
                Ok((conversation, parent, attachments, columns))
            })
            .await?;
        self.new_turn(conversation_id, parent, text, attachments, columns, events)
            .await
    }

    /// Asks `column_id` again for turn `turn_id`; the new attempt is displayed, older ones kept.
    pub async fn regenerate(
        &self,
        conversation_id: ConversationId,
        turn_id: TurnId,
        column_id: ColumnId,
        events: mpsc::Sender<ChatEvent>,
    ) -> Result<(), EngineError> {
        let (id, turn) = (conversation_id.clone(), turn_id.clone());
        let columns = self
            .blocking(move |inner| {
                let (owner, ..) = inner.store.turn(&turn)?;
                if owner != id {
                    return Err(EngineError::invalid(format!(
                        "turn {turn} is not in conversation {id}"
                    )));
                }
                Ok(inner.store.columns(&id)?)
            })
            .await?;
        let Some((_, spec, _)) = columns.into_iter().find(|(c, ..)| *c == column_id) else {
            return Err(EngineError::invalid(format!(
                "column {column_id} is not in conversation {conversation_id}"
            )));
        };
        self.start_answers(&conversation_id, &turn_id, vec![(column_id, spec)], events)
            .await
    }
}
