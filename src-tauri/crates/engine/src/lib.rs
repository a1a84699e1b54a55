//! Switchboard's engine: every use case the product offers, behind one type, [`Engine`], and
//! grouped by area into borrowed handles: [`Engine::conversations`], [`Engine::agents`],
//! [`Engine::routing`], [`Engine::keys`], [`Engine::spend`], [`Engine::models`],
//! [`Engine::team`], [`Engine::clients`] and [`Engine::settings`].
//!
//! The desktop app's commands, the `switchboard` CLI and the cross-crate tests all call this and
//! nothing below it, so behaviour is identical wherever it is triggered. It composes the store,
//! the keychain and the provider adapters, and it is the one place errors are classified into
//! the `{code, message, retryable}` envelope. It knows nothing of Tauri.

/// Declares a handle: a small `Copy` struct borrowing [`Engine`] that groups one area's use
/// cases (`engine.conversations().send(…)`, as async-openai's `client.chat()`), and the
/// engine's method that returns it.
///
/// A handle derefs to the engine, so its use cases reach the engine's shared state and
/// helpers as `self.inner`, `self.blocking(…)`, exactly as they did as engine methods.
macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $getter:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            engine: &'a crate::Engine,
        }

        impl crate::Engine {
            #[doc = concat!("The use cases of [`", stringify!($name), "`].")]
            pub fn $getter(&self) -> $name<'_> {
                $name { engine: self }
            }
        }

        impl std::ops::Deref for $name<'_> {
            type Target = crate::Engine;

            fn deref(&self) -> &crate::Engine {
                self.engine
            }
        }
    };
}

mod agents;
mod browse;
mod budgets;
mod catalogue;
mod chat;
mod clients;
mod consent;
mod conversations;
mod custom_models;
mod environment;
mod error;
mod exports;
mod first_paint;
mod fresh;
mod keychain;
mod keys;
mod model_names;
mod models;
mod paths;
mod preferences;
mod providers;
mod routing;
mod sign_in;
mod spend;
mod team;

pub use agents::{AgentDetail, Agents, RunOptions};
pub use providers::NewCustomProvider;
pub use routing::{RouteEvent, RoutedOutcome, RoutedSend, Routing};
pub use sign_in::{SignInError, SignInOptions};
pub use switchboard_reports::{ChartTheme, ChartView, SpendFile, spend_csv};
pub use team::{MANAGEMENT_ACCOUNT, Team, TeamError};

use std::sync::Arc;

use switchboard_store::Store;

pub use catalogue::Catalogue;
pub use chat::ChatOutcome;
pub use clients::{Client, Clients, CreatedClientKey, MAX_CLIENT_NAME_CHARS};
pub use consent::Consent;
pub use conversations::{ConversationPage, Conversations};
pub use environment::{Environment, VARIABLES as ENVIRONMENT_VARIABLES};
pub use error::EngineError;
pub use exports::{ExportFile, ExportFormat};
pub use first_paint::{
    FirstPaint, MAX_FIRST_PAINT_BYTES, ScreenSnapshot, ShownTheme, StylePlatform,
};
pub use keychain::Keychain;
pub use keys::Keys;
pub use model_names::ServedName;
pub use models::Models;
pub use paths::DataDir;
pub use preferences::Settings;
pub use spend::Spend;
pub use switchboard_providers::{openrouter_api, price_table};
pub use switchboard_store::{CostSource, LATEST_VERSION as SCHEMA_VERSION, LedgerEntry, Outcome};
pub use tokio_util::sync::CancellationToken;

/// The keychain service name the app and the CLI store keys under.
pub const KEYCHAIN_SERVICE: &str = "switchboard";

/// What the engine needs from its host.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where the database and logs live.
    pub data_dir: DataDir,
    /// The keychain service name; tests use their own so they never touch a real user's keys.
    pub keychain_service: String,
    /// The environment variables the engine reads (fallback keys, base URL overrides), captured
    /// once so that tests can supply their own without touching the process environment.
    pub environment: Environment,
}

impl EngineConfig {
    /// The configuration the app and the CLI use: the process environment, the OS data
    /// directory (or `SWITCHBOARD_DATA_DIR`), the `switchboard` keychain service (or
    /// `SWITCHBOARD_KEYCHAIN_SERVICE`, which lets end-to-end tests and a second profile keep
    /// their keys apart from the everyday ones).
    pub fn from_process() -> Result<Self, EngineError> {
        let environment = Environment::from_process();
        Ok(Self {
            data_dir: DataDir::resolve(&environment)?,
            keychain_service: environment
                .get("SWITCHBOARD_KEYCHAIN_SERVICE")
                .unwrap_or(KEYCHAIN_SERVICE)
                .to_owned(),
            environment,
        })
    }
}

