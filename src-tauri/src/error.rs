//! The IPC error envelope.

use serde::Serialize;
use switchboard_core::ErrorInfo;
use switchboard_engine::EngineError;

/// `{code, message, retryable}`, as every command rejects.
///
/// The conversion from [`EngineError`] is pure and keeps only the safe message. The full error
/// is logged once, at the edge: every command is declared through `command!`
/// (`commands/mod.rs`), whose `#[instrument(skip_all, err(Debug))]` records each rejection.
#[derive(Debug, Serialize, specta::Type)]
#[serde(transparent)]
pub(crate) struct IpcError(ErrorInfo);

impl From<EngineError> for IpcError {
    fn from(err: EngineError) -> Self {
        Self(err.info())
    }
}

impl From<ErrorInfo> for IpcError {
    fn from(info: ErrorInfo) -> Self {
        Self(info)
    }
}
