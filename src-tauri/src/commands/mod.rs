//! IPC commands, one file per domain. Each is a thin wrapper over an engine use case.

/// Declares one IPC command the way every command is declared.
///
/// The command is registered with Tauri and tauri-specta (so `ipc.rs` collects it and
/// `bindings.ts` types it) and traced with `#[instrument(skip_all, err(Debug))]`: every
/// rejection is logged with its full error at the edge, and no argument (a key, a prompt) ever
/// reaches the log. The body is the command's output; `?` turns any error (the engine's, a
/// consent refusal) into the `{code, message, retryable}` envelope.
///
/// Written as `fn name(engine, args…)`, the body gets `engine: &Engine` from the app state
/// (an engine that failed to open rejects the call with why). Written with typed arguments
/// only, it gets exactly those, `State` included when it needs the app state itself.
///
/// A `macro_rules!` rather than an attribute: an attribute would need a proc-macro crate for
/// a dozen lines of expansion.
macro_rules! command {
    (
        $(#[$attr:meta])*
        async fn $name:ident($engine:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$attr])*
        #[tauri::command]
        #[specta::specta]
        #[tracing::instrument(skip_all, err(Debug))]
        pub(crate) async fn $name(
            state: tauri::State<'_, crate::state::AppState>,
            $($arg: $ty),*
        ) -> Result<$ret, crate::error::IpcError> {
            let $engine = state.engine()?;
            Ok($body)
        }
    };
    (
        $(#[$attr:meta])*
        async fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$attr])*
        #[tauri::command]
        #[specta::specta]
        #[tracing::instrument(skip_all, err(Debug))]
        pub(crate) async fn $name($($arg: $ty),*) -> Result<$ret, crate::error::IpcError> {
            Ok($body)
        }
    };
}

pub(crate) mod agents;
pub(crate) mod app;
pub(crate) mod chat;
pub(crate) mod clients;
pub(crate) mod links;
pub(crate) mod local_api;
pub(crate) mod models;
pub(crate) mod providers;
pub(crate) mod routing;
pub(crate) mod settings;
pub(crate) mod sign_in;
pub(crate) mod spend;
pub(crate) mod team;
