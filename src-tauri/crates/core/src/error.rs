//! The error envelope every front end receives.

use serde::{Deserialize, Serialize};

/// What went wrong, as a small set the UI and the router branch on.
///
/// A variant exists only if some consumer acts on it differently (shows a different hint, retries,
/// fails over). Everything else is [`ErrorCode::Internal`] with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input was rejected before anything happened (bad URL, empty key, unknown provider).
    InvalidInput,
    /// The thing named does not exist (any more).
    NotFound,
    /// The OS keychain (Secret Service, Keychain, Credential Manager) cannot be reached.
    KeychainUnavailable,
    /// The provider rejected the key (401, or 403 on key endpoints).
    Auth,
    /// No key is set for the provider asked for (Settings, or its environment variable, fixes
    /// it); nothing was sent.
    NoKey,
    /// The account has no credits left (402).
    NoCredits,
    /// The request was refused by moderation (403 on completions).
    Moderation,
    /// The upstream did not answer in time (408, or our own deadline).
    Timeout,
    /// Too many requests (429); `retry_after` travels with the provider error.
    RateLimited,
    /// The upstream or the provider behind it failed (5xx).
    Upstream,
    /// The upstream said the request itself was wrong (400); retrying will not help.
    BadRequest,
    /// No connection could be made (DNS, refused, TLS).
    Network,
    /// The upstream answered with something we could not understand.
    Decode,
    /// A budget's hard limit refuses the request (the message names the budget).
    BudgetExceeded,
    /// The disk is full; nothing already saved was lost.
    DiskFull,
    /// The local database failed for another reason.
    Storage,
    /// A bug or an unexpected state; the log has the details.
    Internal,
    /// The person cancelled what was under way (signing in with OpenRouter); nothing was
    /// saved, and there is nothing to show beyond that.
    Cancelled,
    /// The key has spent its own spending limit (OpenRouter's per-key `limit`): it is not
    /// tried again until the limit resets or is raised; another provider may serve.
    KeyLimitReached,
    /// A guardrail, or a workspace or guardrail budget, set by the OpenRouter team refused
    /// the request (the model, the provider or the budget is not allowed).
    GuardrailBlocked,
    /// A management key was used to run a model; it can only manage keys.
    ManagementKeyUsed,
    /// The key was disabled (on OpenRouter, or by the team's admin).
    KeyDisabled,
    /// The key has passed its expiry date.
    KeyExpired,
}

impl ErrorCode {
    /// Whether trying the same thing again later may succeed.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::RateLimited | Self::Upstream | Self::Network
        )
    }
}

/// `{code, message, retryable}`: the one error shape the UI handles, from commands and streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// What kind of failure this is.
    pub code: ErrorCode,
    /// A sentence for a person: what happened and, where we know, what to do about it.
    pub message: String,
    /// Whether trying again later may succeed.
    pub retryable: bool,
}

impl ErrorInfo {
    /// Builds an envelope whose `retryable` follows the code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retryable: code.retryable(),
        }
    }
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorInfo {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_message_retryable() {
        let info = ErrorInfo::new(ErrorCode::RateLimited, "slow down");
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "rate_limited", "message": "slow down", "retryable": true})
        );
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(!ErrorCode::Auth.retryable(), "a wrong key stays wrong");
        assert!(
            !ErrorCode::BadRequest.retryable(),
            "the same request fails the same way"
        );
        assert!(ErrorCode::Network.retryable());
        for code in [
            ErrorCode::KeyLimitReached,
            ErrorCode::GuardrailBlocked,
            ErrorCode::ManagementKeyUsed,
            ErrorCode::KeyDisabled,
            ErrorCode::KeyExpired,
        ] {
            assert!(
                !code.retryable(),
                "{code:?} stays refused until a person acts"
            );
        }
    }
}
