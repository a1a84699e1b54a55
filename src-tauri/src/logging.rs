//! The one place a tracing subscriber is installed.
//!
//! Logs go to a daily rolling file in the data directory's `logs/` (14 kept) and, in debug
//! builds, to stderr. `SWITCHBOARD_LOG` sets the filter (default `info`). Policy for every
//! crate: prompt and answer text only at `trace`, keys never (they are `ApiKey`, whose `Debug`
//! is redacted, and commands skip their arguments).

use std::path::Path;

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
        if let Err(e) = std::fs::create_dir_all(dir) {
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
