//! `switchboard key`, `providers` and `info`.

use std::io::Write;

use serde_json::json;
use switchboard_engine::Engine;
use switchboard_engine::core::{KeySource, ProvidersOverview, Usd};

use crate::terminal::{shown, shown_lines};
use crate::{Failure, args, write_json};

/// A dollar amount as a JSON number whose text is the exact decimal (shortest round-trip
/// form of the value, which is the decimal written for any amount with ≤ 17 digits).
pub(crate) fn usd_json(amount: Option<Usd>) -> serde_json::Value {
    amount.map_or(serde_json::Value::Null, |a| json!(a.to_f64_lossy()))
}

pub(crate) async fn key(engine: &Engine, json_out: bool) -> Result<(), Failure> {
    let key = engine.keys().openrouter_key().await?;
    if json_out {
        return write_json(&json!({
            "label": key.label,
            "usage_usd": usd_json(Some(key.usage)),
            "limit_usd": usd_json(key.limit),
            "limit_remaining_usd": usd_json(key.limit_remaining),
            "limit_reset": key.limit_reset,
            "usage_daily_usd": usd_json(key.usage_daily),
            "usage_weekly_usd": usd_json(key.usage_weekly),
            "usage_monthly_usd": usd_json(key.usage_monthly),
            "is_free_tier": key.is_free_tier,
            "rate_limit": key.rate_limit.as_ref().map(|r| json!({"requests": r.requests, "interval": r.interval})),
        }));
    }
    let mut out = std::io::stdout().lock();
    let or_none = |a: Option<Usd>| a.map_or("none".to_owned(), |a| format!("${a}"));
    writeln!(
        out,
        "label      {}",
        shown(key.label.as_deref().unwrap_or("-"))
    )?;
    writeln!(out, "usage      ${}", key.usage)?;
    writeln!(out, "limit      {}", or_none(key.limit))?;
    writeln!(out, "remaining  {}", or_none(key.limit_remaining))?;
    if let Some(reset) = &key.limit_reset {
        writeln!(out, "resets     {}", shown(reset))?;
    }
    if let Some(r) = &key.rate_limit {
        writeln!(out, "rate limit {} per {}", r.requests, shown(&r.interval))?;
    }
    writeln!(
        out,
        "free tier  {}",
        if key.is_free_tier { "yes" } else { "no" }
    )?;
    Ok(())
}

#[derive(clap::Subcommand)]
pub(crate) enum ProvidersAction {
    /// Add an OpenAI-compatible server. The key, if it needs one, is read from stdin (so it
    /// stays out of shell history) and stored in the OS keychain.
    Add {
        /// A name to use with `chat --provider`.
        #[arg(value_parser = args::name)]
        name: String,
        /// Its base URL including the API prefix, e.g. http://127.0.0.1:11434/v1.
        #[arg(value_parser = args::base_url)]
        base_url: String,
        /// Read an API key from stdin.
        #[arg(long)]
        key_stdin: bool,
    },
    /// Remove a custom provider and its key.
    Remove {
        /// Its name.
        name: String,
    },
    /// Use a key the provider refused again (after fixing it at the provider).
    Enable {
        /// openrouter, openai, anthropic, or a custom provider's name.
        provider: String,
        /// Which key: `default` (the main key) or a further key's label.
        #[arg(default_value = "default")]
        label: String,
    },
}

pub(crate) async fn providers(
    engine: &Engine,
    action: Option<ProvidersAction>,
    json_out: bool,
) -> Result<(), Failure> {
    let overview = match action {
        None => engine.keys().overview().await?,
        Some(ProvidersAction::Add {
            name,
            base_url,
            key_stdin,
        }) => {
            let api_key = if key_stdin {
                let mut key = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut key).map_err(|e| {
                    switchboard_engine::EngineError::InvalidInput {
                        message: format!("cannot read the key from stdin: {e}"),
                    }
                })?;
                Some(key)
            } else {
                warn_unread_stdin();
                None
            };
            engine
                .keys()
                .add_custom_provider(switchboard_engine::NewCustomProvider {
                    name,
                    base_url,
                    api_key,
                })
                .await?
        }
        Some(ProvidersAction::Remove { name }) => {
            let id = engine.routing().resolve_provider(&name).await?;
            engine.keys().remove_custom_provider(id).await?
        }
        Some(ProvidersAction::Enable { provider, label }) => {
            let id = engine.routing().resolve_provider(&provider).await?;
            engine.keys().enable(id, label).await?
        }
    };
    if json_out {
        return write_json(&overview);
    }
    write_providers(&overview)
}

/// A key piped in without `--key-stdin` used to be dropped without a word: the provider was
/// saved keyless. It is not read (stdin may be a pipe that never closes), but said.
fn warn_unread_stdin() {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        let _ = writeln!(
            std::io::stderr(),
            "switchboard: warning: stdin is not a terminal, but nothing was read from it; the \
             provider is saved without a key. To store a key piped in, add --key-stdin."
        );
    }
}

fn write_providers(overview: &ProvidersOverview) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if !overview.keychain.available {
        writeln!(
            out,
            "! {} is not reachable ({}); keys are read from the environment only.",
            shown(&overview.keychain.backend),
            shown_lines(overview.keychain.detail.as_deref().unwrap_or("no detail"))
        )?;
    }
    for p in &overview.providers {
        let key = match (p.key.source, &p.key.masked) {
            (KeySource::Keychain, Some(m)) => format!("{} (keychain)", shown(m)),
            (KeySource::Environment, Some(m)) => format!(
                "{} (from environment {})",
                shown(m),
                shown(p.key.env_var.as_deref().unwrap_or(""))
            ),
            _ => "no key".to_owned(),
        };
        let refused = p.key.disabled.as_deref().map_or_else(String::new, |why| {
            format!(
                " — REFUSED by the provider: {} (fix it, then `switchboard providers enable {}`)",
                shown(why),
                shown(&p.name)
            )
        });
        writeln!(
            out,
            "{:<14} {:<40} {key}{refused}",
            shown(&p.name),
            shown(p.base_url.as_str())
        )?;
        if let Some(notice) = &p.notice {
            writeln!(out, "{:<14}   ! {}", "", shown_lines(notice))?;
        }
        for extra in &p.extra_keys {
            let state = extra.disabled.as_deref().map_or_else(
                || "in use".to_owned(),
                |why| {
                    format!(
                        "REFUSED: {} (`switchboard providers enable {} {}`)",
                        shown(why),
                        shown(&p.name),
                        shown(&extra.label)
                    )
                },
            );
            writeln!(
                out,
                "{:<14}   key {} {} {state}",
                "",
                shown(&extra.label),
                shown(extra.masked.as_deref().unwrap_or("(not in keychain)"))
            )?;
        }
    }
    Ok(())
}

pub(crate) fn info(engine: &Engine, json_out: bool) -> Result<(), Failure> {
    let info = engine.app_info()?;
    if json_out {
        return write_json(&info);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "version        {}\ndata dir       {}\nlog dir        {}\nschema         v{}\nkeychain       {}",
        info.version,
        shown(&info.data_dir),
        shown(&info.log_dir),
        info.schema_version,
        shown(&info.keychain_backend)
    )?;
    Ok(())
}
