//! What can go wrong running an agent, apart from what the model call itself reports.

use switchboard_core::{ErrorCode, ErrorInfo};

/// An agent-level failure.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The spec or task is not usable as written.
    #[error("{0}")]
    Invalid(String),
    /// A model call failed; `error.retryable` says whether trying again (or escalating) may
    /// help.
    #[error("{error}")]
    Model {
        /// Said to the user as is, with the code the router or the provider gave it.
        error: ErrorInfo,
        /// The router or a budget refused it before anything was sent.
        refused: bool,
    },
    /// A tool failed; the model is told and may carry on.
    #[error("tool {tool}: {message}")]
    Tool {
        /// Which tool.
        tool: String,
        /// What happened.
        message: String,
    },
    /// The user stopped the task.
    #[error("stopped")]
    Stopped,
}

impl AgentError {
    /// A model failure.
    pub fn model(error: ErrorInfo) -> Self {
        Self::Model {
            error,
            refused: false,
        }
    }

    /// A model call refused before anything was sent (a budget): the task ends, whatever its
    /// plan.
    pub fn refused(error: ErrorInfo) -> Self {
        Self::Model {
            error,
            refused: true,
        }
    }

    /// A tool failure.
    pub fn tool(tool: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Tool {
            tool: tool.into(),
            message: message.into(),
        }
    }

    /// Whether trying again, or another model, may help.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::Model { error, .. } if error.retryable)
    }

    /// The envelope a task report carries; the message is this error's own sentence.
    pub fn info(&self) -> ErrorInfo {
        match self {
            Self::Invalid(message) => ErrorInfo::new(ErrorCode::InvalidInput, message.clone()),
            Self::Model { error, .. } => error.clone(),
            // A tool's failure is the model's to read; it reaches a report only if a model
            // implementation returns one, which is a bug.
            Self::Tool { .. } => ErrorInfo::new(ErrorCode::Internal, self.to_string()),
            Self::Stopped => ErrorInfo::new(ErrorCode::Cancelled, self.to_string()),
        }
    }
}
