//! Which providers exist, how they are identified, and where they live.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keys::{KeyStatus, KeychainStatus};

/// The wire protocol a provider speaks, which decides how requests and keys are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// OpenRouter: OpenAI-compatible plus attribution headers, routing and account endpoints.
    OpenRouter,
    /// OpenAI's own API.
    OpenAi,
    /// Anthropic's native Messages API.
    Anthropic,
    /// Any OpenAI-compatible server the user added (Ollama, LM Studio, vLLM, a LiteLLM proxy...).
    Custom,
}

/// The three providers Switchboard knows out of the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinProvider {
    /// openrouter.ai
    OpenRouter,
    /// api.openai.com
    OpenAi,
    /// api.anthropic.com
    Anthropic,
}

impl BuiltinProvider {
    /// All built-in providers, in the order the UI lists them.
    pub const ALL: [Self; 3] = [Self::OpenRouter, Self::OpenAi, Self::Anthropic];

    /// The stable id used as keychain account and in stored data.
    pub fn id(self) -> ProviderId {
        ProviderId(self.slug().to_owned())
    }

    fn slug(self) -> &'static str {
        match self {
            Self::OpenRouter => "openrouter",
            Self::OpenAi => "openai",
            Self::Anthropic => "anthropic",
        }
    }

    /// The wire protocol.
    pub fn kind(self) -> ProviderKind {
        match self {
            Self::OpenRouter => ProviderKind::OpenRouter,
            Self::OpenAi => ProviderKind::OpenAi,
            Self::Anthropic => ProviderKind::Anthropic,
        }
    }

    /// The name people know it by.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::OpenRouter => "OpenRouter",
            Self::OpenAi => "OpenAI",
            Self::Anthropic => "Anthropic",
        }
    }

    /// The public endpoint, including the API prefix (requests append e.g. `/models`).
    pub fn default_base_url(self) -> BaseUrl {
        let url = match self {
            Self::OpenRouter => "https://openrouter.ai/api/v1",
            Self::OpenAi => "https://api.openai.com/v1",
            Self::Anthropic => "https://api.anthropic.com/v1",
        };
        BaseUrl(url.to_owned())
    }

    /// The environment variable read as a read-only fallback key.
    pub fn key_env_var(self) -> &'static str {
        match self {
            Self::OpenRouter => "OPENROUTER_API_KEY",
            Self::OpenAi => "OPENAI_API_KEY",
            Self::Anthropic => "ANTHROPIC_API_KEY",
        }
    }

    /// The environment variable that overrides the base URL (for scripts and local servers).
    pub fn base_url_env_var(self) -> &'static str {
        match self {
            Self::OpenRouter => "OPENROUTER_BASE_URL",
            Self::OpenAi => "OPENAI_BASE_URL",
            Self::Anthropic => "ANTHROPIC_BASE_URL",
        }
    }

    /// Looks a built-in provider up by its id.
    pub fn from_id(id: &ProviderId) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.slug() == id.0)
    }
}

/// A provider's stable identifier: `openrouter`, `openai`, `anthropic`, or `custom:<uuid>`.
///
/// It is a string on the wire so the UI can use it as a map key; parsing guarantees it names
/// either a built-in provider or a well-formed custom one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
#[serde(try_from = "String", into = "String")]
pub struct ProviderId(String);

const CUSTOM_PREFIX: &str = "custom:";

impl ProviderId {
    /// The id of the custom provider with this uuid.
    pub fn custom(id: Uuid) -> Self {
        Self(format!("{CUSTOM_PREFIX}{id}"))
    }

    /// The id as text (also the keychain account name).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The built-in provider this names, if any.
    pub fn builtin(&self) -> Option<BuiltinProvider> {
        BuiltinProvider::from_id(self)
    }

    /// The custom provider's uuid, if this names one.
    pub fn custom_uuid(&self) -> Option<Uuid> {
        self.0
            .strip_prefix(CUSTOM_PREFIX)
            .and_then(|u| Uuid::parse_str(u).ok())
    }
}

/// The text did not name a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a provider id (expected openrouter, openai, anthropic or custom:<uuid>)")]
pub struct InvalidProviderId(pub String);

impl TryFrom<String> for ProviderId {
    type Error = InvalidProviderId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let id = Self(value);
        if id.builtin().is_some() || id.custom_uuid().is_some() {
            Ok(id)
        } else {
            Err(InvalidProviderId(id.0))
        }
    }
}

impl std::str::FromStr for ProviderId {
    type Err = InvalidProviderId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::try_from(s.to_owned())
    }
}

