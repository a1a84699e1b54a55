//! What can go wrong running an agent, apart from what the model call itself reports.

/// An agent-level failure.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The spec or task is not usable as written.
    #[error("{0}")]
    Invalid(String),
    /// A model call failed; `retryable` says whether trying again (or escalating) may help.
    #[error("{message}")]
    Model {
        /// Said to the user as is.
        message: String,
        /// Worth another try or another model.
        retryable: bool,
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
    pub fn model(message: impl Into<String>, retryable: bool) -> Self {
        Self::Model {
            message: message.into(),
            retryable,
            refused: false,
        }
    }

    /// A tool failure.
    pub fn tool(tool: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Tool {
            tool: tool.into(),
            message: message.into(),
        }
    }
}
