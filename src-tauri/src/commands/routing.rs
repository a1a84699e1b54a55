//! The Routing screen: routes, rules, limits and breaker settings; the explain view; circuits
//! and per-target figures.

use switchboard_engine::router::{Decision, RouteRequest, RouterConfig, RoutingHealth};
use tauri::{AppHandle, State};

use crate::error::IpcError;
use crate::state::AppState;

/// The routing configuration in force.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_get(state: State<'_, AppState>) -> Result<RouterConfig, IpcError> {
    Ok(state.engine()?.router_config())
}

/// Checks, saves and applies a configuration; rejects it whole (naming the item) if anything
/// is wrong.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_save(
    state: State<'_, AppState>,
    config: RouterConfig,
) -> Result<RouterConfig, IpcError> {
    let engine = state.engine()?;
    engine.set_router_config(config).await?;
    Ok(engine.router_config())
}

/// Where a sample request would go now, and why. Nothing is sent.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_explain(
    state: State<'_, AppState>,
    request: RouteRequest,
) -> Result<Decision, IpcError> {
    Ok(state.engine()?.explain_route(request).await?)
}

/// Every target's circuit and figures, and every rate limit's use.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_health(state: State<'_, AppState>) -> Result<RoutingHealth, IpcError> {
    Ok(state.engine()?.routing_health())
}

/// What the smart strategy has learned per task type, from outcomes, thumbs and votes.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_learned(
    state: State<'_, AppState>,
) -> Result<Vec<switchboard_engine::router::TaskLearning>, IpcError> {
    Ok(state.engine()?.learned_preferences().await)
}

/// Saves the configuration as a TOML file where the user chooses in the save dialog;
/// resolves with its path, or `null` when they cancel.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_export(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<String>, IpcError> {
    let engine = state.engine()?;
    let file = engine.routing_export_file()?;
    let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
        return Ok(None);
    };
    engine.write_export(path.clone(), file.bytes).await?;
    Ok(Some(path.display().to_string()))
}

/// Replaces the configuration with a TOML document's; an error names the line.
#[tauri::command]
#[specta::specta]
pub(crate) async fn routing_import(
    state: State<'_, AppState>,
    toml: String,
) -> Result<RouterConfig, IpcError> {
    Ok(state.engine()?.import_routing(&toml).await?)
}
