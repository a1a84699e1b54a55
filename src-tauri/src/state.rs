//! What the app keeps in Tauri's managed state.

use switchboard_core::ErrorInfo;
use switchboard_engine::Engine;

use crate::error::IpcError;
use crate::startup::StartupReads;

/// The engine, or why it could not start (the UI shows that instead of crashing), and the
/// local API server while it runs.
pub(crate) struct AppState {
    engine: Result<Engine, ErrorInfo>,
    /// A tokio mutex: starting and stopping the server awaits while holding it.
    pub(crate) gateway: tokio::sync::Mutex<Option<switchboard_gateway::server::Gateway>>,
    /// What the Chat screen reads first, started before the window exists.
    pub(crate) startup: StartupReads,
}

impl AppState {
    pub(crate) fn new(engine: Result<Engine, ErrorInfo>) -> Self {
        let startup = engine
            .as_ref()
            .map_or_else(|_| StartupReads::none(), StartupReads::start);
        Self {
            startup,
            engine,
            gateway: tokio::sync::Mutex::new(None),
        }
    }

    pub(crate) fn engine(&self) -> Result<&Engine, IpcError> {
        self.engine.as_ref().map_err(|e| IpcError::from(e.clone()))
    }
}
