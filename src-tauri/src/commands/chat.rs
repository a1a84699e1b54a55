//! The Chat screen: conversations, sends streamed through a per-request channel, search,
//! export and import. Thin wrappers over the engine; the only logic here is the bridge that
//! batches text deltas to about one IPC message per frame.

use std::time::Duration;

use serde::Deserialize;
use switchboard_core::{
    AnswerId, Attachment, ChatEvent, ColumnId, ColumnSpec, ConversationId, ConversationSummary,
    ConversationView, ModelChoice, SearchHit, TurnId,
};
use switchboard_engine::{ConversationPage, ExportFormat};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::state::AppState;
use tokio::sync::mpsc;

/// Bounded so a slow webview slows the stream instead of growing memory without limit.
const EVENT_BUFFER: usize = 256;
/// About one animation frame: text arriving faster is merged into one message.
const FRAME: Duration = Duration::from_millis(16);

command! {
    /// Every conversation, pinned first, then the most recent. The sidebar pages with
    /// [`conversation_list_page`] instead, which a long history needs.
    async fn conversation_list(engine) -> Vec<ConversationSummary> {
        engine.conversations().list().await?
    }
}

command! {
    /// The sidebar a page at a time: the `limit` conversations (1 to 500) after `after`, in the
    /// sidebar's order (pinned first, then the most recent); the first ones without it. An empty
    /// page means the list has ended.
    async fn conversation_list_page(
        state: State<'_, AppState>,
        after: Option<ConversationSummary>,
        limit: u32,
    ) -> Vec<ConversationSummary> {
        let engine = state.engine()?;
        match state.startup.first_list_page(after.as_ref(), limit).await {
            Some(page) => page,
            None => engine.conversations().list_after(after, limit).await?,
        }
    }
}

command! {
    /// One conversation, on its displayed path.
    async fn conversation_open(engine, id: ConversationId) -> ConversationView {
        engine.conversations().open(id).await?
    }
}

command! {
    /// The `limit` turns of the displayed path just before turn `before` (the latest without it),
    /// so a long conversation opens with what is on screen and pages the rest in.
    async fn conversation_page(
        state: State<'_, AppState>,
        id: ConversationId,
        before: Option<TurnId>,
        limit: u32,
    ) -> ConversationPage {
        let engine = state.engine()?;
        match state.startup.last_page(&id, before.as_ref(), limit).await {
            Some(page) => page,
            None => engine.conversations().page(id, before, limit).await?,
        }
    }
}

command! {
    /// A new conversation with these columns.
    async fn conversation_create(engine, columns: Vec<ColumnSpec>) -> ConversationView {
        engine.conversations().create(columns).await?
    }
}

command! {
    /// Replaces the columns' models and parameters.
    async fn conversation_set_columns(
        engine,
        id: ConversationId,
        columns: Vec<ColumnSpec>,
    ) -> ConversationView {
        engine.conversations().set_columns(id, columns).await?
    }
}

command! {
    /// Renames a conversation.
    async fn conversation_rename(engine, id: ConversationId, title: String) -> () {
        engine.conversations().rename(id, title).await?
    }
}

command! {
    /// Pins or unpins a conversation.
    async fn conversation_pin(engine, id: ConversationId, pinned: bool) -> () {
        engine.conversations().pin(id, pinned).await?
    }
}

command! {
    /// Makes a conversation private (every OpenRouter request of it asks for zero data retention
    /// and no data collection) or not; returns the conversation as now shown.
    async fn conversation_set_private(
        engine,
        id: ConversationId,
        is_private: bool,
    ) -> ConversationView {
        engine.conversations().set_private(id, is_private).await?
    }
}

command! {
    /// Deletes a conversation for real.
    async fn conversation_delete(engine, id: ConversationId) -> () {
        engine.conversations().delete(id).await?
    }
}

command! {
    /// Keeps one column; the others retire.
    async fn conversation_continue_with(
        engine,
        id: ConversationId,
        column_id: ColumnId,
    ) -> ConversationView {
        engine.conversations().continue_with(id, column_id).await?
    }
}

command! {
    /// Shows another version of an edited turn.
    async fn conversation_select_version(
        engine,
        turn_id: TurnId,
        version: u32,
    ) -> ConversationView {
        engine
            .conversations()
            .select_version(turn_id, version)
            .await?
    }
}

command! {
    /// Shows another attempt of a regenerated answer.
    async fn conversation_select_attempt(
        engine,
        answer_id: AnswerId,
        attempt: u32,
    ) -> ConversationView {
        engine
            .conversations()
            .select_attempt(answer_id, attempt)
            .await?
    }
}

