//! The native save dialog for exports: the user picks where a file goes, instead of finding
//! it written silently to Downloads. Raised from Rust; the page gets only the chosen path back.

use std::path::PathBuf;

use switchboard_engine::ExportFile;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// Asks where to save `file`; `None` when the user cancels.
pub(crate) async fn choose_path(app: &AppHandle, file: &ExportFile) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let ext = file.extension().to_owned();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Save export")
        .set_file_name(&file.name)
        .add_filter(ext.to_uppercase(), &[ext.as_str()]);
    if let Some(downloads) = dirs_downloads() {
        dialog = dialog.set_directory(downloads);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// The user's downloads folder: where exports went before, so still where the dialog opens.
fn dirs_downloads() -> Option<PathBuf> {
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Downloads")))
        .filter(|p| p.is_dir())
}
