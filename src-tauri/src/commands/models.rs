//! The Models screen: the catalogue and one model's detail.

use switchboard_core::{BrowserCatalogue, ModelDetail, ProviderId};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Every reachable model with its prices; `refresh` refetches OpenRouter's catalogue.
#[tauri::command]
#[specta::specta]
pub(crate) async fn models_browse(
    state: State<'_, AppState>,
    refresh: bool,
) -> Result<BrowserCatalogue, IpcError> {
    Ok(state.engine()?.browse_models(refresh).await?)
}

/// One model's facts and, on OpenRouter, the providers serving it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn model_detail(
    state: State<'_, AppState>,
    provider: ProviderId,
    id: String,
) -> Result<ModelDetail, IpcError> {
    Ok(state.engine()?.model_detail(provider, id).await?)
}