/// The engine. Cheap to clone; clones share everything.
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    keychain: Keychain,
    http: reqwest::Client,
    config: EngineConfig,
    running: conversations::Running,
    routing: routing::RoutingState,
    key_turns: keys::Turns,
    refused_env: keys::RefusedEnvKeys,
    budgets: budgets::Alerts,
    agent_runs: agents::AgentRuns,
    seen: fresh::Seen,
    sign_in: sign_in::Slot,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is going: what requests taught the router and is still due to be
        // written is written now, on this thread (the store is synchronous).
        if !self.store.read_only() {
            self.routing.save_unsaved(&self.store);
        }
    }
}

impl Engine {
    /// Opens the data directory and database (migrating it) and prepares the HTTP client.
    ///
    /// Blocking: call it before the UI starts, or from `spawn_blocking`.
    pub fn open(config: EngineConfig) -> Result<Self, EngineError> {
        let store = Store::open(&config.data_dir.db_path())?;
        let in_db = |e: EngineError| e.in_database(store.path());
        // A database opened read-only (its directory cannot be written) still serves reports;
        // what a crash left unfinished is marked by the next run that can write.
        if !store.read_only() {
            // The app died mid-stream: keep the text, mark it.
            store
                .interrupt_streaming_answers()
                .map_err(|e| in_db(e.into()))?;
            // Likewise for agent runs: their steps so far are kept.
            store
                .interrupt_running_runs()
                .map_err(|e| in_db(e.into()))?;
        }
        let routing = routing::RoutingState::load(&store).map_err(in_db)?;
        let http = switchboard_providers::http_client().map_err(|e| EngineError::Internal {
            context: format!("cannot build the HTTP client: {e}"),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                keychain: Keychain::new(config.keychain_service.clone()),
                http,
                config,
                running: conversations::Running::default(),
                routing,
                key_turns: keys::Turns::default(),
                refused_env: keys::RefusedEnvKeys::default(),
                budgets: budgets::Alerts::default(),
                agent_runs: agents::AgentRuns::default(),
                seen: fresh::Seen::default(),
                sign_in: sign_in::Slot::default(),
            }),
        })
    }

    /// Facts about this installation, for the About panel and bug reports.
    pub fn app_info(&self) -> Result<switchboard_core::AppInfo, EngineError> {
        let dir = &self.inner.config.data_dir;
        Ok(switchboard_core::AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: dir.path().display().to_string(),
            log_dir: dir.logs_dir().display().to_string(),
            schema_version: self.inner.store.schema_version()?,
            keychain_backend: Keychain::backend_name().to_owned(),
        })
    }

    /// The chat screen kept for the next launch's first paint.
    pub fn first_paint(&self) -> FirstPaint {
        FirstPaint::at(&self.inner.config.data_dir)
    }

    /// Runs blocking work (SQLite, the keychain's D-Bus calls) off the async runtime.
    async fn blocking<T, F>(&self, work: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, EngineError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            work(&inner).map_err(|e| e.in_database(inner.store.path()))
        })
        .await
        .map_err(|e| EngineError::Internal {
            context: format!("background task failed: {e}"),
        })?
    }
}

/// The agent types the engine's agent use cases take and return.
pub mod agent {
    pub use switchboard_agents::{
        AgentEvent, AgentSpec, AgentTarget, McpEnv, McpServer, Memory, MemoryPolicy, MemoryTurn,
        Plan, RunView, StepKind, Task, TaskReport, Template, ToolGrant,
    };
}

/// The routing types the engine's routing use cases take and return, and the name rules its
/// callers check input against.
pub mod router {
    pub use switchboard_router::{
        CircuitState, Decision, Exclusion, Failover, NameError, Route, RouteRequest, RouterConfig,
        RoutingHealth, Signal, Strategy, Target, TaskLearning, bounds, check_name, is_blank,
        is_unsafe_char,
    };
}

/// The domain types the engine's use cases take and return.
pub mod core {
    pub use switchboard_core::{
        AnswerId, AnswerStats, AnswerStatus, Attachment, BaseUrl, BaseUrlSource, BrowserModel,
        Budget, BudgetPeriod, BudgetScope, BuiltinProvider, ChatEvent, ChatRequest, ClientKeyView,
        ColumnId, ColumnSpec, ConversationId, ConversationSummary, DateRange, Delta, ErrorCode,
        ErrorInfo, GuardrailDraft, GuardrailTargets, InvalidAmount, KeySource, LimitChange,
        LimitCheck, LimitReset, MaxPrice, Message, ModelParams, PredictColumn, Preferences,
        ProviderId, ProviderKind, ProviderPreferences, ProviderSort, ProvidersOverview,
        ReconcileCause, ResetChange, Role, SignedIn, SpendGrouping, TeamKey, TeamKeyChange,
        TeamKeyDraft, Thumb, TurnId, Usd, UserPrice,
    };
}
