//! Conversation memory: what an agent remembers between tasks, kept within a token budget.

use serde::{Deserialize, Serialize};
use switchboard_core::{Message, Role};

use crate::MemoryPolicy;

/// One remembered turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemoryTurn {
    /// User (the task) or assistant (the result).
    pub role: Role,
    /// Its text.
    pub text: String,
    /// Its estimated size.
    pub tokens: u32,
}

/// An agent's memory, persisted by the engine per agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Memory {
    /// Facts the user pinned: always in the prompt, never summarized away.
    pub pinned: Vec<String>,
    /// A summary of turns folded away.
    pub summary: Option<String>,
    /// Turns since, oldest first.
    pub turns: Vec<MemoryTurn>,
}

/// A rough token count: about four bytes a token for English text and code. The window only
/// needs to be roughly right, and a tokenizer per model is not worth carrying for that.
pub(crate) fn estimate_tokens(text: &str) -> u32 {
    let tokens = text.len().div_ceil(4).max(1);
    u32::try_from(tokens).unwrap_or(u32::MAX)
}

impl Memory {
    /// Remembers a turn.
    pub fn push(&mut self, role: Role, text: impl Into<String>) {
        let text = text.into();
        let tokens = estimate_tokens(&text);
        self.turns.push(MemoryTurn { role, text, tokens });
    }

    /// How many of the oldest turns must be folded into the summary to fit `policy`'s window
    /// (never the `keep_recent` newest); `None` when it fits.
    ///
    /// Memory fits when the summary and the turns together take at most `window_tokens`. When
    /// folding every turn it may touch still does not fit, it folds all of those: the new
    /// summary is usually shorter than what it replaces. `None` also when nothing may be folded
    /// (every turn is among the `keep_recent`), since a summary call could not help.
    pub fn overflow(&self, policy: &MemoryPolicy) -> Option<usize> {
        let window = u64::from(policy.window_tokens);
        let summary = self
            .summary
            .as_deref()
            .map_or(0, |s| u64::from(estimate_tokens(s)));
        let mut total = summary + self.turns.iter().map(|t| u64::from(t.tokens)).sum::<u64>();
        if total <= window {
            return None;
        }
        let keep = usize::try_from(policy.keep_recent).unwrap_or(usize::MAX);
        let foldable = self.turns.len().saturating_sub(keep);
        if foldable == 0 {
            return None;
        }
        let mut n = 0;
        for turn in &self.turns[..foldable] {
            total -= u64::from(turn.tokens);
            n += 1;
            if total <= window {
                break;
            }
        }
        Some(n)
    }

    /// Replaces the `n` oldest turns with `summary` (which already covers the old summary).
    pub fn fold(&mut self, n: usize, summary: String) {
        let n = n.min(self.turns.len());
        self.turns.drain(..n);
        self.summary = Some(summary);
    }

    /// The memory as prompt messages: pinned facts and summary as one system message, then
    /// the turns.
    pub fn messages(&self) -> Vec<Message> {
        let mut context = Vec::new();
        if !self.pinned.is_empty() {
            let facts: Vec<String> = self.pinned.iter().map(|f| format!("- {f}")).collect();
            context.push(format!("Facts to keep in mind:\n{}", facts.join("\n")));
        }
        if let Some(summary) = self.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            context.push(format!("Summary of earlier tasks:\n{summary}"));
        }
        let mut messages = Vec::with_capacity(self.turns.len() + 1);
        if !context.is_empty() {
            messages.push(Message::text(Role::System, context.join("\n\n")));
        }
        // Only user and assistant turns are remembered; anything else would be a malformed
        // conversation for the provider (a tool result without its call), so it reads as user
        // text.
        messages.extend(self.turns.iter().map(|t| {
            let role = match t.role {
                Role::Assistant => Role::Assistant,
                Role::System | Role::User | Role::Tool => Role::User,
            };
            Message::text(role, t.text.clone())
        }));
        messages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(window_tokens: u32, keep_recent: u32) -> MemoryPolicy {
        MemoryPolicy {
            window_tokens,
            keep_recent,
            summarize_with: None,
        }
    }

    #[test]
    fn push_estimates_a_token_per_four_bytes_and_at_least_one() {
        let mut m = Memory::default();
        m.push(Role::User, "");
        m.push(Role::User, "abcd");
        m.push(Role::Assistant, "abcde");
        let tokens: Vec<u32> = m.turns.iter().map(|t| t.tokens).collect();
        assert_eq!(tokens, [1, 1, 2]);
        assert_eq!(m.turns[2].role, Role::Assistant);
    }

    #[test]
    fn overflow_folds_just_enough_of_the_oldest_turns() {
        let mut m = Memory::default();
        for _ in 0..5 {
            m.push(Role::User, "x".repeat(40)); // 10 tokens each
        }
        assert_eq!(m.overflow(&policy(50, 1)), None, "50 of 50 fits");
        assert_eq!(m.overflow(&policy(49, 1)), Some(1));
        assert_eq!(m.overflow(&policy(25, 1)), Some(3));
        m.summary = Some("y".repeat(20)); // 5 tokens
        assert_eq!(m.overflow(&policy(50, 1)), Some(1), "the summary counts");
    }

    #[test]
    fn overflow_never_folds_the_recent_turns() {
        let mut m = Memory::default();
        for _ in 0..4 {
            m.push(Role::User, "x".repeat(40));
        }
        assert_eq!(
            m.overflow(&policy(5, 2)),
            Some(2),
            "folds all it may even when that is not enough"
        );
        assert_eq!(m.overflow(&policy(5, 4)), None, "nothing may be folded");
        assert_eq!(m.overflow(&policy(5, 10)), None);
    }

    #[test]
    fn fold_replaces_the_oldest_turns_with_the_summary() {
        let mut m = Memory::default();
        for text in ["a", "b", "c"] {
            m.push(Role::User, text);
        }
        m.fold(2, "a and b".into());
        assert_eq!(m.summary.as_deref(), Some("a and b"));
        assert_eq!(m.turns.len(), 1);
        assert_eq!(m.turns[0].text, "c");
        m.fold(9, "all".into());
        assert!(m.turns.is_empty(), "folding more than there is folds all");
    }

    #[test]
    fn messages_put_pins_and_summary_in_one_system_message() {
        let mut m = Memory::default();
        assert!(m.messages().is_empty(), "empty memory adds nothing");
        m.push(Role::User, "q");
        m.push(Role::Assistant, "a");
        let plain = m.messages();
        assert_eq!(plain.len(), 2, "no system message without pins or summary");
        assert_eq!(plain[0].role, Role::User);
        assert_eq!(plain[1].role, Role::Assistant);

        m.pinned = vec!["the repo uses tabs".into()];
        m.summary = Some("we fixed the parser".into());
        let msgs = m.messages();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[0].role, Role::System);
        let system = msgs[0].joined_text();
        assert!(system.contains("- the repo uses tabs"), "{system}");
        assert!(system.contains("we fixed the parser"), "{system}");
        assert_eq!(msgs[2].joined_text(), "a");
    }
}
