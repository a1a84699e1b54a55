//! Owned progress events of a task run, as the desktop app streams them to the Agents screen.

use serde::{Deserialize, Serialize};
use switchboard_core::{RunId, RunStatus};

use crate::{Step, StepKind, TaskReport};

/// One event of a running task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// The run exists: stop it or answer approvals by this id.
    Started {
        /// The run's id.
        run_id: RunId,
    },
    /// A step begins.
    StepStarted {
        /// Its index in the report's steps.
        index: u32,
        /// What kind.
        kind: StepKind,
        /// The model, route or tool.
        label: String,
    },
    /// Text of the running model step, batched.
    Delta {
        /// The step.
        index: u32,
        /// New answer text.
        text: String,
    },
    /// Held back by a rate limit, a concurrency cap or a `Retry-After`.
    Waiting {
        /// For how long, ms.
        ms: u64,
        /// Why.
        reason: String,
    },
    /// A step ended.
    StepFinished {
        /// Its index.
        index: u32,
        /// The step, with its cost.
        step: Step,
    },
    /// A tool call with side effects waits for the user.
    Approval {
        /// Answer with this id.
        call_id: String,
        /// The tool.
        tool: String,
        /// Its arguments.
        args: serde_json::Value,
    },
    /// The run ended (also when it failed or was stopped; see `report.error`).
    Finished {
        /// Everything.
        report: TaskReport,
    },
}

/// A run as the Agents screen lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunView {
    /// Its id.
    pub id: RunId,
    /// The agent that ran it.
    pub agent: String,
    /// What it was asked.
    pub task: crate::Task,
    /// What it did (so far, for a running or interrupted run).
    pub report: Option<TaskReport>,
    /// Where it stands.
    pub status: RunStatus,
    /// Unix ms.
    pub started_ms: f64,
    /// Unix ms.
    pub finished_ms: Option<f64>,
}
