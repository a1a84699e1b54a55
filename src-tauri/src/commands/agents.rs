//! The Agents screen: agents and their templates, memory, MCP servers, runs with a live trace,
//! and answers to tool calls waiting for approval.

use switchboard_core::RunId;
use switchboard_engine::agent::{
    AgentEvent, AgentSpec, McpServer, Memory, RunView, Task, TaskReport, Template,
};
use switchboard_engine::{AgentDetail, RunOptions};
use tauri::AppHandle;
use tauri::ipc::Channel;
use tokio::sync::mpsc;

use super::chat::{Batched, forward_batched};

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

command! {
    /// The templates a new agent can start from.
    async fn agent_templates(engine) -> Vec<Template> {
        engine.agents().templates()
    }
}

command! {
    /// Every agent.
    async fn agents_list(engine) -> Vec<AgentSpec> {
        engine.agents().list().await?
    }
}

command! {
    /// One agent and its memory.
    async fn agent_get(engine, name: String) -> AgentDetail {
        engine.agents().get(name).await?
    }
}

command! {
    /// Creates (`previous` null) or updates an agent; a bad spec is refused with what to fix.
    async fn agent_save(engine, previous: Option<String>, spec: AgentSpec) -> AgentSpec {
        engine.agents().save(previous, spec).await?
    }
}

command! {
    /// Deletes an agent (its runs and spend stay in the history).
    async fn agent_delete(engine, name: String) -> () {
        engine.agents().delete(name).await?
    }
}

command! {
    /// Replaces an agent's memory: pinned facts, or forgetting.
    async fn agent_memory_save(engine, name: String, memory: Memory) -> () {
        engine.agents().set_memory(name, memory).await?
    }
}

command! {
    /// The newest runs of an agent (or of all, when `agent` is null).
    async fn agent_runs(engine, agent: Option<String>) -> Vec<RunView> {
        engine.agents().runs(agent, 50).await?
    }
}

command! {
    /// Runs a task; the trace streams on `on_event`, starting with the run's id. Resolves with the
    /// report, also when the task failed or was stopped (`report.error`).
    async fn agent_run(
        engine,
        name: String,
        task: Task,
        on_event: Channel<AgentEvent>,
    ) -> TaskReport {
        let engine = engine.clone();
        let (tx, rx) = mpsc::channel(EVENT_BUFFER);
        let forward = tokio::spawn(forward_batched(rx, move |event| {
            on_event.send(event).is_ok()
        }));
        let options = RunOptions {
            auto_approve: false,
            interactive: true,
        };
        let report = engine.agents().run(name, task, options, tx).await;
        let _ = forward.await;
        report?
    }
}

command! {
    /// Stops a running task; what it did is kept.
    async fn agent_stop(engine, run_id: RunId) -> () {
        engine.agents().stop_run(&run_id);
    }
}

command! {
    /// Allows or declines a tool call waiting for approval.
    async fn agent_approve(engine, call_id: String, approve: bool) -> () {
        engine.agents().answer_approval(&call_id, approve)?
    }
}

command! {
    /// Every configured MCP server, with its variables' names and masked values (never the values,
    /// which stay in the OS keychain).
    async fn mcp_servers_list(engine) -> Vec<McpServer> {
        engine.agents().mcp_servers().await?
    }
}

command! {
    /// Adds or replaces an MCP server; a variable sent without a value keeps the stored one.
    async fn mcp_server_save(engine, app: AppHandle, server: McpServer) -> () {
        crate::consent::require(&app, engine.agents().consent_for_mcp_server(&server).await?)
            .await?;
        engine.agents().save_mcp_server(server).await?
    }
}

command! {
    /// Forgets an MCP server.
    async fn mcp_server_delete(engine, name: String) -> () {
        engine.agents().delete_mcp_server(name).await?
    }
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
