//! `switchboard route`: explain a routing decision; import and export the configuration.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use switchboard_engine::router::{Decision, RouteRequest};
use switchboard_engine::{Engine, EngineError};

use crate::{Failure, write_json};

#[derive(Subcommand)]
pub(crate) enum RouteAction {
    /// Show which rule matches a prompt, which targets are eligible or excluded and why, and
    /// which would be chosen. Nothing is sent.
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["model", "route", "task"])))]
    Explain {
        /// A model asked for directly.
        #[arg(long)]
        model: Option<String>,
        /// The model's provider.
        #[arg(long, default_value = "openrouter")]
        provider: String,
        /// A route asked for.
        #[arg(long)]
        route: Option<String>,
        /// A task type tag for the rules.
        #[arg(long)]
        task: Option<String>,
        /// Output tokens to reserve in the context window.
        #[arg(long)]
        max_tokens: Option<u32>,
        /// Print the whole decision as JSON.
        #[arg(long)]
        json: bool,
        /// The prompt (its size is estimated; it is not sent).
        prompt: String,
    },
    /// Replace the routing configuration with a TOML file's (checked first; errors name the
    /// line).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Write the routing configuration to a TOML file (`-` for stdout).
    Export {
        /// The file.
        file: PathBuf,
    },
}

impl RouteAction {
    pub(crate) fn json(&self) -> bool {
        matches!(self, Self::Explain { json: true, .. })
    }
}

pub(crate) async fn run(engine: &Engine, action: RouteAction) -> Result<(), Failure> {
    match action {
        RouteAction::Explain {
            model,
            provider,
            route,
            task,
            max_tokens,
            json,
            prompt,
        } => {
            let provider = match &model {
                Some(_) => Some(engine.resolve_provider(&provider).await?),
                None => None,
            };
            let req = RouteRequest {
                provider,
                model,
                route,
                task,
                prompt_tokens: RouteRequest::estimate_tokens(&prompt),
                max_output_tokens: max_tokens,
                ..RouteRequest::default()
            };
            let decision = engine.explain_route(req).await?;
            if json {
                write_json(&decision)
            } else {
                print(&decision)
            }
        }
        RouteAction::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| EngineError::InvalidInput {
                message: format!("cannot read {}: {e}", file.display()),
            })?;
            let config = engine.import_routing(&text).await.map_err(|e| match e {
                EngineError::InvalidInput { message } => EngineError::InvalidInput {
                    message: format!("{}: {message}", file.display()),
                },
                other => other,
            })?;
            writeln!(
                std::io::stdout(),
                "imported {} route(s), {} rule(s), {} limit(s)",
                config.routes.len(),
                config.rules.len(),
                config.limits.len()
            )?;
            Ok(())
        }
        RouteAction::Export { file } => {
            let text = engine.export_routing()?;
            if file.as_os_str() == "-" {
                std::io::stdout().write_all(text.as_bytes())?;
            } else {
                std::fs::write(&file, text).map_err(|e| EngineError::InvalidInput {
                    message: format!("cannot write {}: {e}", file.display()),
                })?;
            }
            Ok(())
        }
    }
}

fn print(d: &Decision) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for r in &d.rules {
        let verdict = serde_json::to_value(r.verdict).ok();
        let verdict = verdict
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        writeln!(out, "rule  {:<24} {verdict:<11} {}", r.name, r.detail)?;
    }
    if let Some(message) = &d.blocked {
        writeln!(out, "blocked: {message}")?;
        return Ok(());
    }
    let strategy = serde_json::to_value(d.strategy).ok();
    writeln!(
        out,
        "route {} ({})",
        d.route.as_deref().unwrap_or("(the model asked for)"),
        strategy
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    )?;
    for c in &d.candidates {
        let mark = if c.exclusion.is_some() { "✗" } else { "✓" };
        let cost = c
            .predicted_cost
            .map_or_else(|| "cost ?".to_owned(), |usd| format!("~${usd:.6}"));
        writeln!(
            out,
            "  {mark} {} {:<40} {cost:>12}  {}",
            c.target.provider, c.target.model, c.why
        )?;
    }
    writeln!(out, "{}", d.summary)?;
    Ok(())
}