impl From<ProviderId> for String {
    fn from(id: ProviderId) -> Self {
        id.0
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An http(s) URL including the API prefix, normalized without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
#[serde(try_from = "String", into = "String")]
pub struct BaseUrl(String);

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{url}\" is not a usable base URL: {reason}")]
pub struct InvalidBaseUrl {
    /// What was given.
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl BaseUrl {
    /// Parses and normalizes a user-supplied URL.
    pub fn parse(input: &str) -> Result<Self, InvalidBaseUrl> {
        let trimmed = input.trim();
        let bad = |reason| InvalidBaseUrl {
            url: trimmed.to_owned(),
            reason,
        };
        let parsed = url::Url::parse(trimmed).map_err(|_| bad("it does not parse as a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported"));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("it must not carry a query or fragment"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad("credentials belong in the key field, not in the URL"));
        }
        Ok(Self(parsed.as_str().trim_end_matches('/').to_owned()))
    }

    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `self` + `/` + `path` (path given without a leading slash).
    pub fn join(&self, path: &str) -> String {
        format!("{}/{}", self.0, path.trim_start_matches('/'))
    }
}

impl TryFrom<String> for BaseUrl {
    type Error = InvalidBaseUrl;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BaseUrl> for String {
    fn from(url: BaseUrl) -> Self {
        url.0
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the base URL in effect came from, so the UI can say why it is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BaseUrlSource {
    /// The provider's public endpoint.
    Default,
    /// The user's override in Settings (or a custom provider's own URL).
    Settings,
    /// An environment variable such as `OPENROUTER_BASE_URL`; it wins over Settings.
    Environment,
}

/// An OpenAI-compatible server the user added by name and URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CustomProvider {
    /// Its id (`custom:<uuid>`).
    pub id: ProviderId,
    /// The name the user gave it; unique, case-insensitively.
    pub name: String,
    /// Its endpoint, including the API prefix (e.g. `http://localhost:11434/v1`).
    pub base_url: BaseUrl,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_round_trip_and_reject_garbage() {
        for b in BuiltinProvider::ALL {
            let id: ProviderId = b.id().as_str().parse().unwrap();
            assert_eq!(id.builtin(), Some(b));
        }
        let custom = ProviderId::custom(Uuid::nil());
        let parsed: ProviderId = custom.as_str().parse().unwrap();
        assert_eq!(parsed.custom_uuid(), Some(Uuid::nil()));
        assert!("openrouterx".parse::<ProviderId>().is_err());
        assert!("custom:not-a-uuid".parse::<ProviderId>().is_err());
        assert!(serde_json::from_str::<ProviderId>("\"OPENAI\"").is_err());
    }

    #[test]
    fn base_urls_are_normalized_and_validated() {
        let url = BaseUrl::parse("  http://127.0.0.1:11434/v1/ ").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:11434/v1");
        assert_eq!(url.join("/models"), "http://127.0.0.1:11434/v1/models");
        assert!(BaseUrl::parse("ftp://example.com").is_err());
        assert!(
            BaseUrl::parse("localhost:8080").is_err(),
            "no scheme is not a URL we can call"
        );
        assert!(BaseUrl::parse("https://user:pw@example.com/v1").is_err());
        assert!(BaseUrl::parse("https://example.com/v1?x=1").is_err());
        assert!(BaseUrl::parse("").is_err());
    }
}

/// A provider as the Settings screen shows it: where it lives and which key is in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    /// Its id.
    pub id: ProviderId,
    /// Its protocol.
    pub kind: ProviderKind,
    /// Display name.
    pub name: String,
    /// The base URL in effect.
    pub base_url: BaseUrl,
    /// Why that base URL is in effect.
    pub base_url_source: BaseUrlSource,
    /// The built-in default, for built-in providers.
    pub default_base_url: Option<BaseUrl>,
    /// The environment variable that overrides the base URL, for built-in providers.
    pub base_url_env_var: Option<String>,
    /// The key in effect, masked.
    pub key: KeyStatus,
    /// Further keys, rotated with the main one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub extra_keys: Vec<crate::keys::ExtraKey>,
    /// Something the user should know (e.g. an environment variable that was ignored).
    pub notice: Option<String>,
}

/// Everything the Keys section needs in one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ProvidersOverview {
    /// Whether keys can be stored at all.
    pub keychain: KeychainStatus,
    /// Built-in providers first, then custom ones in the order they were added.
    pub providers: Vec<ProviderView>,
}
