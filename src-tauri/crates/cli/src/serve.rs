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
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{}", gateway.addr())?;
        out.flush()?;
    }
    stopped().await;
    let _ = writeln!(
        std::io::stderr(),
        "switchboard: stopping; waiting up to {} s for {} request(s) in flight",
        GRACE.as_secs(),
        gateway.stats().in_flight
    );
    if !gateway.stop(GRACE).await {
        let _ = writeln!(
            std::io::stderr(),
            "switchboard: {}",
            shown("some requests were still running and were cut off")
        );
    }
    Ok(())
}

/// Returns on Ctrl-C (SIGINT) or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
