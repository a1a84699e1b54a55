//! Refusals that come from the key itself rather than from the request or the account's
//! balance: a key that spent its own limit, a team guardrail or budget, a management key used
//! to run a model, a disabled or an expired key.
//!
//! Each gets its own [`ErrorCode`] because each asks something different of the person, and
//! none is worth trying again on the same key: the router moves on (or stops) instead.
//!
//! OpenRouter gives these no machine-readable code, so they are told apart by status and
//! wording (`docs/upstream-apis.md` §4.2):
//! - a key over its limit: documented as 402; observed in public bug reports as
//!   `403 Key limit exceeded (monthly limit). Manage it using https://openrouter.ai/settings/keys`
//!   (2025-01 and 2026-02), so both statuses are read, by the words "key limit";
//! - a guardrail or budget block: 402 in one copy of the 2026 guardrails announcement, 403 in
//!   another; workspace budgets answer `403 Workspace monthly budget of $500.00 exceeded.`;
//! - a management key on an inference endpoint, a disabled key, an expired key: 401 or 403
//!   whose message says so. The exact wording of these three is not documented; the words
//!   matched are the ones any such message must contain.

use crate::ErrorCode;

/// Why the key could not be used for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyRefusal {
    /// The key spent its own spending limit (`limit_remaining` is 0).
    OverLimit,
    /// A guardrail or a budget (guardrail or workspace) refused the request.
    Guardrail,
    /// A management key was sent to run a model.
    ManagementKey,
    /// The key is disabled.
    Disabled,
    /// The key is past its expiry.
    Expired,
}

impl KeyRefusal {
    /// Reads a refusal from an error answer's status and message; `None` when it is some other
    /// failure. `has_reasons` is true when the body lists moderation reasons, which makes a
    /// 403 a moderation refusal whatever its words.
    pub(crate) fn classify(status: u16, message: &str, has_reasons: bool) -> Option<Self> {
        if !matches!(status, 401..=403) || has_reasons {
            return None;
        }
        let m = message.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| m.contains(w));
        let refused = status != 402;
        if refused && mentions_management_key_for_inference(&m) {
            return Some(Self::ManagementKey);
        }
        if status != 401 && has(&["key limit", "key's limit"]) {
            return Some(Self::OverLimit);
        }
        if status != 401 && mentions_guardrail(&m) {
            return Some(Self::Guardrail);
        }
        if refused && has(&["disabled"]) && (status == 401 || has(&["key"])) {
            return Some(Self::Disabled);
        }
        if refused && has(&["expired"]) && has(&["key", "token", "session"]) {
            return Some(Self::Expired);
        }
        None
    }

    /// The code the UI and the router act on.
    pub fn code(self) -> ErrorCode {
        match self {
            Self::OverLimit => ErrorCode::KeyLimitReached,
            Self::Guardrail => ErrorCode::GuardrailBlocked,
            Self::ManagementKey => ErrorCode::ManagementKeyUsed,
            Self::Disabled => ErrorCode::KeyDisabled,
            Self::Expired => ErrorCode::KeyExpired,
        }
    }

    /// What happened and what to do, as a phrase that follows "answered <status> for <call>:".
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            Self::OverLimit => {
                "this key has used up its own spending limit, so it was not tried again; raise \
                 the key's limit (OpenRouter's keys page, or Team in Switchboard) or wait for it \
                 to reset"
            }
            Self::Guardrail => {
                "a guardrail or budget set for this key or team refused the request; pick a \
                 model and provider the guardrail allows, or ask the team's admin to allow it or \
                 raise the budget"
            }
            Self::ManagementKey => {
                "this is a management key, which can manage keys but cannot run models; put an \
                 inference key in Settings for chatting and keep the management key in Team"
            }
            Self::Disabled => {
                "this key is disabled; enable it again (OpenRouter's keys page, or Team in \
                 Switchboard) or replace it in Settings"
            }
            Self::Expired => {
                "this key has expired; create a new key (or sign in with OpenRouter again) and \
                 replace it in Settings"
            }
        }
    }

    /// The start of a message when the call is not known: `This key has used up …`.
    pub(crate) fn headline(self) -> &'static str {
        match self {
            Self::OverLimit => "The key has used up its own spending limit",
            Self::Guardrail => "A guardrail or budget refused the request",
            Self::ManagementKey => "A management key cannot run models",
            Self::Disabled => "The key is disabled",
            Self::Expired => "The key has expired",
        }
    }
}

/// A management (formerly "provisioning") key told it cannot run models, told apart from a
/// management-only endpoint saying it needs one ("Only management keys can fetch credits").
fn mentions_management_key_for_inference(m: &str) -> bool {
    let names_it = ["management key", "management api key", "provisioning key"]
        .iter()
        .any(|w| m.contains(w));
    let for_inference = [
        "inference",
        "cannot be used",
        "can't be used",
        "can not be used",
        "completion",
        "run models",
    ]
    .iter()
    .any(|w| m.contains(w));
    let asks_for_one = [
        "only management",
        "required",
        "requires",
        "need a management",
    ]
    .iter()
    .any(|w| m.contains(w));
    names_it && for_inference && !asks_for_one
}

