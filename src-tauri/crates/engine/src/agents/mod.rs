//! Agents as the app keeps them: specs, memory and MCP servers in SQLite, runs recorded step
//! by step, and tasks run through the router (see `model.rs`) so rules, failover, limits and
//! budgets apply to agents exactly as to chats.

mod mcp;
mod model;
mod run;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use switchboard_agents::{AgentError, AgentSpec, Memory, RunView, Template};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use switchboard_core::RunId;

use crate::EngineError;

pub use run::RunOptions;

/// An agent with its memory, for the editor.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AgentDetail {
    /// What the agent is.
    pub spec: AgentSpec,
    /// What it remembers.
    pub memory: Memory,
}

handle! {
    /// Agents: their specs, memory, runs and the MCP servers they use.
    Agents, agents
}

/// Runs in flight: how to stop each, and the tool calls waiting for the user.
#[derive(Debug, Default)]
pub(crate) struct AgentRuns {
    cancels: Mutex<HashMap<RunId, CancellationToken>>,
    approvals: Mutex<HashMap<String, oneshot::Sender<bool>>>,
}

// Only checking a spec and opening its tools fail as use cases (a run's model and tool
// failures end up in its report), and both fail with `AgentError::Invalid`: something the user
// wrote that they can fix.
impl From<AgentError> for EngineError {
    fn from(e: AgentError) -> Self {
        Self::InvalidInput {
            message: e.to_string(),
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, EngineError> {
    serde_json::from_str(json).map_err(|e| EngineError::Internal {
        context: format!("a stored {what} does not parse: {e}"),
    })
}

fn json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, EngineError> {
    serde_json::to_string(value).map_err(|e| EngineError::Internal {
        context: format!("{what} does not serialize: {e}"),
    })
}

impl crate::Agents<'_> {
    /// The templates new agents start from.
    pub fn templates(&self) -> Vec<Template> {
        switchboard_agents::templates()
    }

    /// Every agent, by name.
    pub async fn list(&self) -> Result<Vec<AgentSpec>, EngineError> {
        let rows = self.blocking(|inner| Ok(inner.store.agents()?)).await?;
        rows.iter().map(|(_, spec)| parse("agent", spec)).collect()
    }

    /// One agent and its memory.
    pub async fn get(&self, name: String) -> Result<AgentDetail, EngineError> {
        let (spec, memory) = self
            .blocking(move |inner| Ok(inner.store.agent(&name)?))
            .await?;
        Ok(AgentDetail {
            spec: parse("agent", &spec)?,
            memory: parse("agent memory", &memory)?,
        })
    }

    /// Creates an agent (`previous` = `None`) or updates the one named `previous` (renaming
    /// it when the name changed). The spec is checked first; nothing is saved if it is bad.
    pub async fn save(
        &self,
        previous: Option<String>,
        spec: AgentSpec,
    ) -> Result<AgentSpec, EngineError> {
        let servers = self.mcp_server_configs().await?;
        spec.validate(&servers)?;
        let text = json("the agent", &spec)?;
        let name = spec.name.clone();
        self.blocking(move |inner| Ok(inner.store.put_agent(previous.as_deref(), &name, &text)?))
            .await?;
        Ok(spec)
    }

    /// Deletes an agent and its memory; its past runs and spend stay in the history.
    pub async fn delete(&self, name: String) -> Result<(), EngineError> {
        self.blocking(move |inner| Ok(inner.store.delete_agent(&name)?))
            .await
    }

    /// Replaces an agent's memory (pinning or unpinning facts, forgetting turns).
    pub async fn set_memory(&self, name: String, memory: Memory) -> Result<(), EngineError> {
        let text = json("the memory", &memory)?;
        self.blocking(move |inner| Ok(inner.store.put_agent_memory(&name, &text)?))
            .await
    }

    /// The newest runs, of one agent or of all.
    pub async fn runs(
        &self,
        agent: Option<String>,
        limit: u32,
    ) -> Result<Vec<RunView>, EngineError> {
        let rows = self
            .blocking(move |inner| Ok(inner.store.runs(agent.as_deref(), limit)?))
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(RunView {
                    task: parse("task", &r.task)?,
                    report: r
                        .report
                        .as_deref()
                        .map(|t| parse("report", t))
                        .transpose()?,
                    id: r.id,
                    agent: r.agent,
                    status: r.status,
                    started_ms: r.started_ms as f64,
                    finished_ms: r.finished_ms.map(|ms| ms as f64),
                })
            })
            .collect()
    }

    /// Stops a running task; what it did so far is kept.
    pub fn stop_run(&self, run_id: &RunId) {
        let cancels = self
            .inner
            .agent_runs
            .cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(token) = cancels.get(run_id) {
            token.cancel();
        }
    }

    /// The user's answer to a tool call waiting for approval.
    pub fn answer_approval(&self, call_id: &str, approve: bool) -> Result<(), EngineError> {
        let waiting = self
            .inner
            .agent_runs
            .approvals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(call_id);
        match waiting {
            Some(tx) => {
                let _ = tx.send(approve);
                Ok(())
            }
            None => Err(EngineError::invalid(
                "that tool call is no longer waiting (the task ended or was stopped)",
            )),
        }
    }
}
