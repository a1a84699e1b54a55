//! A task handed to an agent, and the report of how it went.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchboard_core::Usd;

/// What the user asks an agent to do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Task {
    /// A short name.
    pub title: String,
    /// What to do.
    pub description: String,
    /// Named inputs (a file's text, a language, a JSON schema…), given to the model verbatim.
    pub inputs: BTreeMap<String, String>,
}

/// What kind of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A model turn.
    Model,
    /// A tool call.
    Tool,
    /// Older memory summarized by a model.
    Summary,
    /// A failed model replaced by the next one up (cost-aware plan) or a stage's fallback.
    Escalation,
}

/// One step of a task, as the trace shows it and the CLI prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    /// What kind.
    pub kind: StepKind,
    /// The model that served (model and summary steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The tool called (tool steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// What it cost (zero for tools).
    pub cost_usd: Usd,
    /// Input plus output tokens.
    pub tokens: u64,
    /// Wall time, ms.
    pub ms: u64,
    /// The stage it belongs to (staged plans), e.g. "draft".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// A short account: the model's text, the tool's arguments and result, the error.
    pub detail: String,
    /// Set when the step failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How a task ended: its result, what it cost and every step. When it failed or was stopped,
/// `error` says why and `steps`, `cost_usd` and any partial result are still here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskReport {
    /// The final answer (or the last text the model gave, when the task did not finish).
    pub result: String,
    /// Everything the task spent.
    pub cost_usd: Usd,
    /// Every token it used.
    pub tokens: u64,
    /// In order.
    pub steps: Vec<Step>,
    /// Why it did not finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
