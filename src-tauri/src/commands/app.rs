//! Facts about the installation.

use switchboard_core::AppInfo;

command! {
    /// Version, data and log directories, schema version, keychain backend.
    async fn app_info(engine) -> AppInfo {
        engine.app_info()?
    }
}
