//! Sign in with OpenRouter: the engine runs the OAuth PKCE flow; this opens its page in the
//! system browser, the way links from answers are opened (the opener's `open_url` from Rust;
//! the webview gets no opener permission). The key goes to the keychain and never crosses IPC.

use switchboard_core::{ExternalLink, SignedIn, Usd};
use switchboard_engine::SignInOptions;
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::ProvidersChanged;

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

command! {
    /// Opens OpenRouter's sign-in page in the browser and resolves once the browser has come back
    /// and the new key is in the keychain (or the sign-in failed, timed out after 5 minutes, or was
    /// cancelled: `cancelled` is the code for the last, which needs no message). `limit` asks
    /// OpenRouter for a spending limit (USD) on the new key; `SignedIn.limit` says whether the key
    /// has it.
    async fn openrouter_sign_in(engine, app: AppHandle, limit: Option<Usd>) -> SignedIn {
        let options = SignInOptions {
            limit,
            ..SignInOptions::default()
        };
        let signed_in = engine
            .keys()
            .sign_in_with_openrouter(options, open_in_browser)
            .await?;
        let _ = ProvidersChanged.emit(&app);
        signed_in
    }
}

command! {
    /// Cancels the sign-in under way; resolves with whether one was.
    async fn openrouter_sign_in_cancel(engine) -> bool {
        engine.keys().cancel_openrouter_sign_in()
    }
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
