//! Sign in with OpenRouter: the engine runs the OAuth PKCE flow; this opens its page in the
//! system browser, the way links from answers are opened (the opener's `open_url` from Rust;
//! the webview gets no opener permission). The key goes to the keychain and never crosses IPC.

use switchboard_core::{ExternalLink, SignedIn, Usd};
use switchboard_engine::SignInOptions;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::error::IpcError;
use crate::events::ProvidersChanged;
use crate::state::AppState;

/// Why the sign-in page did not open.
#[derive(Debug, thiserror::Error)]
enum Unopened {
    /// The engine built a URL the launcher may not be given (it never should).
    #[error("the sign-in address was refused: {0}")]
    Refused(#[from] switchboard_core::InvalidLink),
    /// No launcher could open it.
    #[error(transparent)]
    Launcher(#[from] tauri_plugin_opener::Error),
    /// The launcher's task failed.
    #[error("the launcher task failed: {0}")]
    Task(#[from] tauri::Error),
}

/// Opens OpenRouter's sign-in page in the browser and resolves once the browser has come back
/// and the new key is in the keychain (or the sign-in failed, timed out after 5 minutes, or was
/// cancelled: `cancelled` is the code for the last, which needs no message). `limit` asks
/// OpenRouter for a spending limit (USD) on the new key; `SignedIn.limit` says whether the key
/// has it.
#[tauri::command]
#[specta::specta]
#[tracing::instrument(skip_all, err(Debug))]
pub(crate) async fn openrouter_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    limit: Option<Usd>,
) -> Result<SignedIn, IpcError> {
    let options = SignInOptions {
        limit,
        ..SignInOptions::default()
    };
    let signed_in = state
        .engine()?
        .sign_in_with_openrouter(options, open_in_browser)
        .await?;
    let _ = ProvidersChanged.emit(&app);
    Ok(signed_in)
}

/// Cancels the sign-in under way; resolves with whether one was.
#[tauri::command]
#[specta::specta]
pub(crate) async fn openrouter_sign_in_cancel(
    state: State<'_, AppState>,
) -> Result<bool, IpcError> {
    Ok(state.engine()?.cancel_openrouter_sign_in())
}

async fn open_in_browser(url: String) -> Result<(), Unopened> {
    let link = ExternalLink::parse(&url)?;
    // The launcher waits up to a quarter second to see whether xdg-open/gio fail at once.
    tauri::async_runtime::spawn_blocking(move || {
        tauri_plugin_opener::open_url(link.as_str(), None::<&str>)
    })
    .await??;
    Ok(())
}
