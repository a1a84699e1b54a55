//! `switchboard serve`: the local API, headless. Other tools (Claude Code, Codex CLI, Cursor,
//! aider, scripts on the OpenAI and Anthropic SDKs) point at it, and their requests go through
//! Switchboard's router, budgets and ledger.

use std::io::Write;
use std::net::IpAddr;
use std::time::Duration;

use clap::Args;
use switchboard_engine::{Engine, EngineError};
use switchboard_gateway::server::{DEFAULT_PORT, Gateway, GatewayConfig};

use crate::Failure;
use crate::terminal::shown;

/// How long requests in flight may take to finish once asked to stop.
const GRACE: Duration = Duration::from_secs(10);

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on. Anything but loopback needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Listen on a non-loopback address: other machines on the network can then reach it
    /// (they still need a client key).
    #[arg(long)]
    allow_remote: bool,
    /// A web origin allowed to call it from a browser (repeatable); none by default.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Another `Host` header value to accept (repeatable), e.g. this machine's LAN name.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
}

pub(crate) async fn run(engine: &Engine, args: ServeArgs) -> Result<(), Failure> {
    if !args.host.is_loopback() && !args.allow_remote {
        return Err(EngineError::InvalidInput {
            message: format!(
                "{} is not a loopback address: other machines could reach the server. Add \
                 --allow-remote if that is what you want.",
                args.host
            ),
        }
        .into());
    }
    if !args.host.is_loopback() {
        let _ = writeln!(
            std::io::stderr(),
            "switchboard: warning: listening on {}, reachable from other machines on the \
             network; every request still needs a client key.",
            args.host
        );
    }
    let config = GatewayConfig {
        host: args.host,
        port: args.port,
        allowed_origins: args.allow_origins,
        extra_hosts: args.allow_hosts,
        ..GatewayConfig::default()
    };
    let gateway =
        Gateway::start(engine.clone(), config)
            .await
            .map_err(|e| EngineError::InvalidInput {
                message: e.to_string(),
            })?;
    // What the app does in the background while it runs, for a headless user: exact costs
    // for rows left estimated or interrupted, and free health checks of open circuits.
    let background = tokio::spawn(upkeep(engine.clone()));
    let stopped = stop_signals();
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{}", gateway.addr())?;
        out.flush()?;
    }
    stopped.await;
    let _ = writeln!(
        std::io::stderr(),
        "switchboard: stopping; waiting up to {} s for {} request(s) in flight",
        GRACE.as_secs(),
        gateway.stats().in_flight
    );
    background.abort();
    if !gateway.stop(GRACE).await {
        let _ = writeln!(
            std::io::stderr(),
            "switchboard: {}",
            shown("some requests were still running and were cut off")
        );
    }
    Ok(())
}

/// How often `serve` reconciles costs with OpenRouter (as the app does).
const RECONCILE_EVERY: Duration = Duration::from_secs(60);
/// How often open circuits are looked at; each target is checked at most once per its
/// configured interval.
const HEALTH_CHECK_TICK: Duration = Duration::from_secs(5);

async fn upkeep(engine: Engine) {
    let mut reconciled = tokio::time::Instant::now();
    crate::reconcile(&engine).await;
    loop {
        engine.routing().check_open_circuits().await;
        tokio::time::sleep(HEALTH_CHECK_TICK).await;
        if reconciled.elapsed() >= RECONCILE_EVERY {
            crate::reconcile(&engine).await;
            reconciled = tokio::time::Instant::now();
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM, listened for from the moment this is called (not from the
/// first poll): a stop sent as soon as "listening on" is printed is not missed.
#[cfg(unix)]
fn stop_signals() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
fn stop_signals() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
