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

/// The conversation that was open in Chat, if it still exists.
#[tauri::command]
#[specta::specta]
pub(crate) async fn last_conversation_get(
    state: State<'_, AppState>,
) -> Result<Option<String>, IpcError> {
    Ok(state.engine()?.last_conversation().await?)
}

/// Remembers the conversation open in Chat, so a restart reopens it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn last_conversation_save(
    state: State<'_, AppState>,
    id: Option<String>,
) -> Result<(), IpcError> {
    Ok(state.engine()?.save_last_conversation(id).await?)
}
