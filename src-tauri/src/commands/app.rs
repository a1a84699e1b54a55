//! Facts about the installation.

use switchboard_core::AppInfo;
use switchboard_engine::ScreenSnapshot;
use tauri::State;

use crate::first_paint::Keeper;

command! {
    /// Version, data and log directories, schema version, keychain backend.
    async fn app_info(engine) -> AppInfo {
        engine.app_info()?
    }
}

command! {
    /// Keeps the chat screen as it is now for the next launch's first paint.
    async fn first_paint_save(keeper: State<'_, Keeper>, snapshot: ScreenSnapshot) -> () {
        keeper.save(snapshot).await?
    }
}
