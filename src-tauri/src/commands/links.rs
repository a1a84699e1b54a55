//! Links from answers, opened in the user's browser.
//!
//! The opener plugin's free `open_url` is called from Rust, and the plugin itself is never
//! registered: the webview gets no opener command, no permission and no injected click
//! script. All it can ask for is a link that `switchboard_core::ExternalLink` accepts, after
//! the UI has had the user confirm it.

use switchboard_core::{ErrorCode, ErrorInfo, ExternalLink};

command! {
    /// Opens an `http(s)` or `mailto` link with the system's default handler.
    ///
    /// Rejects anything else as `invalid_input`. Resolves once the launcher has started; whether
    /// the browser then shows the page is beyond what the OS reports.
    async fn link_open(url: String) -> () {
        let link = ExternalLink::parse(&url).map_err(ErrorInfo::from)?;
        // The launcher waits up to a quarter second to see whether xdg-open/gio fail at once, so
        // it runs off the async workers.
        let opened = tauri::async_runtime::spawn_blocking(move || {
            tauri_plugin_opener::open_url(link.as_str(), None::<&str>)
        })
        .await;
        match opened {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "no launcher could open the link");
                return Err(ErrorInfo::new(
                    ErrorCode::Internal,
                    "No browser could be started for this link. Copy it and open it yourself.",
                )
                .into());
            }
            Err(err) => {
                tracing::error!(error = %err, "the link launcher task failed");
                return Err(
                    ErrorInfo::new(ErrorCode::Internal, "The link could not be opened.").into(),
                );
            }
        }
    }
}
