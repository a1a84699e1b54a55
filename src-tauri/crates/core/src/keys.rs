//! API keys: the secret itself (which never leaves Rust) and what may be shown of it.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A provider API key.
///
/// Held as a [`SecretString`] so `Debug` and logs print `[REDACTED]`, and zeroized on drop. It is
/// deliberately not `Serialize`: no code path can put a key into JSON, SQLite or the webview.
#[derive(Clone)]
pub struct ApiKey(SecretString);

/// Why a key was refused before it was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKey {
    /// Nothing (or only whitespace) was given.
    #[error("the key is empty")]
    Empty,
    /// Spaces, newlines or control characters inside: almost always a bad paste.
    #[error("the key contains spaces or control characters; paste it again")]
    BadCharacters,
    /// Longer than any real provider key.
    #[error("the key is longer than 4096 characters")]
    TooLong,
}

impl ApiKey {
    /// Checks and wraps a key typed or pasted by a person (surrounding whitespace is dropped).
    pub fn parse(input: &str) -> Result<Self, InvalidKey> {
        let key = input.trim();
        if key.is_empty() {
            return Err(InvalidKey::Empty);
        }
        if key.len() > 4096 {
            return Err(InvalidKey::TooLong);
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidKey::BadCharacters);
        }
        Ok(Self(SecretString::from(key.to_owned())))
    }

    /// The key itself, for the one place that needs it: an outgoing request header.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The form the UI may show.
    pub fn masked(&self) -> String {
        mask_key(self.expose())
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

/// Shows only the last four characters, and none of a key too short for that to be safe.
pub fn mask_key(key: &str) -> String {
    const DOTS: &str = "••••";
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return DOTS.to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{DOTS}{tail}")
}

/// Where the key in effect for a provider comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// No key is set.
    None,
    /// The OS keychain; the user can replace or remove it.
    Keychain,
    /// An environment variable; read-only from Switchboard's point of view.
    Environment,
}

/// What the UI may know about a provider's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeyStatus {
    /// Which key is in effect.
    pub source: KeySource,
    /// `••••` and the last four characters of the key in effect, if any.
    pub masked: Option<String>,
    /// The environment variable that would be read as a fallback, for built-in providers.
    pub env_var: Option<String>,
    /// True when a keychain key is in effect and an environment key is also set (and ignored).
    pub env_shadowed: bool,
    /// Set when the provider refused this key (401): why, and it is not used until it is
    /// replaced or re-enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub disabled: Option<String>,
}

/// A further key of a provider, used in turn with the main one so that requests spread over
/// several keys' rate limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ExtraKey {
    /// The user's name for it (`work`, `team-b`).
    pub label: String,
    /// `••••` and its last four characters; `None` when the keychain no longer has it.
    pub masked: Option<String>,
    /// Why it is not used, when the provider refused it.
    pub disabled: Option<String>,
}

/// Whether keys can be stored, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeychainStatus {
    /// The keychain answered.
    pub available: bool,
    /// Which backend is used (e.g. "Secret Service").
    pub backend: String,
    /// When unavailable: what the OS said, for the curious and for bug reports.
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_only_the_last_four_characters() {
        assert_eq!(mask_key("sk-or-v1-0123456789abcdef"), "••••cdef");
        assert_eq!(
            mask_key("short-key"),
            "••••",
            "a short key would be mostly revealed"
        );
    }

    #[test]
    fn keys_are_trimmed_and_bad_pastes_refused() {
        let key = ApiKey::parse("  sk-test-1234567890abcd\n").unwrap();
        assert_eq!(key.expose(), "sk-test-1234567890abcd");
        assert_eq!(ApiKey::parse(" \n").unwrap_err(), InvalidKey::Empty);
        assert_eq!(
            ApiKey::parse("sk-a b").unwrap_err(),
            InvalidKey::BadCharacters
        );
        assert_eq!(
            ApiKey::parse(&"x".repeat(5000)).unwrap_err(),
            InvalidKey::TooLong
        );
    }

    #[test]
    fn debug_never_prints_the_key() {
        let key = ApiKey::parse("sk-secret-value-123456").unwrap();
        assert!(!format!("{key:?}").contains("secret-value"));
    }
}
