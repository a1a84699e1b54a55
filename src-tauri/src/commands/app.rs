//! Facts about the installation.

use switchboard_core::AppInfo;
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Version, data and log directories, schema version, keychain backend.
#[tauri::command]
#[specta::specta]
pub(crate) fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(state.engine()?.app_info()?)
}