/// What to send.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendInput {
    conversation_id: ConversationId,
    text: String,
    attachments: Vec<Attachment>,
}

command! {
    /// Sends to every active column; events stream on `on_event` until every answer ended.
    async fn chat_send(engine, input: SendInput, on_event: Channel<ChatEvent>) -> TurnId {
        let engine = engine.clone();
        let (tx, bridge) = bridge(on_event);
        let result = engine
            .conversations()
            .send(input.conversation_id, input.text, input.attachments, tx)
            .await;
        let _ = bridge.await;
        result?
    }
}

command! {
    /// The user's verdict on an answer (thumbs, or the winner of a comparison): the smart
    /// routing strategy learns from it.
    async fn answer_rate(
        engine,
        answer_id: AnswerId,
        signal: switchboard_engine::router::Signal,
    ) -> () {
        engine.routing().rate_answer(answer_id, signal).await?
    }
}

/// What a message would cost, per column, before it is sent.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PredictInput {
    conversation_id: Option<ConversationId>,
    columns: Vec<switchboard_core::PredictColumn>,
    text: String,
    attachments: Vec<switchboard_core::Attachment>,
}

command! {
    /// Predicted prompt tokens, prompt cost and worst-case cost of sending a message, per column.
    async fn chat_predict(engine, input: PredictInput) -> Vec<switchboard_core::CostPrediction> {
        engine
            .conversations()
            .predict_costs(
                input.conversation_id,
                input.columns,
                input.text,
                input.attachments,
            )
            .await?
    }
}

/// Which answer to regenerate.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegenerateInput {
    conversation_id: ConversationId,
    turn_id: TurnId,
    column_id: ColumnId,
}

command! {
    /// Answers a turn again in one column; the earlier attempt is kept.
    async fn chat_regenerate(engine, input: RegenerateInput, on_event: Channel<ChatEvent>) -> () {
        let engine = engine.clone();
        let (tx, bridge) = bridge(on_event);
        let result = engine
            .conversations()
            .regenerate(input.conversation_id, input.turn_id, input.column_id, tx)
            .await;
        let _ = bridge.await;
        result?
    }
}

command! {
    /// Edits an earlier user message and sends it again; the old version stays as a branch.
    async fn chat_edit_resend(
        engine,
        turn_id: TurnId,
        text: String,
        on_event: Channel<ChatEvent>,
    ) -> TurnId {
        let engine = engine.clone();
        let (tx, bridge) = bridge(on_event);
        let result = engine
            .conversations()
            .edit_and_resend(turn_id, text, tx)
            .await;
        let _ = bridge.await;
        result?
    }
}

command! {
    /// Stops one answer (what arrived is kept).
    async fn chat_stop(engine, answer_id: AnswerId) -> () {
        engine.conversations().stop_answer(answer_id).await?
    }
}

command! {
    /// Stops every answer of a conversation.
    async fn chat_stop_all(engine, conversation_id: ConversationId) -> () {
        engine.conversations().stop_all(conversation_id).await?
    }
}

command! {
    /// Full-text search across all conversations.
    async fn conversation_search(engine, query: String) -> Vec<SearchHit> {
        engine.conversations().search(query, 50).await?
    }
}

command! {
    /// Asks where to save the export (a native save dialog) and writes it there; resolves with
    /// the path, or `null` when the user cancelled.
    async fn conversation_export(
        engine,
        app: AppHandle,
        id: ConversationId,
        format: ExportFormat,
    ) -> Option<String> {
        let file = engine.conversations().export_file(id, format).await?;
        let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
            return Ok(None);
        };
        engine.write_export(path.clone(), file.bytes).await?;
        Some(path.display().to_string())
    }
}

command! {
    /// Imports an exported conversation as a new one.
    async fn conversation_import(engine, json: String) -> ConversationView {
        engine.conversations().import_json(json).await?
    }
}

command! {
    /// Every model the user can reach, for the picker.
    async fn models_list(engine) -> Vec<ModelChoice> {
        engine.models().choices().await?
    }
}

/// A sender for the engine and the task that forwards its events to the webview.
fn bridge(channel: Channel<ChatEvent>) -> (mpsc::Sender<ChatEvent>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(EVENT_BUFFER);
    let task = tokio::spawn(forward_batched(rx, move |event| {
        channel.send(event).is_ok()
    }));
    (tx, task)
}

