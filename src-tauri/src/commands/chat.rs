//! The Chat screen: conversations, sends streamed through a per-request channel, search,
//! export and import. Thin wrappers over the engine; the only logic here is the bridge that
//! batches text deltas to about one IPC message per frame.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchboard_core::{
    Attachment, ChatEvent, ColumnSpec, ConversationSummary, ConversationView, ModelChoice,
    SearchHit,
};
use switchboard_engine::ExportFormat;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tokio::sync::mpsc;

use crate::error::IpcError;
use crate::state::AppState;

/// Bounded so a slow webview slows the stream instead of growing memory without limit.
const EVENT_BUFFER: usize = 256;
/// About one animation frame: text arriving faster is merged into one message.
const FRAME: Duration = Duration::from_millis(16);

/// Every conversation, pinned first, then the most recent. The sidebar pages with
/// [`conversation_list_page`] instead, which a long history needs.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_list(
    state: State<'_, AppState>,
) -> Result<Vec<ConversationSummary>, IpcError> {
    Ok(state.engine()?.conversations().await?)
}

/// The sidebar a page at a time: the `limit` conversations (1 to 500) after `after`, in the
/// sidebar's order (pinned first, then the most recent); the first ones without it. An empty
/// page means the list has ended.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_list_page(
    state: State<'_, AppState>,
    after: Option<ConversationSummary>,
    limit: u32,
) -> Result<Vec<ConversationSummary>, IpcError> {
    Ok(state.engine()?.conversations_after(after, limit).await?)
}

/// One conversation, on its displayed path.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_open(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.conversation(id).await?)
}

/// Part of a conversation (see [`conversation_page`]).
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConversationPage {
    /// The conversation with only this page's turns.
    view: ConversationView,
    /// How many turns of the displayed path come before the page.
    skipped: u32,
}

/// The `limit` turns of the displayed path just before turn `before` (the latest without it),
/// so a long conversation opens with what is on screen and pages the rest in.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_page(
    state: State<'_, AppState>,
    id: String,
    before: Option<String>,
    limit: u32,
) -> Result<ConversationPage, IpcError> {
    let (view, skipped) = state.engine()?.conversation_page(id, before, limit).await?;
    Ok(ConversationPage { view, skipped })
}

/// A new conversation with these columns.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_create(
    state: State<'_, AppState>,
    columns: Vec<ColumnSpec>,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.create_conversation(columns).await?)
}

/// Replaces the columns' models and parameters.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_set_columns(
    state: State<'_, AppState>,
    id: String,
    columns: Vec<ColumnSpec>,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.set_columns(id, columns).await?)
}

/// Renames a conversation.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_rename(
    state: State<'_, AppState>,
    id: String,
    title: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.rename_conversation(id, title).await?)
}

/// Pins or unpins a conversation.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_pin(
    state: State<'_, AppState>,
    id: String,
    pinned: bool,
) -> Result<(), IpcError> {
    Ok(state.engine()?.pin_conversation(id, pinned).await?)
}

/// Makes a conversation private (every OpenRouter request of it asks for zero data retention
/// and no data collection) or not; returns the conversation as now shown.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_set_private(
    state: State<'_, AppState>,
    id: String,
    is_private: bool,
) -> Result<ConversationView, IpcError> {
    Ok(state
        .engine()?
        .set_conversation_private(id, is_private)
        .await?)
}

/// Deletes a conversation for real.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_delete(
    state: State<'_, AppState>,
    id: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_conversation(id).await?)
}

/// Keeps one column; the others retire.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_continue_with(
    state: State<'_, AppState>,
    id: String,
    column_id: String,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.continue_with_column(id, column_id).await?)
}

/// Shows another version of an edited turn.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_select_version(
    state: State<'_, AppState>,
    turn_id: String,
    version: u32,
) -> Result<ConversationView, IpcError> {
    Ok(state
        .engine()?
        .select_turn_version(turn_id, version)
        .await?)
}

/// Shows another attempt of a regenerated answer.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_select_attempt(
    state: State<'_, AppState>,
    answer_id: String,
    attempt: u32,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.select_attempt(answer_id, attempt).await?)
}

/// What to send.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendInput {
    conversation_id: String,
    text: String,
    attachments: Vec<Attachment>,
}

