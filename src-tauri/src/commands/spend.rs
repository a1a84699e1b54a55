//! The Spend screen: budgets, spend reports with their charts, and exports.

use switchboard_core::{Budget, BudgetStatus, SpendGrouping, SpendReport};
use switchboard_engine::{ChartTheme, ChartView, SpendFile};
use tauri::{AppHandle, State};

use crate::error::IpcError;
use crate::state::AppState;

/// Every budget with what is spent and held in its current period.
#[tauri::command]
#[specta::specta]
pub(crate) async fn budgets_list(
    state: State<'_, AppState>,
) -> Result<Vec<BudgetStatus>, IpcError> {
    Ok(state.engine()?.budgets().await?)
}

/// Creates (empty id) or replaces a budget; resolves with what was saved.
#[tauri::command]
#[specta::specta]
pub(crate) async fn budget_save(
    state: State<'_, AppState>,
    budget: Budget,
) -> Result<Budget, IpcError> {
    Ok(state.engine()?.save_budget(budget).await?)
}

/// Deletes a budget.
#[tauri::command]
#[specta::specta]
pub(crate) async fn budget_delete(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_budget(id).await?)
}

/// Spend grouped by day, week, month, model, provider, agent or conversation, over
/// `[since_ms, until_ms)`, with its exact total.
#[tauri::command]
#[specta::specta]
pub(crate) async fn spend_report(
    state: State<'_, AppState>,
    grouping: SpendGrouping,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<SpendReport, IpcError> {
    Ok(state
        .engine()?
        .spend_report(grouping, since_ms, until_ms)
        .await?)
}

/// The same report drawn as an SVG chart (by plotters, in Rust) in the colours of the UI's
/// current `theme`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn spend_chart(
    state: State<'_, AppState>,
    grouping: SpendGrouping,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    view: ChartView,
    theme: ChartTheme,
) -> Result<String, IpcError> {
    Ok(state
        .engine()?
        .spend_chart(grouping, since_ms, until_ms, view, theme)
        .await?)
}

/// Asks where to save the report as CSV, or its chart as SVG or PNG (always the light chart),
/// in a native save dialog, and writes it there; resolves with the path, `null` if cancelled.
#[tauri::command]
#[specta::specta]
pub(crate) async fn spend_export(
    app: AppHandle,
    state: State<'_, AppState>,
    grouping: SpendGrouping,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    view: ChartView,
    file: SpendFile,
) -> Result<Option<String>, IpcError> {
    let engine = state.engine()?;
    let file = engine
        .spend_export_file(grouping, since_ms, until_ms, view, file)
        .await?;
    let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
        return Ok(None);
    };
    engine.write_export(path.clone(), file.bytes).await?;
    Ok(Some(path.display().to_string()))
}