/// An event [`forward_batched`] may hold back for up to a frame: a text delta, which later
/// deltas of its stream merge into. Deltas merge only within one variant, so an answer's text
/// and reasoning each keep their order.
pub(crate) trait Batched {
    /// A delta's text; `None` for an event that goes at once.
    fn delta_text(&mut self) -> Option<&mut String>;
    /// Whether two deltas continue one stream (an answer, an agent's step).
    fn same_stream(&self, other: &Self) -> bool;
}

impl Batched for ChatEvent {
    fn delta_text(&mut self) -> Option<&mut String> {
        match self {
            Self::TextDelta { text, .. } | Self::ReasoningDelta { text, .. } => Some(text),
            _ => None,
        }
    }

    fn same_stream(&self, other: &Self) -> bool {
        matches!((delta_answer(self), delta_answer(other)), (Some(a), Some(b)) if a == b)
    }
}

fn delta_answer(event: &ChatEvent) -> Option<&AnswerId> {
    match event {
        ChatEvent::TextDelta { answer_id, .. } | ChatEvent::ReasoningDelta { answer_id, .. } => {
            Some(answer_id)
        }
        _ => None,
    }
}

/// Forwards events, merging text deltas that arrive within a frame. Order is kept per stream
/// (a delta only merges into the latest pending delta of its own stream, and only when that
/// one is of the same kind); other events flush everything pending first. If the webview is
/// gone the events are dropped, but the receiver keeps draining so the engine (which persists
/// everything it sends) never blocks.
pub(crate) async fn forward_batched<E: Batched + Send>(
    mut rx: mpsc::Receiver<E>,
    mut send: impl FnMut(E) -> bool + Send,
) {
    let mut pending: Vec<E> = Vec::new();
    let mut open = true;
    // The first flush is one frame in (not immediate), so batching does not depend on how
    // the first events race the timer; a frame is nothing next to a provider's latency.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + FRAME, FRAME);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                None => break,
                Some(mut event) => {
                    if event.delta_text().is_some() {
                        merge(&mut pending, event);
                    } else {
                        flush(&mut pending, &mut send, &mut open);
                        if open {
                            open = send(event);
                        }
                    }
                }
            },
            _ = tick.tick() => flush(&mut pending, &mut send, &mut open),
        }
    }
    flush(&mut pending, &mut send, &mut open);
}

fn merge<E: Batched>(pending: &mut Vec<E>, mut event: E) {
    let latest = pending.iter_mut().rev().find(|p| p.same_stream(&event));
    match latest {
        Some(p) if std::mem::discriminant(&*p) == std::mem::discriminant(&event) => {
            if let (Some(into), Some(text)) = (p.delta_text(), event.delta_text()) {
                into.push_str(text);
            }
        }
        _ => pending.push(event),
    }
}

fn flush<E>(pending: &mut Vec<E>, send: &mut impl FnMut(E) -> bool, open: &mut bool) {
    for event in pending.drain(..) {
        if *open {
            *open = send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(answer: &str, t: &str) -> ChatEvent {
        ChatEvent::TextDelta {
            answer_id: answer.into(),
            text: t.into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn deltas_within_a_frame_merge_per_answer_and_order_is_kept() {
        let (tx, rx) = mpsc::channel(64);
        let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = sent.clone();
        let task = tokio::spawn(forward_batched(rx, move |e| {
            sink.lock().unwrap().push(e);
            true
        }));
        for i in 0..10 {
            tx.send(text("a", &i.to_string())).await.unwrap();
            tx.send(text("b", "x")).await.unwrap();
        }
        tx.send(ChatEvent::ReasoningDelta {
            answer_id: "a".into(),
            text: "r".into(),
        })
        .await
        .unwrap();
        tx.send(text("a", "!")).await.unwrap();
        drop(tx);
        task.await.unwrap();
        let sent = sent.lock().unwrap();
        assert_eq!(
            *sent,
            vec![
                text("a", "0123456789"),
                text("b", "xxxxxxxxxx"),
                ChatEvent::ReasoningDelta {
                    answer_id: "a".into(),
                    text: "r".into()
                },
                text("a", "!"),
            ],
            "22 deltas become 4 messages, each answer's text and reasoning in arrival order"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_webview_does_not_block_the_engine() {
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(forward_batched(rx, |_| false));
        for _ in 0..1000 {
            tx.send(text("a", "x")).await.unwrap();
            tx.send(ChatEvent::Started {
                answer_id: "a".into(),
                column_id: "c".into(),
                turn_id: "t".into(),
            })
            .await
            .unwrap();
        }
        drop(tx);
        task.await.unwrap();
    }
}
