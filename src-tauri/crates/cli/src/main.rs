//! `switchboard`: the engine from a terminal, for people and scripts.
//!
//! A thin front: parse arguments, call `switchboard-engine`, print. It shares the app's data
//! directory (`SWITCHBOARD_DATA_DIR` overrides it) and keychain, so what one does the other sees.
//! Exit codes: 0 success, 1 the operation failed (the error is printed; with `--json` also as
//! JSON on stdout), 2 bad arguments.

mod agent;
mod api_keys;
mod args;
mod chat;
mod info;
mod models;
mod price;
mod route;
mod serve;
mod spend;
mod terminal;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard_engine::core::ErrorInfo;
use switchboard_engine::{Engine, EngineConfig, EngineError};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Switchboard: many language models, one workbench"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send one prompt to a model and print the answer (streamed) or a JSON record of it.
    Chat(chat::ChatArgs),
    /// List the OpenRouter catalogue (or, with --provider, one provider's models) with prices
    /// per million tokens.
    Models(models::ModelsArgs),
    /// Show the OpenRouter key's usage, limit, remaining credit and rate limit.
    Key {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List providers with their base URL and which key is in effect (masked); add or remove
    /// OpenAI-compatible servers (Ollama, LM Studio, vLLM, llama.cpp, a LiteLLM proxy).
    Providers {
        #[command(subcommand)]
        action: Option<info::ProvidersAction>,
        /// Print JSON instead of a table.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Prices for a custom provider's models (USD per million tokens), so their costs are
    /// estimates instead of unknown.
    Price {
        #[command(subcommand)]
        action: price::PriceAction,
    },
    /// Explain where a request would go; import or export the routing configuration (TOML).
    Route {
        #[command(subcommand)]
        action: route::RouteAction,
    },
    /// What was spent, grouped by day, week, month, model, provider, agent, conversation or
    /// client (the tool that sent it through the local API).
    Spend(spend::SpendArgs),
    /// List, set or remove spending limits.
    Budget {
        #[command(subcommand)]
        action: spend::BudgetAction,
    },
    /// Create, list or revoke the keys tools use to call Switchboard's local API (one per
    /// tool, so each tool's spend is told apart and can be limited).
    ApiKeys {
        #[command(subcommand)]
        action: api_keys::ApiKeysAction,
    },
    /// Serve the local API (OpenAI chat and Responses, Anthropic Messages) so other tools'
    /// requests go through Switchboard's router, budgets and ledger. Prints
    /// `listening on http://HOST:PORT` once ready; Ctrl-C or SIGTERM stops it after the
    /// requests in flight end (or 10 s).
    Serve(serve::ServeArgs),
    /// List agents, make one from a template, or run a task with one.
    Agent {
        #[command(subcommand)]
        action: agent::AgentAction,
    },
    /// Show where data and logs live and which keychain is used.
    Info {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    fn json(&self) -> bool {
        match self {
            Self::Chat(a) => a.json,
            Self::Models(a) => a.json,
            Self::Route { action } => action.json(),
            Self::Price { action } => action.json(),
            Self::Spend(a) => a.json,
            Self::Budget { action } => action.json(),
            Self::Agent { action } => action.json(),
            Self::ApiKeys { action } => action.json(),
            Self::Serve(_) => false,
            Self::Key { json } | Self::Providers { json, .. } | Self::Info { json } => *json,
        }
    }
}

/// What a command ended with: success, or a failure already reported on stdout (chat prints
/// its record even when the request failed), or an error still to report.
pub(crate) enum Failure {
    Reported,
    /// Stopped by Ctrl-C or SIGTERM; what happened was already said. Exits 130, as shells do.
    Interrupted,
    Error(EngineError),
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Self::Error(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // `switchboard models | head` closing the pipe is not a failure worth a message.
            return Self::Reported;
        }
        Self::Error(EngineError::Internal {
            context: format!("cannot write to stdout: {e}"),
        })
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
                .unwrap_or_else(|_| "off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let json = cli.command.json();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::FAILURE,
        Err(Failure::Interrupted) => ExitCode::from(130),
        Err(Failure::Error(err)) => {
            let info = err.info();
            if json {
                print_error_json(&info);
            }
            fail(&info.message)
        }
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    let engine = Engine::open(EngineConfig::from_process()?)?;
    match &command {
        // Reports must be exact: costs a dead process left unknown are asked for first.
        Command::Spend(_) | Command::Budget { .. } => reconcile(&engine).await,
        // A send must not wait on it, but an interrupted row holds its worst case against the
        // hard budgets until reconciled, so it starts now and runs alongside.
        Command::Chat(_) | Command::Agent { .. } => {
            let engine = engine.clone();
            tokio::spawn(async move { reconcile(&engine).await });
        }
        _ => {}
    }
    match command {
        Command::Chat(args) => chat::run(&engine, args).await,
        Command::Models(args) => models::run(&engine, args).await,
        Command::Key { json } => info::key(&engine, json).await,
        Command::Providers { action, json } => info::providers(&engine, action, json).await,
        Command::Info { json } => info::info(&engine, json),
        Command::Route { action } => route::run(&engine, action).await,
        Command::Price { action } => price::run(&engine, action).await,
        Command::Spend(args) => spend::spend(&engine, args).await,
        Command::Budget { action } => spend::budget(&engine, action).await,
        Command::Agent { action } => agent::run(&engine, action).await,
        Command::ApiKeys { action } => api_keys::run(&engine, action).await,
        Command::Serve(args) => serve::run(&engine, args).await,
    }
}

/// How long a report waits for OpenRouter's figures before it shows what it has.
const RECONCILE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Replaces unknown and estimated costs with OpenRouter's exact ones where it has them, for
/// rows a crashed or interrupted process left behind too (the app does this every minute; a
/// CLI-only user has no app running). Best effort: offline, the rows stay as they are.
pub(crate) async fn reconcile(engine: &Engine) {
    match tokio::time::timeout(RECONCILE_WAIT, engine.spend().reconcile_costs(20)).await {
        Ok(Ok(0)) | Err(_) => {}
        Ok(Ok(n)) => tracing::info!(rows = n, "costs reconciled with OpenRouter"),
        Ok(Err(e)) => tracing::debug!(error = %e, "cost reconciliation skipped"),
    }
}

pub(crate) fn write_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

fn print_error_json(info: &ErrorInfo) {
    let body = serde_json::json!({ "error": info });
    let _ = writeln!(std::io::stdout(), "{body}");
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(
        std::io::stderr(),
        "switchboard: {}",
        terminal::shown_lines(message)
    );
    ExitCode::FAILURE
}
