//! The Preferences section.

use switchboard_core::Preferences;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::IpcError;
use crate::events::{ProvidersChanged, SettingsChanged};
use crate::state::AppState;

/// The preferences in effect.
#[tauri::command]
#[specta::specta]
pub(crate) async fn settings_get(state: State<'_, AppState>) -> Result<Preferences, IpcError> {
    Ok(state.engine()?.preferences().await?)
}

/// Validates and saves the preferences; resolves with what was saved.
#[tauri::command]
#[specta::specta]
pub(crate) async fn settings_save(
    app: AppHandle,
    state: State<'_, AppState>,
    preferences: Preferences,
) -> Result<Preferences, IpcError> {
    let engine = state.engine()?;
    crate::consent::require(&app, engine.consent_for_preferences(&preferences).await?).await?;
    let saved = engine.save_preferences(preferences).await?;
    // Base URL overrides live in the preferences, so the provider list changed too.
    let _ = SettingsChanged.emit(&app);
    let _ = ProvidersChanged.emit(&app);
    Ok(saved)
}
