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
}
