//! `switchboard`: the engine from a terminal, for people and scripts.
//!
//! A thin front: parse arguments, call `switchboard-engine`, print. It shares the app's data
//! directory (`SWITCHBOARD_DATA_DIR` overrides it) and keychain, so what one does the other sees.
//! Exit codes: 0 success, 1 the operation failed (the error is printed), 2 bad arguments.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard_engine::core::{ErrorInfo, KeySource, ProvidersOverview};
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
    /// List providers with their base URL and which key is in effect (masked).
    Providers {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show where data and logs live and which keychain is used.
    Info {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SWITCHBOARD_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let json = match &cli.command {
        Command::Providers { json } | Command::Info { json } => *json,
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let info = err.info();
            fail_info(&info, json)
        }
    }
}

async fn run(command: Command) -> Result<(), EngineError> {
    let engine = Engine::open(EngineConfig::from_process()?)?;
    let mut out = std::io::stdout().lock();
    let result = match command {
        Command::Providers { json } => {
            let overview = engine.providers_overview().await?;
            if json {
                write_json(&mut out, &overview)
            } else {
                write_providers(&mut out, &overview)
            }
        }
        Command::Info { json } => {
            let info = engine.app_info()?;
            if json {
                write_json(&mut out, &info)
            } else {
                writeln!(
                    out,
                    "version        {}\ndata dir       {}\nlog dir        {}\nschema         v{}\nkeychain       {}",
                    info.version,
                    info.data_dir,
                    info.log_dir,
                    info.schema_version,
                    info.keychain_backend
                )
            }
        }
    };
    // A closed pipe (`switchboard providers | head -1`) is not an error worth reporting.
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(EngineError::Internal {
            context: format!("cannot write to stdout: {e}"),
        }),
        _ => Ok(()),
    }
}

fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn write_providers(out: &mut impl Write, overview: &ProvidersOverview) -> std::io::Result<()> {
    if !overview.keychain.available {
        writeln!(
            out,
            "! {} is not reachable ({}); keys are read from the environment only.",
            overview.keychain.backend,
            overview.keychain.detail.as_deref().unwrap_or("no detail")
        )?;
    }
    for p in &overview.providers {
        let key = match (p.key.source, &p.key.masked) {
            (KeySource::Keychain, Some(m)) => format!("{m} (keychain)"),
            (KeySource::Environment, Some(m)) => format!(
                "{m} (from environment {})",
                p.key.env_var.as_deref().unwrap_or("")
            ),
            _ => "no key".to_owned(),
        };
        writeln!(out, "{:<14} {:<40} {key}", p.name, p.base_url)?;
    }
    Ok(())
}

fn fail_info(info: &ErrorInfo, json: bool) -> ExitCode {
    if json {
        let body = serde_json::json!({ "error": info });
        let _ = writeln!(std::io::stdout(), "{body}");
    }
    fail(&info.message)
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "switchboard: {message}");
    ExitCode::FAILURE
}
