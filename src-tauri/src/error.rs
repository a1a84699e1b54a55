//! The IPC error envelope.

use serde::Serialize;
use switchboard_core::ErrorInfo;
use switchboard_engine::EngineError;

/// `{code, message, retryable}`, as every command rejects.
///
/// The conversion from [`EngineError`] is pure and keeps only the safe message; the full error
/// chain was already logged by the engine use case's `#[instrument(err)]`.
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
