//! Running one task: the run is recorded before the first step and its report rewritten after
//! every step, so neither a failure nor a crash loses what the agent did.

use std::sync::PoisonError;

use switchboard_agents::tools::Toolbox;
use switchboard_agents::{
    AgentEvent, Approver, RunEvent, Step, Task, TaskReport, ToolGrant, run_task,
};
use switchboard_core::{Delta, RunId, RunStatus, Usd};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::model::RouterModel;
use super::{AgentRuns, json};
use crate::EngineError;

/// How a run may proceed without the user.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Run side-effecting tool calls without asking (the CLI's `--yes`). Off: each waits for
    /// [`Agents::answer_approval`], or is declined when nobody is there to ask.
    pub auto_approve: bool,
    /// Someone can answer approvals (the desktop app); without, side-effecting calls are
    /// declined and the model is told so.
    pub interactive: bool,
}

/// Asks through the event stream and waits for [`Agents::answer_approval`].
struct AskUser<'a> {
    runs: &'a AgentRuns,
    events: &'a mpsc::Sender<AgentEvent>,
    cancel: &'a CancellationToken,
    options: RunOptions,
}

impl Approver for AskUser<'_> {
    async fn approve(&self, tool: &str, args: &serde_json::Value) -> bool {
        if self.options.auto_approve {
            return true;
        }
        if !self.options.interactive {
            return false;
        }
        let call_id = uuid::Uuid::now_v7().to_string();
        let (tx, rx) = oneshot::channel();
        self.runs
            .approvals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(call_id.clone(), tx);
        let asked = self
            .events
            .send(AgentEvent::Approval {
                call_id: call_id.clone(),
                tool: tool.to_owned(),
                args: args.clone(),
            })
            .await;
        let answer = if asked.is_err() {
            false
        } else {
            tokio::select! {
                a = rx => a.unwrap_or(false),
                () = self.cancel.cancelled() => false,
            }
        };
        self.runs
            .approvals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&call_id);
        answer
    }
}

/// The report as it stands, rebuilt from finished steps, for saving mid-run.
fn so_far(steps: &[Step]) -> TaskReport {
    TaskReport {
        result: String::new(),
        cost_usd: steps.iter().fold(Usd::default(), |a, s| a + s.cost_usd),
        tokens: steps.iter().map(|s| s.tokens).sum(),
        steps: steps.to_vec(),
        error: None,
    }
}

impl crate::Agents<'_> {
    /// Runs `task` with the agent `name`, streaming progress on `events` (the first event is
    /// `Started` with the run's id). Returns the report; a task that fails or is stopped is
    /// still `Ok` with `report.error` set, since what it did and spent is real.
    pub async fn run(
        &self,
        name: String,
        task: Task,
        options: RunOptions,
        events: mpsc::Sender<AgentEvent>,
    ) -> Result<TaskReport, EngineError> {
        if task.title.trim().is_empty() && task.description.trim().is_empty() {
            return Err(EngineError::invalid("describe the task first"));
        }
        let super::AgentDetail { spec, mut memory } = self.agents().get(name.clone()).await?;
        spec.validate(&self.mcp_server_configs().await?)?;
        // Only the granted servers' values leave the keychain.
        let granted = spec
            .tools
            .iter()
            .filter_map(|grant| match grant {
                ToolGrant::Mcp { server } => Some(server.clone()),
                _ => None,
            })
            .collect();
        let servers = self.mcp_servers_to_start(granted).await?;
        let tools = Toolbox::open(&spec.tools, &servers).await?;

        let run_id = RunId::new();
        let task_json = json("the task", &task)?;
        {
            let (id, agent) = (run_id.clone(), name.clone());
            self.blocking(move |inner| Ok(inner.store.start_run(&id, &agent, &task_json)?))
                .await?;
        }
        let cancel = CancellationToken::new();
        let runs = &self.inner.agent_runs;
        runs.cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(run_id.clone(), cancel.clone());
        let _ = events
            .send(AgentEvent::Started {
                run_id: run_id.clone(),
            })
            .await;

        // Steps are saved by a writer task so the loop's event callback never blocks on disk.
        let (saves, mut to_save) = mpsc::unbounded_channel::<TaskReport>();
        let writer = {
            let engine = self.engine.clone();
            let id = run_id.clone();
            tokio::spawn(async move {
                while let Some(report) = to_save.recv().await {
                    let id = id.clone();
                    let saved = engine
                        .blocking(move |inner| {
                            let text = json("the report", &report)?;
                            Ok(inner.store.save_run(&id, &text, RunStatus::Running)?)
                        })
                        .await;
                    if let Err(e) = saved {
                        tracing::warn!(error = %e, "could not save an agent step");
                    }
                }
            })
        };

        let model = RouterModel {
            engine: self,
            cancel: &cancel,
            events: &events,
        };
        let approver = AskUser {
            runs,
            events: &events,
            cancel: &cancel,
            options,
        };
        let mut finished = Vec::<Step>::new();
        let mut current = 0_u32;
        let mut on_event = |e: RunEvent<'_>| match e {
            RunEvent::Started { index, kind, label } => {
                current = u32::try_from(index).unwrap_or(u32::MAX);
                let _ = events.try_send(AgentEvent::StepStarted {
                    index: current,
                    kind,
                    label: label.to_owned(),
                });
            }
            RunEvent::Delta(Delta::Text { text }) => {
                let _ = events.try_send(AgentEvent::Delta {
                    index: current,
                    text: text.clone(),
                });
            }
            RunEvent::Delta(_) | RunEvent::Approval { .. } => {}
            RunEvent::Finished(step) => {
                finished.push(step.clone());
                let _ = saves.send(so_far(&finished));
                let _ = events.try_send(AgentEvent::StepFinished {
                    index: u32::try_from(finished.len() - 1).unwrap_or(u32::MAX),
                    step: step.clone(),
                });
            }
        };
        let report = run_task(
            &spec,
            &task,
            &mut memory,
            &model,
            &tools,
            &approver,
            &cancel,
            &mut on_event,
        )
        .await;
        drop(saves);
        let _ = writer.await;
        runs.cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&run_id);

        let status = match &report.error {
            None => RunStatus::Done,
            Some(_) if cancel.is_cancelled() => RunStatus::Stopped,
            Some(_) => RunStatus::Failed,
        };
        let report_json = json("the report", &report)?;
        let memory_json = json("the memory", &memory)?;
        self.blocking(move |inner| {
            inner.store.save_run(&run_id, &report_json, status)?;
            // A deleted-while-running agent has no memory to keep; its run stays in history.
            match inner.store.put_agent_memory(&name, &memory_json) {
                Ok(()) | Err(switchboard_store::StoreError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        let _ = events
            .send(AgentEvent::Finished {
                report: report.clone(),
            })
            .await;
        Ok(report)
    }
}
