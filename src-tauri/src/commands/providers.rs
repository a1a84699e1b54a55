//! The Keys section: providers, their keys and custom providers.
//!
//! Keys arrive here from the webview once, when the user saves them, and go straight to the
//! keychain; nothing sends a key back. Commands skip all arguments in traces for that reason.

use serde::Deserialize;
use switchboard_core::{KeyCheck, ProviderId, ProvidersOverview};
use switchboard_engine::NewCustomProvider;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::IpcError;
use crate::events::ProvidersChanged;
use crate::state::AppState;

/// Every provider with its base URL and masked key, and whether the keychain answers.
#[tauri::command]
#[specta::specta]
pub(crate) async fn providers_overview(
    state: State<'_, AppState>,
) -> Result<ProvidersOverview, IpcError> {
    Ok(state.engine()?.providers_overview().await?)
}

/// Saves (or replaces) a provider's key in the OS keychain.
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_save(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    key: String,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.set_key(provider, key).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Deletes a provider's key from the OS keychain.
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.remove_key(provider).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Adds a further key, used in turn with the main one. The key goes to the OS keychain.
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_extra_add(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    label: String,
    key: String,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.add_extra_key(provider, label, key).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Removes a further key from the keychain.
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_extra_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    label: String,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.remove_extra_key(provider, label).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Uses a key the provider refused again (`default` is the main key).
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_enable(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    label: String,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.enable_key(provider, label).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Tests the key in effect with a call that costs nothing.
#[tauri::command]
#[specta::specta]
pub(crate) async fn key_test(
    state: State<'_, AppState>,
    provider: ProviderId,
) -> Result<KeyCheck, IpcError> {
    Ok(state.engine()?.test_key(provider).await?)
}

/// A new OpenAI-compatible server.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomProviderInput {
    name: String,
    base_url: String,
    api_key: Option<String>,
}

/// Adds a custom provider (and its key, if given).
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_provider_add(
    app: AppHandle,
    state: State<'_, AppState>,
    input: CustomProviderInput,
) -> Result<ProvidersOverview, IpcError> {
    let new = NewCustomProvider {
        name: input.name,
        base_url: input.base_url,
        api_key: input.api_key,
    };
    let overview = state.engine()?.add_custom_provider(new).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// A custom provider's new name and URL.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomProviderUpdate {
    id: ProviderId,
    name: String,
    base_url: String,
}

/// Renames or re-points a custom provider.
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_provider_update(
    app: AppHandle,
    state: State<'_, AppState>,
    update: CustomProviderUpdate,
) -> Result<ProvidersOverview, IpcError> {
    let engine = state.engine()?;
    let consent = engine
        .consent_for_custom_url(update.id.clone(), update.base_url.clone())
        .await?;
    crate::consent::require(&app, consent).await?;
    let overview = engine
        .update_custom_provider(update.id, update.name, update.base_url)
        .await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}

/// Removes a custom provider and its key.
#[tauri::command]
#[specta::specta]
pub(crate) async fn custom_provider_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
) -> Result<ProvidersOverview, IpcError> {
    let overview = state.engine()?.remove_custom_provider(provider).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(overview)
}
