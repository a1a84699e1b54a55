//! The local API inside the app: the same server as `switchboard serve`, started and stopped
//! from the Local API section, on the app's own engine.

use std::time::Duration;

use serde::Serialize;
use switchboard_core::{ErrorCode, ErrorInfo};
use switchboard_gateway::server::{Gateway, GatewayConfig};
use tauri::{AppHandle, Manager, State};

use crate::error::IpcError;
use crate::state::AppState;

/// How long requests in flight may take to finish when the server is switched off.
const GRACE: Duration = Duration::from_secs(5);

/// Where the local API stands.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocalApiStatus {
    /// Serving now.
    running: bool,
    /// `http://127.0.0.1:4242` while running.
    origin: Option<String>,
    /// Requests being answered now.
    in_flight: u32,
    /// Requests finished since it started, refused ones included.
    served: u32,
}

fn status(gateway: Option<&Gateway>) -> LocalApiStatus {
    match gateway {
        Some(g) => {
            let stats = g.stats();
            LocalApiStatus {
                running: true,
                origin: Some(format!("http://{}", g.addr())),
                in_flight: u32::try_from(stats.in_flight).unwrap_or(u32::MAX),
                served: u32::try_from(stats.served).unwrap_or(u32::MAX),
            }
        }
        None => LocalApiStatus {
            running: false,
            origin: None,
            in_flight: 0,
            served: 0,
        },
    }
}

command! {
    /// Whether the local API runs, where, and how busy it is.
    async fn local_api_status(state: State<'_, AppState>) -> LocalApiStatus {
        status(state.gateway.lock().await.as_ref())
    }
}

command! {
    /// Starts the local API on loopback `port` (restarting it if it runs on another port).
    async fn local_api_start(state: State<'_, AppState>, port: u16) -> LocalApiStatus {
        start(&state, port).await?
    }
}

async fn start(state: &AppState, port: u16) -> Result<LocalApiStatus, IpcError> {
    let engine = state.engine()?.clone();
    let mut slot = state.gateway.lock().await;
    if let Some(running) = slot.take() {
        if running.addr().port() == port {
            *slot = Some(running);
            return Ok(status(slot.as_ref()));
        }
        running.stop(GRACE).await;
    }
    let config = GatewayConfig {
        port,
        ..GatewayConfig::default()
    };
    let gateway = Gateway::start(engine, config)
        .await
        .map_err(|e| IpcError::from(ErrorInfo::new(ErrorCode::InvalidInput, e.to_string())))?;
    tracing::info!(addr = %gateway.addr(), "local API started");
    *slot = Some(gateway);
    Ok(status(slot.as_ref()))
}

/// Starts the local API at launch when the user asked for that. A port in use is logged, not
/// fatal: the section then shows the server off and the user can pick another port.
pub(crate) fn start_with_app(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let Ok(engine) = state.engine() else { return };
        let settings = match engine.settings().preferences().await {
            Ok(prefs) => prefs.local_api,
            Err(e) => {
                tracing::warn!(error = %e, "preferences unreadable; local API not started");
                return;
            }
        };
        if !settings.start_with_app {
            return;
        }
        if let Err(e) = start(&state, settings.port).await {
            tracing::warn!(error = ?e, port = settings.port, "the local API could not start");
        }
    });
}

command! {
    /// Stops the local API after the requests in flight end (or a few seconds).
    async fn local_api_stop(state: State<'_, AppState>) -> LocalApiStatus {
        if let Some(running) = state.gateway.lock().await.take() {
            running.stop(GRACE).await;
            tracing::info!("local API stopped");
        }
        status(None)
    }
}
