//! The Spend screen: budgets, spend reports with their charts, and exports.

use switchboard_core::{Budget, BudgetStatus, SpendGrouping, SpendReport};
use switchboard_engine::{ChartView, SpendFile};
use tauri::State;

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

/// The same report drawn as an SVG chart (by plotters, in Rust).
#[tauri::command]
#[specta::specta]
pub(crate) async fn spend_chart(
    state: State<'_, AppState>,
    grouping: SpendGrouping,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    view: ChartView,
) -> Result<String, IpcError> {
    Ok(state
        .engine()?
        .spend_chart(grouping, since_ms, until_ms, view)
        .await?)
}

/// Saves the report as CSV, or its chart as SVG or PNG, in Downloads; resolves with the path.
#[tauri::command]
#[specta::specta]
pub(crate) async fn spend_export(
    state: State<'_, AppState>,
    grouping: SpendGrouping,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
    view: ChartView,
    file: SpendFile,
) -> Result<String, IpcError> {
    let path = state
        .engine()?
        .save_spend(grouping, since_ms, until_ms, view, file)
        .await?;
    Ok(path.display().to_string())
}
