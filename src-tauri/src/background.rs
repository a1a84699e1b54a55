//! Work the app does while it runs, besides answering the UI: budget alerts turned into
//! notifications, estimated costs reconciled with OpenRouter's, open circuits health-checked.

use std::time::Duration;

use switchboard_engine::Engine;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::events::BudgetAlerted;

/// How often estimated costs are checked against OpenRouter's exact ones.
const RECONCILE_EVERY: Duration = Duration::from_secs(60);
/// How often open circuits are looked at; each target is checked at most once per its
/// configured interval.
const HEALTH_CHECK_TICK: Duration = Duration::from_secs(5);

/// Starts the app's background loops; they end with the app.
pub(crate) fn start(app: &AppHandle, engine: &Engine) {
    // Budget alerts become an event for the in-app notices and a desktop notification (best
    // effort: a machine may have no notification service).
    let handle = app.clone();
    let mut alerts = engine.spend().budget_alerts();
    tauri::async_runtime::spawn(async move {
        while let Ok(alert) = alerts.recv().await {
            let shown = handle
                .notification()
                .builder()
                .title("Switchboard budget")
                .body(&alert.message)
                .show();
            if let Err(e) = shown {
                tracing::info!(error = %e, "no desktop notification for a budget alert");
            }
            let _ = BudgetAlerted(alert).emit(&handle);
        }
    });
    // Answers that ended without OpenRouter's cost (cut streams, no usage chunk) get the exact
    // figure from `/generation` once OpenRouter has it.
    let reconciler = engine.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(RECONCILE_EVERY).await;
            if let Err(e) = reconciler.spend().reconcile_costs(20).await {
                tracing::debug!(error = %e, "cost reconciliation skipped");
            }
        }
    });
    // Open circuits are checked with free calls (model list, key) so a provider that recovers
    // is tried again without waiting out its whole open time.
    let checker = engine.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            checker.routing().check_open_circuits().await;
            tokio::time::sleep(HEALTH_CHECK_TICK).await;
        }
    });
}
