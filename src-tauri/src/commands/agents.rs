//! The Agents screen: agents and their templates, memory, MCP servers, runs with a live trace,
//! and answers to tool calls waiting for approval.

use switchboard_engine::RunOptions;
use switchboard_engine::agent::{
    AgentEvent, AgentSpec, McpServer, Memory, RunView, Task, TaskReport, Template,
};
use tauri::State;
use tauri::ipc::Channel;
use tokio::sync::mpsc;

use crate::error::IpcError;
use crate::state::AppState;

/// Enough for a burst of deltas while the webview is busy; the engine never waits on it for
/// deltas (they are `try_send`), only for the few events that must arrive.
const EVENT_BUFFER: usize = 1024;

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
    let (tx, mut rx) = mpsc::channel(EVENT_BUFFER);
    let forward = tokio::spawn(async move {
        let mut open = true;
        while let Some(first) = rx.recv().await {
            // Deltas that queued up while the webview was busy go as one.
            let mut event = first;
            while let AgentEvent::Delta { index, text } = &mut event {
                match rx.try_recv() {
                    Ok(AgentEvent::Delta { index: i, text: t }) if i == *index => {
                        text.push_str(&t);
                    }
                    Ok(next) => {
                        if open {
                            open = on_event.send(event).is_ok();
                        }
                        event = next;
                    }
                    Err(_) => break,
                }
            }
            if open {
                open = on_event.send(event).is_ok();
            }
        }
    });
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

/// Every configured MCP server.
#[tauri::command]
#[specta::specta]
pub(crate) async fn mcp_servers_list(
    state: State<'_, AppState>,
) -> Result<Vec<McpServer>, IpcError> {
    Ok(state.engine()?.mcp_servers().await?)
}

/// Adds or replaces an MCP server.
#[tauri::command]
#[specta::specta]
pub(crate) async fn mcp_server_save(
    state: State<'_, AppState>,
    server: McpServer,
) -> Result<(), IpcError> {
    Ok(state.engine()?.save_mcp_server(server).await?)
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