/// Sends to every active column; events stream on `on_event` until every answer ended.
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_send(
    state: State<'_, AppState>,
    input: SendInput,
    on_event: Channel<ChatEvent>,
) -> Result<String, IpcError> {
    let engine = state.engine()?.clone();
    let (tx, bridge) = bridge(on_event);
    let result = engine
        .send(input.conversation_id, input.text, input.attachments, tx)
        .await;
    let _ = bridge.await;
    Ok(result?)
}

/// The user's verdict on an answer (thumbs, or the winner of a comparison): the smart
/// routing strategy learns from it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn answer_rate(
    state: State<'_, AppState>,
    answer_id: String,
    signal: switchboard_engine::router::Signal,
) -> Result<(), IpcError> {
    Ok(state.engine()?.rate_answer(answer_id, signal).await?)
}

/// What a message would cost, per column, before it is sent.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PredictInput {
    conversation_id: Option<String>,
    columns: Vec<switchboard_core::PredictColumn>,
    text: String,
    attachments: Vec<switchboard_core::Attachment>,
}

/// Predicted prompt tokens, prompt cost and worst-case cost of sending a message, per column.
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_predict(
    state: State<'_, AppState>,
    input: PredictInput,
) -> Result<Vec<switchboard_core::CostPrediction>, IpcError> {
    Ok(state
        .engine()?
        .predict_costs(
            input.conversation_id,
            input.columns,
            input.text,
            input.attachments,
        )
        .await?)
}

/// Which answer to regenerate.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegenerateInput {
    conversation_id: String,
    turn_id: String,
    column_id: String,
}

/// Answers a turn again in one column; the earlier attempt is kept.
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_regenerate(
    state: State<'_, AppState>,
    input: RegenerateInput,
    on_event: Channel<ChatEvent>,
) -> Result<(), IpcError> {
    let engine = state.engine()?.clone();
    let (tx, bridge) = bridge(on_event);
    let result = engine
        .regenerate(input.conversation_id, input.turn_id, input.column_id, tx)
        .await;
    let _ = bridge.await;
    Ok(result?)
}

/// Edits an earlier user message and sends it again; the old version stays as a branch.
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_edit_resend(
    state: State<'_, AppState>,
    turn_id: String,
    text: String,
    on_event: Channel<ChatEvent>,
) -> Result<String, IpcError> {
    let engine = state.engine()?.clone();
    let (tx, bridge) = bridge(on_event);
    let result = engine.edit_and_resend(turn_id, text, tx).await;
    let _ = bridge.await;
    Ok(result?)
}

/// Stops one answer (what arrived is kept).
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_stop(
    state: State<'_, AppState>,
    answer_id: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.stop_answer(answer_id).await?)
}

/// Stops every answer of a conversation.
#[tauri::command]
#[specta::specta]
pub(crate) async fn chat_stop_all(
    state: State<'_, AppState>,
    conversation_id: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.stop_all(conversation_id).await?)
}

/// Full-text search across all conversations.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_search(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<SearchHit>, IpcError> {
    Ok(state.engine()?.search(query, 50).await?)
}

/// Export formats offered to the UI.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ExportKind {
    Markdown,
    Json,
}

/// Asks where to save the export (a native save dialog) and writes it there; resolves with
/// the path, or `null` when the user cancelled.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_export(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    format: ExportKind,
) -> Result<Option<String>, IpcError> {
    let format = match format {
        ExportKind::Markdown => ExportFormat::Markdown,
        ExportKind::Json => ExportFormat::Json,
    };
    let engine = state.engine()?;
    let file = engine.conversation_export_file(id, format).await?;
    let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
        return Ok(None);
    };
    engine.write_export(path.clone(), file.bytes).await?;
    Ok(Some(path.display().to_string()))
}

/// Imports an exported conversation as a new one.
#[tauri::command]
#[specta::specta]
pub(crate) async fn conversation_import(
    state: State<'_, AppState>,
    json: String,
) -> Result<ConversationView, IpcError> {
    Ok(state.engine()?.import_json(json).await?)
}

/// Every model the user can reach, for the picker.
#[tauri::command]
#[specta::specta]
pub(crate) async fn models_list(state: State<'_, AppState>) -> Result<Vec<ModelChoice>, IpcError> {
    Ok(state.engine()?.model_choices().await?)
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

fn delta_answer(event: &ChatEvent) -> Option<&str> {
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
