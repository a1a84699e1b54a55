//! `switchboard price`: the prices a user gives a custom provider's models (a local or
//! self-hosted server publishes none), per model or for the whole server, so their costs are
//! estimates instead of unknown.

use std::io::Write;

use clap::Subcommand;
use serde_json::json;
use switchboard_engine::Engine;
use switchboard_engine::core::{InvalidAmount, Usd, UserPrice};

use crate::info::usd_json;
use crate::terminal::shown;
use crate::{Failure, write_json};

#[derive(Subcommand)]
pub(crate) enum PriceAction {
    /// List every price given.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a price in USD per million tokens: for one model, or without MODEL for every model
    /// of the provider that has no price of its own (`price set Ollama --input 0 --output 0`).
    Set {
        /// The custom provider's name.
        provider: String,
        /// The model id; leave it out for the provider's default.
        model: Option<String>,
        /// USD per million input tokens.
        #[arg(long, value_parser = usd)]
        input: Usd,
        /// USD per million output tokens.
        #[arg(long, value_parser = usd)]
        output: Usd,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a price (without MODEL: the provider's default).
    Rm {
        /// The custom provider's name.
        provider: String,
        /// The model id; leave it out for the provider's default.
        model: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

impl PriceAction {
    pub(crate) fn json(&self) -> bool {
        match self {
            Self::List { json } | Self::Set { json, .. } | Self::Rm { json, .. } => *json,
        }
    }
}

/// A dollar amount as typed, with or without a leading `$`.
fn usd(text: &str) -> Result<Usd, InvalidAmount> {
    Usd::parse(text.trim().trim_start_matches('$'))
}

pub(crate) async fn run(engine: &Engine, action: PriceAction) -> Result<(), Failure> {
    let json_out = action.json();
    let prices = match action {
        PriceAction::List { .. } => engine.models().prices().await?,
        PriceAction::Set {
            provider,
            model,
            input,
            output,
            ..
        } => {
            let id = engine.routing().resolve_provider(&provider).await?;
            engine.models().set_price(id, model, input, output).await?
        }
        PriceAction::Rm {
            provider, model, ..
        } => {
            let id = engine.routing().resolve_provider(&provider).await?;
            engine.models().remove_price(id, model).await?
        }
    };
    if json_out {
        let rows: Vec<_> = prices.iter().map(row).collect();
        return write_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    if prices.is_empty() {
        writeln!(
            out,
            "No prices yet: costs of custom providers' models are unknown."
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<20} {:<40} {:>12} {:>12}",
        "provider", "model", "$/M in", "$/M out"
    )?;
    for p in &prices {
        writeln!(
            out,
            "{:<20} {:<40} {:>12} {:>12}",
            shown(&p.provider_name),
            p.model
                .as_deref()
                .map_or("(every other model)".into(), shown),
            p.prompt_per_million.to_string(),
            p.completion_per_million.to_string(),
        )?;
    }
    Ok(())
}

fn row(p: &UserPrice) -> serde_json::Value {
    json!({
        "provider": p.provider_name,
        "model": p.model,
        "prompt_usd_per_mtok": usd_json(Some(p.prompt_per_million)),
        "completion_usd_per_mtok": usd_json(Some(p.completion_per_million)),
    })
}
