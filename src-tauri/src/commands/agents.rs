//! The Agents screen: agents and their templates, memory, MCP servers, runs with a live trace,
//! and answers to tool calls waiting for approval.

use switchboard_engine::RunOptions;
use switchboard_engine::agent::{
    AgentEvent, AgentSpec, McpServer, Memory, RunView, Task, TaskReport, Template,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tokio::sync::mpsc;

use super::chat::{Batched, forward_batched};
use crate::error::IpcError;
use crate::state::AppState;

/// Enough for a burst of deltas while the webview is busy; the engine never waits on it for
/// deltas (they are `try_send`), only for the few events that must arrive.
const EVENT_BUFFER: usize = 1024;

impl Batched for AgentEvent {
    fn delta_text(&mut self) -> Option<&mut String> {
        match self {
            Self::Delta { text, .. } => Some(text),
            _ => None,
        }
    }

    fn same_stream(&self, other: &Self) -> bool {
        matches!((self, other), (Self::Delta { index: a, .. }, Self::Delta { index: b, .. }) if a == b)
    }
}

/// The templates a new agent can start from.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_templates(state: State<'_, AppState>) -> Result<Vec<Template>, IpcError> {
    Ok(state.engine()?.agent_templates())
}

/// Every agent.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agents_list(state: State<'_, AppState>) -> Result<Vec<AgentSpec>, IpcError> {
    Ok(state.engine()?.agents().await?)
}

/// An agent with its memory, for the editor.
#[derive(Debug, serde::Serialize, specta::Type)]
pub(crate) struct AgentDetail {
    spec: AgentSpec,
    memory: Memory,
}

/// One agent and its memory.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_get(
    state: State<'_, AppState>,
    name: String,
) -> Result<AgentDetail, IpcError> {
    let (spec, memory) = state.engine()?.agent(name).await?;
    Ok(AgentDetail { spec, memory })
}

/// Creates (`previous` null) or updates an agent; a bad spec is refused with what to fix.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_save(
    state: State<'_, AppState>,
    previous: Option<String>,
    spec: AgentSpec,
) -> Result<AgentSpec, IpcError> {
    Ok(state.engine()?.save_agent(previous, spec).await?)
}

/// Deletes an agent (its runs and spend stay in the history).
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_delete(state: State<'_, AppState>, name: String) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_agent(name).await?)
}

/// Replaces an agent's memory: pinned facts, or forgetting.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_memory_save(
    state: State<'_, AppState>,
    name: String,
    memory: Memory,
) -> Result<(), IpcError> {
    Ok(state.engine()?.set_agent_memory(name, memory).await?)
}

/// The newest runs of an agent (or of all, when `agent` is null).
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_runs(
    state: State<'_, AppState>,
    agent: Option<String>,
) -> Result<Vec<RunView>, IpcError> {
    Ok(state.engine()?.agent_runs(agent, 50).await?)
}

/// Runs a task; the trace streams on `on_event`, starting with the run's id. Resolves with the
/// report, also when the task failed or was stopped (`report.error`).
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_run(
    state: State<'_, AppState>,
    name: String,
    task: Task,
    on_event: Channel<AgentEvent>,
) -> Result<TaskReport, IpcError> {
    let engine = state.engine()?.clone();
    let (tx, rx) = mpsc::channel(EVENT_BUFFER);
    let forward = tokio::spawn(forward_batched(rx, move |event| {
        on_event.send(event).is_ok()
    }));
    let options = RunOptions {
        auto_approve: false,
        interactive: true,
    };
    let report = engine.run_agent(name, task, options, tx).await;
    let _ = forward.await;
    Ok(report?)
}

/// Stops a running task; what it did is kept.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_stop(state: State<'_, AppState>, run_id: String) -> Result<(), IpcError> {
    state.engine()?.stop_agent_run(&run_id);
    Ok(())
}

/// Allows or declines a tool call waiting for approval.
#[tauri::command]
#[specta::specta]
pub(crate) async fn agent_approve(
    state: State<'_, AppState>,
    call_id: String,
    approve: bool,
) -> Result<(), IpcError> {
    Ok(state.engine()?.answer_approval(&call_id, approve)?)
}

/// Every configured MCP server, with its variables' names and masked values (never the values,
/// which stay in the OS keychain).
#[tauri::command]
#[specta::specta]
pub(crate) async fn mcp_servers_list(
    state: State<'_, AppState>,
) -> Result<Vec<McpServer>, IpcError> {
    Ok(state.engine()?.mcp_servers().await?)
}

/// Adds or replaces an MCP server; a variable sent without a value keeps the stored one.
#[tauri::command]
#[specta::specta]
pub(crate) async fn mcp_server_save(
    app: AppHandle,
    state: State<'_, AppState>,
    server: McpServer,
) -> Result<(), IpcError> {
    let engine = state.engine()?;
    crate::consent::require(&app, engine.consent_for_mcp_server(&server).await?).await?;
    Ok(engine.save_mcp_server(server).await?)
}

/// Forgets an MCP server.
#[tauri::command]
#[specta::specta]
pub(crate) async fn mcp_server_delete(
    state: State<'_, AppState>,
    name: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_mcp_server(name).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(index: u32, text: &str) -> AgentEvent {
        AgentEvent::Delta {
            index,
            text: text.into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_steps_deltas_merge_and_other_events_keep_their_place() {
        let (tx, rx) = mpsc::channel(64);
        let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = sent.clone();
        let task = tokio::spawn(forward_batched(rx, move |e| {
            sink.lock().unwrap().push(e);
            true
        }));
        for t in ["a", "b", "c"] {
            tx.send(delta(0, t)).await.unwrap();
        }
        let waiting = AgentEvent::Waiting {
            ms: 5,
            reason: "rate limit".into(),
        };
        tx.send(waiting.clone()).await.unwrap();
        tx.send(delta(0, "d")).await.unwrap();
        tx.send(delta(1, "e")).await.unwrap();
        tx.send(delta(1, "f")).await.unwrap();
        drop(tx);
        task.await.unwrap();
        assert_eq!(
            *sent.lock().unwrap(),
            vec![delta(0, "abc"), waiting, delta(0, "d"), delta(1, "ef")]
        );
    }
}
