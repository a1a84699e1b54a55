//! What a key check learns about an account.

use serde::{Deserialize, Serialize};

use crate::money::Usd;

/// The result of testing a key with a call that costs nothing (`/key` or `/models`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeyCheck {
    /// Round trip of the check, in milliseconds.
    pub latency_ms: u32,
    /// How many models the key can see, where the check listed them.
    pub models_visible: Option<u32>,
    /// OpenRouter only: the key's own account figures.
    pub openrouter: Option<OpenRouterKeyInfo>,
}

/// `GET /key` on OpenRouter: the key's label, spend and limit, in exact dollars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OpenRouterKeyInfo {
    /// OpenRouter's own label for the key (itself masked by OpenRouter).
    pub label: Option<String>,
    /// Credits used by this key, USD.
    pub usage_usd: Usd,
    /// The key's credit limit, USD; `None` is unlimited.
    pub limit_usd: Option<Usd>,
    /// What is left of the limit, USD.
    pub limit_remaining_usd: Option<Usd>,
    /// True if the account never bought credits.
    pub is_free_tier: bool,
}

/// Facts about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Switchboard's version.
    pub version: String,
    /// The data directory.
    pub data_dir: String,
    /// The log directory.
    pub log_dir: String,
    /// The database's schema version.
    pub schema_version: u32,
    /// Which OS keychain is used.
    pub keychain_backend: String,
}
