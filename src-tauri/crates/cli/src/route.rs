//! `switchboard route`: explain a routing decision; import and export the configuration.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use switchboard_engine::router::bounds::MAX_FILE_BYTES;
use switchboard_engine::router::{Decision, RouteRequest};
use switchboard_engine::{Engine, EngineError};

use crate::terminal::{shown, shown_lines};
use crate::{Failure, args, write_json};

#[derive(Subcommand)]
pub(crate) enum RouteAction {
    /// Show which rule matches a prompt, which targets are eligible or excluded and why, and
    /// which would be chosen. Nothing is sent.
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["model", "route", "task"])))]
    Explain {
        /// A model asked for directly.
        #[arg(long, value_parser = args::model)]
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
    /// line). A file with no routes, rules or limits is refused unless --replace-with-empty.
    Import {
        /// The file (at most 1 MiB).
        file: PathBuf,
        /// Allow a file of only blank lines and comments, deleting every route, rule and limit.
        #[arg(long)]
        replace_with_empty: bool,
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
                Some(_) => Some(engine.routing().resolve_provider(&provider).await?),
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
            let decision = engine.routing().explain(req).await?;
            if json {
                write_json(&decision)
            } else {
                print(&decision)
            }
        }
        RouteAction::Import {
            file,
            replace_with_empty,
        } => {
            let text = read_routing_file(&file)?;
            if switchboard_engine::router::is_blank(&text) && !replace_with_empty {
                return Err(EngineError::InvalidInput {
                    message: format!(
                        "{}: the file holds no routes, rules or limits (only blank lines and \
                         comments), so importing it would delete the whole routing \
                         configuration. Nothing was changed. To start over with an empty \
                         configuration, run it again with --replace-with-empty.",
                        file.display()
                    ),
                }
                .into());
            }
            let config = engine
                .routing()
                .import_with(&text, replace_with_empty)
                .await
                .map_err(|e| match e {
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
            let text = engine.routing().export()?;
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

/// Reads a routing file, refusing one past the size cap before reading it whole.
fn read_routing_file(file: &Path) -> Result<String, EngineError> {
    let cannot = |e: std::io::Error| EngineError::InvalidInput {
        message: format!("cannot read {}: {e}", file.display()),
    };
    let too_big = |bytes: u64| EngineError::InvalidInput {
        message: format!(
            "{}: the file is {bytes} bytes; a routing file is at most {MAX_FILE_BYTES} bytes \
             (1 MiB). Nothing was changed.",
            file.display()
        ),
    };
    let opened = std::fs::File::open(file).map_err(cannot)?;
    let size = opened.metadata().map_err(cannot)?.len();
    let cap = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    if size > cap {
        return Err(too_big(size));
    }
    // The size can change after it was read (or be 0 for a pipe): read at most one byte past
    // the cap.
    let mut text = String::new();
    opened
        .take(cap + 1)
        .read_to_string(&mut text)
        .map_err(cannot)?;
    if text.len() > MAX_FILE_BYTES {
        return Err(too_big(u64::try_from(text.len()).unwrap_or(u64::MAX)));
    }
    Ok(text)
}

fn print(d: &Decision) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for r in &d.rules {
        let verdict = serde_json::to_value(r.verdict).ok();
        let verdict = verdict
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        writeln!(
            out,
            "rule  {:<24} {verdict:<11} {}",
            shown(&r.name),
            shown(&r.detail)
        )?;
    }
    if let Some(message) = &d.blocked {
        writeln!(out, "blocked: {}", shown_lines(message))?;
        return Ok(());
    }
    let strategy = serde_json::to_value(d.strategy).ok();
    writeln!(
        out,
        "route {} ({})",
        shown(d.route.as_deref().unwrap_or("(the model asked for)")),
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
            c.target.provider,
            shown(&c.target.model),
            shown(&c.why.text())
        )?;
    }
    writeln!(out, "{}", shown_lines(&d.summary))?;
    Ok(())
}
