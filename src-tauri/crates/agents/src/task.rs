//! A task handed to an agent, and the report of how it went.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use switchboard_core::{ErrorCode, ErrorInfo, Usd};

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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "stored_error"
    )]
    // What is sent is always the envelope; only reading old saved reports takes a sentence.
    #[cfg_attr(feature = "specta", specta(type = Option<ErrorInfo>))]
    pub error: Option<ErrorInfo>,
}

/// A report's error as saved: an [`ErrorInfo`], or the bare sentence reports were saved with
/// before they carried a code. Such a sentence is kept word for word; `stopped` was the user's
/// stop, and anything else cannot be told apart any more, so it is `internal`.
fn stored_error<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ErrorInfo>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Info(ErrorInfo),
        Sentence(String),
    }
    Ok(
        Option::<Stored>::deserialize(d)?.map(|stored| match stored {
            Stored::Info(info) => info,
            Stored::Sentence(message) if message == "stopped" => {
                ErrorInfo::new(ErrorCode::Cancelled, message)
            }
            Stored::Sentence(message) => ErrorInfo::new(ErrorCode::Internal, message),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_saved_with_a_bare_error_sentence_still_read() {
        let old = r#"{"result":"","cost_usd":"0","tokens":0,"steps":[],"error":"HTTP 500"}"#;
        let report: TaskReport = serde_json::from_str(old).unwrap();
        let error = report.error.unwrap();
        assert_eq!(
            (error.code, error.message.as_str()),
            (ErrorCode::Internal, "HTTP 500")
        );
        let stopped = old.replace("HTTP 500", "stopped");
        let report: TaskReport = serde_json::from_str(&stopped).unwrap();
        assert_eq!(report.error.unwrap().code, ErrorCode::Cancelled);
        let none = r#"{"result":"","cost_usd":"0","tokens":0,"steps":[]}"#;
        assert_eq!(
            serde_json::from_str::<TaskReport>(none).unwrap().error,
            None
        );
    }

    #[test]
    fn a_reports_error_round_trips_as_an_envelope() {
        let report = TaskReport {
            result: String::new(),
            cost_usd: Usd::ZERO,
            tokens: 0,
            steps: Vec::new(),
            error: Some(ErrorInfo::new(ErrorCode::BudgetExceeded, "spent")),
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["error"],
            serde_json::json!({"code": "budget_exceeded", "message": "spent", "retryable": false})
        );
        assert_eq!(serde_json::from_value::<TaskReport>(json).unwrap(), report);
    }
}