/// A guardrail, or a guardrail or workspace budget. "Policy" alone counts only when it is not
/// a provider's content or usage policy, which is moderation.
fn mentions_guardrail(m: &str) -> bool {
    let direct = ["guardrail", "workspace budget", "budget"]
        .iter()
        .any(|w| m.contains(w));
    let policy = m.contains("policy")
        && !["content policy", "usage polic", "acceptable use"]
            .iter()
            .any(|w| m.contains(w));
    direct || policy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(status: u16, message: &str) -> Option<KeyRefusal> {
        KeyRefusal::classify(status, message, false)
    }

    #[test]
    fn a_key_over_its_limit_is_read_from_402_and_from_the_observed_403() {
        let observed = "Key limit exceeded (monthly limit). Manage it using https://openrouter.ai/settings/keys";
        assert_eq!(of(403, observed), Some(KeyRefusal::OverLimit));
        assert_eq!(of(402, observed), Some(KeyRefusal::OverLimit));
        assert_eq!(
            of(402, "Key limit exceeded (total limit)"),
            Some(KeyRefusal::OverLimit)
        );
    }

    #[test]
    fn spent_credits_stay_a_credits_problem() {
        for message in [
            "Insufficient credits. Add more using https://openrouter.ai/credits",
            "This request requires more credits, or fewer max_tokens. You requested up to 32000 \
             tokens, but can only afford 0.",
        ] {
            assert_eq!(of(402, message), None, "{message}");
        }
    }

    #[test]
    fn guardrails_and_budgets_are_read_from_402_and_403() {
        for status in [402, 403] {
            for message in [
                "Request blocked by guardrail: model openai/gpt-4o is not allowed",
                "Workspace monthly budget of $500.00 exceeded. Contact your workspace admin.",
                "Guardrail budget exceeded (daily limit)",
                "Blocked by your organization's policy",
            ] {
                assert_eq!(
                    of(status, message),
                    Some(KeyRefusal::Guardrail),
                    "{status} {message}"
                );
            }
        }
        assert_eq!(
            of(403, "Your input violates our content policy"),
            None,
            "a provider's content policy is moderation"
        );
        assert_eq!(
            KeyRefusal::classify(403, "Blocked by guardrail", true),
            None,
            "a body with moderation reasons is moderation"
        );
    }

    #[test]
    fn a_management_key_used_for_chat_is_told_apart_from_one_being_required() {
        for message in [
            "Management keys cannot be used for inference. Use an API key instead.",
            "This is a provisioning key; it cannot be used for chat completions",
        ] {
            assert_eq!(
                of(401, message),
                Some(KeyRefusal::ManagementKey),
                "{message}"
            );
            assert_eq!(
                of(403, message),
                Some(KeyRefusal::ManagementKey),
                "{message}"
            );
        }
        assert_eq!(of(403, "Only management keys can fetch credits"), None);
        assert_eq!(
            of(401, "A management key is required for this endpoint"),
            None
        );
    }

    #[test]
    fn disabled_and_expired_keys_are_named() {
        assert_eq!(of(401, "API key is disabled"), Some(KeyRefusal::Disabled));
        assert_eq!(
            of(403, "This key has been disabled"),
            Some(KeyRefusal::Disabled)
        );
        assert_eq!(of(401, "API key expired"), Some(KeyRefusal::Expired));
        assert_eq!(of(401, "OAuth session expired"), Some(KeyRefusal::Expired));
        assert_eq!(of(401, "User not found."), None, "a plain wrong key");
        assert_eq!(of(401, "No auth credentials found"), None);
        assert_eq!(of(400, "API key is disabled"), None, "only 401 to 403");
        assert_eq!(of(500, "Key limit exceeded"), None);
    }

    fn openrouter(path: &str) -> crate::ProviderCall {
        crate::ProviderCall {
            provider: "OpenRouter".into(),
            base_url: "https://openrouter.ai/api/v1".into(),
            method: "POST".into(),
            path: path.into(),
        }
    }

    #[test]
    fn a_refusal_in_the_documented_envelope_becomes_its_own_error_with_advice() {
        use crate::ProviderError;
        // Observed wording (gptme/gptme#1449), in the envelope of `docs/upstream-apis.md` §4.1.
        let body = r#"{"error":{"message":"Key limit exceeded (monthly limit). Manage it using https://openrouter.ai/settings/keys","code":403}}"#;
        let err = ProviderError::from_http(openrouter("/chat/completions"), 403, None, body);
        assert!(
            matches!(
                &err,
                ProviderError::KeyRefused {
                    refusal: KeyRefusal::OverLimit,
                    status: 403,
                    ..
                }
            ),
            "{err:?}"
        );
        let info = err.info();
        assert_eq!(info.code, ErrorCode::KeyLimitReached);
        assert!(!info.retryable, "never retried on the same key");
        assert!(
            info.message.starts_with(
                "OpenRouter at https://openrouter.ai/api/v1 answered 403 Forbidden for POST \
                 /chat/completions: this key has used up its own spending limit"
            ) && info
                .message
                .contains("It said: Key limit exceeded (monthly limit)"),
            "{}",
            info.message
        );
        let guardrail =
            r#"{"error":{"code":402,"message":"Guardrail budget exceeded (daily limit)"}}"#;
        let err = ProviderError::from_response(402, None, guardrail);
        assert_eq!(err.code(), ErrorCode::GuardrailBlocked);
        assert_eq!(
            err.to_string(),
            "A guardrail or budget refused the request (402): Guardrail budget exceeded (daily \
             limit)"
        );
        let hidden = err.map_text(|t| t.replace("daily", "[x]"));
        assert!(!format!("{hidden:?}").contains("daily"), "{hidden:?}");
    }

    #[test]
    fn every_refusal_has_its_own_code_and_none_is_retryable() {
        let all = [
            KeyRefusal::OverLimit,
            KeyRefusal::Guardrail,
            KeyRefusal::ManagementKey,
            KeyRefusal::Disabled,
            KeyRefusal::Expired,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), all.len(), "one code each");
        for r in all {
            assert!(!r.code().retryable(), "{r:?}");
            assert!(r.headline().starts_with(char::is_uppercase), "{r:?}");
            assert!(r.meaning().contains(';'), "says what to do: {r:?}");
        }
    }
}
