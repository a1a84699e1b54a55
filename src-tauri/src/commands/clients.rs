//! Client keys for the local API: the keys tools on this machine (Claude Code, Cursor, a
//! script) send, one per tool, so each tool's spend is told apart and can be limited.

use serde::{Deserialize, Serialize};
use switchboard_core::{BudgetPeriod, ClientKeyView, Usd};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// A hard budget to give a new client key.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClientKeyBudget {
    limit: Usd,
    period: BudgetPeriod,
}

/// A client key just created, with the key itself: the only time it crosses to the UI,
/// which shows it once for the user to copy (only its hash is kept).
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedClientKey {
    key: ClientKeyView,
    secret: String,
}

/// Every client key, revoked ones included, oldest first (masked).
#[tauri::command]
#[specta::specta]
pub(crate) async fn client_keys_list(
    state: State<'_, AppState>,
) -> Result<Vec<ClientKeyView>, IpcError> {
    Ok(state.engine()?.client_keys().await?)
}

/// Creates a client key named `name`, with a hard budget if one is given.
#[tauri::command]
#[specta::specta]
pub(crate) async fn client_key_create(
    state: State<'_, AppState>,
    name: String,
    budget: Option<ClientKeyBudget>,
) -> Result<CreatedClientKey, IpcError> {
    let (key, secret) = state
        .engine()?
        .create_client_key(&name, budget.map(|b| (b.limit, b.period)))
        .await?;
    Ok(CreatedClientKey { key, secret })
}

/// Revokes the client key with this name or id; resolves with it as it now stands.
#[tauri::command]
#[specta::specta]
pub(crate) async fn client_key_revoke(
    state: State<'_, AppState>,
    name_or_id: String,
) -> Result<ClientKeyView, IpcError> {
    Ok(state.engine()?.revoke_client_key(&name_or_id).await?)
}
