//! The one place a tracing subscriber is installed.
//!
//! Logs go to a daily rolling file in the data directory's `logs/` (14 kept) and, in debug
//! builds, to stderr. `SWITCHBOARD_LOG` sets the filter (default `info`). Policy for every
//! crate: prompt and answer text only at `trace`, keys never (they are `ApiKey`, whose `Debug`
//! is redacted, and commands skip their arguments). The logs still hold model ids, routes and
//! error texts, so the directory is the user's alone (0700) and so is each file (0600).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use switchboard_engine::DataDir;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the background log writer alive; dropping it flushes the file.
pub(crate) struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

pub(crate) fn init(log_dir: Option<&Path>) -> LogGuard {
    let filter = || EnvFilter::try_from_env("SWITCHBOARD_LOG").unwrap_or_else(|_| "info".into());
    let file = log_dir.and_then(|dir| {
        // The appender prunes old files by listing the directory, so it must exist first.
        if let Err(e) = DataDir::private_logs(dir) {
            eprintln!("switchboard: cannot create {}: {e}", dir.display());
            return None;
        }
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("switchboard")
            .filename_suffix("log")
            .max_log_files(14)
            .build(dir)
            .map_err(|e| eprintln!("switchboard: logging to {} failed: {e}", dir.display()))
            .ok()
            .map(|appender| PrivateLogs::new(appender, dir))
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = cfg!(debug_assertions).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    LogGuard(guard)
}

/// The rolling appender, making each day's new file private once it exists: the appender
/// creates files with the umask's permissions (usually 0644).
struct PrivateLogs {
    appender: RollingFileAppender,
    dir: PathBuf,
    /// The UTC day (the appender's rotation clock) whose file was last made private.
    day: u64,
}

impl PrivateLogs {
    fn new(appender: RollingFileAppender, dir: &Path) -> Self {
        // Building the appender created today's file.
        let _ = DataDir::private_logs(dir);
        Self {
            appender,
            dir: dir.to_owned(),
            day: utc_day(),
        }
    }
}

impl Write for PrivateLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.appender.write(buf)?;
        // A write on a new day has just rotated to a new file.
        let day = utc_day();
        if day != self.day {
            self.day = day;
            let _ = DataDir::private_logs(&self.dir);
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.appender.flush()
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "log files roll over on the wall-clock UTC day, also before any store is open"
)]
fn utc_day() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400)
}
