//! The user's preferences: theme, OpenRouter attribution, base URL overrides, the send key.

use serde::{Deserialize, Serialize};

use crate::provider::{BaseUrl, BuiltinProvider};

/// Light, dark, or whatever the OS says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the OS setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The headers OpenRouter uses to attribute traffic to an app (`HTTP-Referer`, `X-Title`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Attribution {
    /// Sent as `HTTP-Referer`; empty sends no header.
    pub referer: String,
    /// Sent as `X-Title`; empty sends no header.
    pub title: String,
}

impl Default for Attribution {
    fn default() -> Self {
        Self {
            referer: "https://switchboard.app".to_owned(),
            title: "Switchboard".to_owned(),
        }
    }
}

/// Per-provider base URL overrides (e.g. a proxy, or a local fake in tests). `None` = default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BaseUrlOverrides {
    /// OpenRouter's base URL.
    pub openrouter: Option<BaseUrl>,
    /// OpenAI's base URL.
    pub openai: Option<BaseUrl>,
    /// Anthropic's base URL.
    pub anthropic: Option<BaseUrl>,
}

impl BaseUrlOverrides {
    /// The override for a built-in provider.
    pub fn get(&self, provider: BuiltinProvider) -> Option<&BaseUrl> {
        match provider {
            BuiltinProvider::OpenRouter => self.openrouter.as_ref(),
            BuiltinProvider::OpenAi => self.openai.as_ref(),
            BuiltinProvider::Anthropic => self.anthropic.as_ref(),
        }
    }
}

/// Everything on the Settings screen that is not a key.
///
/// Strict on the wire; the store fills fields missing from older stored documents with their
/// defaults before parsing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// Colour scheme.
    pub theme: Theme,
    /// OpenRouter attribution headers.
    pub attribution: Attribution,
    /// Base URL overrides for the built-in providers.
    pub base_urls: BaseUrlOverrides,
    /// How long a stream may stay silent, and how large one event may be.
    pub streams: StreamSettings,
    /// The local API inside the app.
    pub local_api: LocalApiSettings,
    /// How the chat composer behaves.
    pub chat: ChatPreferences,
}

/// Which key sends a message from the chat composer; the other one makes a new line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SendKey {
    /// Ctrl+Enter sends, Enter is a new line (safe for long prompts; the default).
    #[default]
    CtrlEnter,
    /// Enter sends, Shift+Enter is a new line (as in most chat apps).
    Enter,
}

/// The chat composer's preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChatPreferences {
    /// Which key sends.
    pub send_key: SendKey,
}

/// The local API as the app runs it (the CLI's `switchboard serve` takes its own flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LocalApiSettings {
    /// Start it when the app starts (it is off until the user turns it on).
    pub start_with_app: bool,
    /// The loopback port it listens on.
    pub port: u16,
}

impl Default for LocalApiSettings {
    fn default() -> Self {
        Self {
            start_with_app: false,
            port: 4242,
        }
    }
}

/// Deadlines and sizes for streamed answers: a stream that stays silent (keep-alive comments
/// do not count) or sends one enormous event ends with a clear error instead of hanging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StreamSettings {
    /// Seconds from sending a request to its first event.
    pub first_event_secs: u32,
    /// Seconds allowed between two events once the answer streams.
    pub idle_secs: u32,
    /// The largest single event, MiB.
    pub max_event_mib: u32,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            first_event_secs: 120,
            idle_secs: 120,
            max_event_mib: 32,
        }
    }
}

/// Why preferences were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidPreferences {
    /// Which field.
    pub field: &'static str,
    /// What is wrong.
    pub reason: &'static str,
}

impl Preferences {
    /// Trims text fields and refuses values that would make a bad HTTP header.
    pub fn normalized(mut self) -> Result<Self, InvalidPreferences> {
        self.attribution.referer = self.attribution.referer.trim().to_owned();
        self.attribution.title = self.attribution.title.trim().to_owned();
        for (field, value) in [
            ("attribution.referer", &self.attribution.referer),
            ("attribution.title", &self.attribution.title),
        ] {
            if value.len() > 512 {
                return Err(InvalidPreferences {
                    field,
                    reason: "longer than 512 characters",
                });
            }
            if value.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(InvalidPreferences {
                    field,
                    reason: "HTTP headers allow only printable ASCII",
                });
            }
        }
        let s = self.streams;
        if !(1..=3_600).contains(&s.first_event_secs) || !(1..=3_600).contains(&s.idle_secs) {
            return Err(InvalidPreferences {
                field: "streams",
                reason: "stream deadlines are 1 to 3600 seconds",
            });
        }
        if self.local_api.port < 1_024 {
            return Err(InvalidPreferences {
                field: "localApi.port",
                reason: "the local API's port is 1024 to 65535 (lower ones need root)",
            });
        }
        if !(1..=1_024).contains(&s.max_event_mib) {
            return Err(InvalidPreferences {
                field: "streams.maxEventMib",
                reason: "one event may be 1 to 1024 MiB",
            });
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_checked() {
        let mut prefs = Preferences::default();
        prefs.attribution.title = "  Mine  ".into();
        assert_eq!(
            prefs.clone().normalized().unwrap().attribution.title,
            "Mine"
        );
        prefs.attribution.title = "bad\r\nX-Evil: 1".into();
        assert!(
            prefs.normalized().is_err(),
            "a newline would split the header"
        );
    }
}
