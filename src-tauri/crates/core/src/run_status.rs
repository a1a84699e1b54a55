//! How far an agent run got. Here rather than in the agents crate because the store keeps it
//! too, and the store does not depend on agents.

use serde::{Deserialize, Serialize};

/// Where an agent run stands. On the wire and in the `agent_run.status` column it is the
/// lowercase word (`running`, `done`, …), as it was when this was a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Under way.
    Running,
    /// Finished with an answer.
    Done,
    /// Ended early: a model failed, the budget or step cap ran out, a call was refused.
    Failed,
    /// The user stopped it.
    Stopped,
    /// The app quit or crashed while it ran; its report so far is kept.
    Interrupted,
}

impl RunStatus {
    /// Every status, in the order a run may pass through them.
    pub const ALL: [Self; 5] = [
        Self::Running,
        Self::Done,
        Self::Failed,
        Self::Stopped,
        Self::Interrupted,
    ];

    /// The word as the wire and the store spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
            Self::Interrupted => "interrupted",
        }
    }

    /// The status a stored word names, `None` for a word this version does not know.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// Whether the run has ended.
    pub fn is_finished(self) -> bool {
        self != Self::Running
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_keep_their_wire_and_stored_words() {
        for status in RunStatus::ALL {
            let word = status.as_str();
            assert_eq!(serde_json::to_value(status).unwrap(), word);
            assert_eq!(
                serde_json::from_value::<RunStatus>(word.into()).unwrap(),
                status
            );
            assert_eq!(RunStatus::parse(word), Some(status));
        }
        assert_eq!(RunStatus::parse("paused"), None);
        assert!(!RunStatus::Running.is_finished());
        assert!(RunStatus::Interrupted.is_finished());
    }
}
