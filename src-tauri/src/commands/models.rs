//! The Models screen: the catalogue and one model's detail; custom providers' model lists and
//! the prices the user gives their models.

use switchboard_core::{BrowserCatalogue, ModelDetail, ProviderId, ServedModels, Usd, UserPrice};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::IpcError;
use crate::events::ProvidersChanged;
use crate::state::AppState;

/// Every reachable model with its prices; `refresh` refetches OpenRouter's catalogue and the
/// custom providers' model lists.
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

/// A custom provider's models (its `GET /models`, cached); `refresh` asks the server again.
/// A failed refresh keeps the cached list and says why.
#[tauri::command]
#[specta::specta]
pub(crate) async fn served_models(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    refresh: bool,
) -> Result<ServedModels, IpcError> {
    let served = state.engine()?.served_models(provider, refresh).await?;
    if refresh {
        // The pickers and the Models screen list these models.
        let _ = ProvidersChanged.emit(&app);
    }
    Ok(served)
}

/// Every price the user gave custom providers' models.
#[tauri::command]
#[specta::specta]
pub(crate) async fn model_prices(state: State<'_, AppState>) -> Result<Vec<UserPrice>, IpcError> {
    Ok(state.engine()?.model_prices().await?)
}

/// Sets a custom provider's price for `model` (USD per million tokens); no model sets the
/// provider's default. Returns every price.
#[tauri::command]
#[specta::specta]
pub(crate) async fn model_price_set(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    model: Option<String>,
    prompt_per_million: Usd,
    completion_per_million: Usd,
) -> Result<Vec<UserPrice>, IpcError> {
    let prices = state
        .engine()?
        .set_model_price(provider, model, prompt_per_million, completion_per_million)
        .await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(prices)
}

/// Removes a custom provider's price for `model` (no model: its default). Returns every price.
#[tauri::command]
#[specta::specta]
pub(crate) async fn model_price_remove(
    app: AppHandle,
    state: State<'_, AppState>,
    provider: ProviderId,
    model: Option<String>,
) -> Result<Vec<UserPrice>, IpcError> {
    let prices = state.engine()?.remove_model_price(provider, model).await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(prices)
}
