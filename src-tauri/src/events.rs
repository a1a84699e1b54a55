//! App-wide broadcast events: "something changed, reload it". Streams use per-request channels.

use serde::{Deserialize, Serialize};

/// A key, a custom provider or a base URL changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub(crate) struct ProvidersChanged;

/// The preferences changed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub(crate) struct SettingsChanged;

/// A budget crossed one of its alert thresholds (also shown as a desktop notification).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub(crate) struct BudgetAlerted(pub(crate) switchboard_core::BudgetAlert);
