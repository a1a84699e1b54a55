//! Asking the user in a native dialog, raised here in Rust, outside the webview: script in the
//! page can call any command, but it can neither see nor answer this dialog. The engine says
//! which changes need it (`switchboard_engine::Consent`); see `engine/src/consent.rs`.

use switchboard_core::{ErrorCode, ErrorInfo};
use switchboard_engine::Consent;
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use crate::error::IpcError;

/// Asks for `consent` when there is one; `Err` (and nothing changes) unless the user allows.
pub(crate) async fn require(app: &AppHandle, consent: Option<Consent>) -> Result<(), IpcError> {
    let Some(consent) = consent else {
        return Ok(());
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(consent.message)
        .title(consent.title.clone())
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Allow".to_owned(),
            "Cancel".to_owned(),
        ))
        .show(move |allowed| {
            let _ = tx.send(allowed);
        });
    if rx.await.unwrap_or(false) {
        tracing::info!(change = %consent.title, "allowed by the user");
        Ok(())
    } else {
        tracing::info!(change = %consent.title, "declined in the confirmation dialog");
        Err(IpcError::from(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Nothing was changed: the change was not allowed in the confirmation dialog.",
        )))
    }
}
