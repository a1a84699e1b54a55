//! Where Switchboard keeps its files.

use std::path::{Path, PathBuf};

use crate::{EngineError, Environment};

/// The data directory: the database and the logs.
///
/// It is `SWITCHBOARD_DATA_DIR` when set, otherwise the OS's per-user data directory plus
/// `switchboard` (`$XDG_DATA_HOME/switchboard` on Linux). It deliberately does not depend on the
/// app's bundle identifier or install path, so renaming or moving the app, or using the CLI,
/// always finds the same history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir(PathBuf);

impl DataDir {
    /// Resolves the directory from the environment and the OS.
    pub fn resolve(env: &Environment) -> Result<Self, EngineError> {
        if let Some(dir) = env.get("SWITCHBOARD_DATA_DIR") {
            return Ok(Self(PathBuf::from(dir)));
        }
        dirs::data_dir()
            .map(|d| Self(d.join("switchboard")))
            .ok_or_else(|| EngineError::InvalidInput {
                message: "the OS reports no data directory for this user; set \
                          SWITCHBOARD_DATA_DIR to choose one"
                    .to_owned(),
            })
    }

    /// A data directory at an explicit path.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self(path.into())
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The SQLite database.
    pub fn db_path(&self) -> PathBuf {
        self.0.join(switchboard_store::DB_FILE)
    }

    /// Where the rolling log files go.
    pub fn logs_dir(&self) -> PathBuf {
        self.0.join("logs")
    }

    /// Creates the logs directory `logs` and the data directory holding it so that only the
    /// user can open them (0700 on unix), and takes group and other access away from the
    /// `*.log` files already in it (0600). Logs carry model ids, routes and error texts, so
    /// they are as private as the database. Safe to call again, e.g. after a new file is made.
    pub fn private_logs(logs: &Path) -> std::io::Result<()> {
        if let Some(data) = logs.parent().filter(|d| !d.as_os_str().is_empty()) {
            switchboard_store::create_private_dir(data)?;
        }
        switchboard_store::create_private_dir(logs)?;
        switchboard_store::make_private_files(logs, "", ".log");
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn logs_are_private_to_the_user() {
        let root = tempfile::tempdir().unwrap();
        let data = DataDir::at(root.path().join("fresh"));
        let logs = data.logs_dir();
        DataDir::private_logs(&logs).unwrap();
        assert_eq!(mode(data.path()), 0o700, "a new data directory");
        assert_eq!(mode(&logs), 0o700, "a new logs directory");

        let old = logs.join("switchboard.2026-11-24.log");
        std::fs::write(&old, "line\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        DataDir::private_logs(&logs).unwrap();
        assert_eq!(
            mode(data.path()),
            0o700,
            "an existing data directory is tightened"
        );
        assert_eq!(mode(&logs), 0o700);
        assert_eq!(mode(&old), 0o600, "an existing log file is tightened");
    }
}
