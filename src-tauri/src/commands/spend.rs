//! The Spend screen: budgets, spend reports with their charts, and exports.

use switchboard_core::{Budget, BudgetStatus, SpendGrouping, SpendReport};
use switchboard_engine::{ChartTheme, ChartView, SpendFile};
use tauri::AppHandle;

command! {
    /// Every budget with what is spent and held in its current period.
    async fn budgets_list(engine) -> Vec<BudgetStatus> {
        engine.spend().budgets().await?
    }
}

command! {
    /// Creates (empty id) or replaces a budget; resolves with what was saved.
    async fn budget_save(engine, budget: Budget) -> Budget {
        engine.spend().save_budget(budget).await?
    }
}

command! {
    /// Deletes a budget.
    async fn budget_delete(engine, id: String) -> () {
        engine.spend().delete_budget(id).await?
    }
}

command! {
    /// Spend grouped by day, week, month, model, provider, agent or conversation, over
    /// `[since_ms, until_ms)`, with its exact total.
    async fn spend_report(
        engine,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
    ) -> SpendReport {
        engine.spend().report(grouping, since_ms, until_ms).await?
    }
}

command! {
    /// The same report drawn as an SVG chart (by plotters, in Rust) in the colours of the UI's
    /// current `theme`.
    async fn spend_chart(
        engine,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
        view: ChartView,
        theme: ChartTheme,
    ) -> String {
        engine
            .spend()
            .chart(grouping, since_ms, until_ms, view, theme)
            .await?
    }
}

command! {
    /// Asks where to save the report as CSV, or its chart as SVG or PNG (always the light chart),
    /// in a native save dialog, and writes it there; resolves with the path, `null` if cancelled.
    async fn spend_export(
        engine,
        app: AppHandle,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
        view: ChartView,
        file: SpendFile,
    ) -> Option<String> {
        let file = engine
            .spend()
            .export_file(grouping, since_ms, until_ms, view, file)
            .await?;
        let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
            return Ok(None);
        };
        engine.write_export(path.clone(), file.bytes).await?;
        Some(path.display().to_string())
    }
}
