//! `switchboard api-keys`: the keys tools on this machine use to call Switchboard's local API,
//! one per tool, so each tool's spend is told apart and can be limited.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use switchboard_engine::Engine;
use switchboard_engine::core::{BudgetPeriod, ClientKeyView, Usd};

use crate::terminal::shown;
use crate::{Failure, args, write_json};

#[derive(Subcommand)]
pub(crate) enum ApiKeysAction {
    /// Create a key for one tool. It is printed once and only its hash is kept, so copy it
    /// into the tool's settings straight away.
    Create {
        /// The tool's name (claude-code, cursor, aider…): what spend by client and routing
        /// rules show. At most 64 characters.
        #[arg(value_parser = args::client_name)]
        name: String,
        /// Give the key a hard budget of this many dollars per period, e.g. 5 or 0.50.
        #[arg(long, value_parser = args::limit)]
        budget: Option<Usd>,
        /// The budget's period.
        #[arg(long, value_enum, default_value = "month", requires = "budget")]
        period: Period,
        /// Print JSON: {"name", "key"}.
        #[arg(long)]
        json: bool,
    },
    /// Every key, masked, with when it was last used and whether it is revoked.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: requests with it are refused from now on. Its spend keeps its name.
    Revoke {
        /// Its name (or id).
        name: String,
    },
}

impl ApiKeysAction {
    pub(crate) fn json(&self) -> bool {
        match self {
            Self::Create { json, .. } | Self::List { json } => *json,
            Self::Revoke { .. } => false,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Period {
    Day,
    Week,
    Month,
}

impl From<Period> for BudgetPeriod {
    fn from(p: Period) -> Self {
        match p {
            Period::Day => Self::Day,
            Period::Week => Self::Week,
            Period::Month => Self::Month,
        }
    }
}

pub(crate) async fn run(engine: &Engine, action: ApiKeysAction) -> Result<(), Failure> {
    match action {
        ApiKeysAction::Create {
            name,
            budget,
            period,
            json,
        } => {
            let period = BudgetPeriod::from(period);
            let switchboard_engine::CreatedClientKey {
                key: view,
                secret: key,
            } = engine
                .clients()
                .create(&name, budget.map(|limit| (limit, period)))
                .await?;
            if json {
                return write_json(&json!({ "name": view.name, "key": key }));
            }
            let mut out = std::io::stdout().lock();
            writeln!(out, "Created client key \"{}\".", shown(&view.name))?;
            if let Some(limit) = budget {
                writeln!(
                    out,
                    "It has a hard budget of ${} {}: requests that could go past it are refused.",
                    limit.human(),
                    period.per()
                )?;
            }
            writeln!(out)?;
            writeln!(out, "    {key}")?;
            writeln!(out)?;
            writeln!(
                out,
                "This is the only time the key is shown: Switchboard keeps only its hash. Copy \
                 it into the tool's settings now; if it is lost, revoke it and create another."
            )?;
            Ok(())
        }
        ApiKeysAction::List { json } => {
            let keys = engine.clients().list().await?;
            if json {
                return write_json(&keys.iter().map(key_json).collect::<Vec<_>>());
            }
            let mut out = std::io::stdout().lock();
            if keys.is_empty() {
                writeln!(
                    out,
                    "no client keys; create one with `switchboard api-keys create NAME`"
                )?;
                return Ok(());
            }
            let now = now_ms();
            writeln!(
                out,
                "{:<32} {:<10} {:<14} {:<14} state",
                "name", "key", "created", "last used"
            )?;
            for k in &keys {
                writeln!(
                    out,
                    "{:<32} {:<10} {:<14} {:<14} {}",
                    shown(&k.name),
                    k.masked,
                    ago(now, Some(k.created_ms)),
                    ago(now, k.last_used_ms),
                    k.revoked_ms.map_or("valid".to_owned(), |at| format!(
                        "revoked {}",
                        ago(now, Some(at))
                    ))
                )?;
            }
            Ok(())
        }
        ApiKeysAction::Revoke { name } => {
            let revoked = engine.clients().revoke(&name).await?;
            writeln!(
                std::io::stdout(),
                "Revoked client key \"{}\" ({}): requests with it are refused from now on. Its \
                 spend keeps its name.",
                shown(&revoked.name),
                revoked.masked
            )?;
            Ok(())
        }
    }
}

/// A key in `api-keys list --json`: masked, times in Unix ms.
fn key_json(k: &ClientKeyView) -> serde_json::Value {
    json!({
        "id": k.id,
        "name": k.name,
        "key": k.masked,
        "created_ms": k.created_ms,
        "last_used_ms": k.last_used_ms,
        "revoked_ms": k.revoked_ms,
        "revoked": k.revoked_ms.is_some(),
    })
}

#[allow(
    clippy::disallowed_methods,
    reason = "only to print how long ago a key was used; the engine does not export the store's clock"
)]
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `just now`, `5 min ago`, `3 h ago`, `12 days ago`; `never` for none. Hand-written: the CLI
/// has no date library, and a table of keys needs nothing finer.
fn ago(now_ms: i64, at_ms: Option<i64>) -> String {
    let Some(at) = at_ms else {
        return "never".to_owned();
    };
    let minutes = (now_ms - at).max(0) / 60_000;
    match minutes {
        0 => "just now".to_owned(),
        1..60 => format!("{minutes} min ago"),
        60..2_880 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1_440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_how_long_ago() {
        let now = 10_000_000_000;
        assert_eq!(ago(now, None), "never");
        assert_eq!(ago(now, Some(now - 59_000)), "just now");
        assert_eq!(
            ago(now, Some(now + 5_000)),
            "just now",
            "a clock a little ahead"
        );
        assert_eq!(ago(now, Some(now - 5 * 60_000)), "5 min ago");
        assert_eq!(ago(now, Some(now - 3 * 3_600_000)), "3 h ago");
        assert_eq!(ago(now, Some(now - 12 * 86_400_000)), "12 days ago");
    }
}
