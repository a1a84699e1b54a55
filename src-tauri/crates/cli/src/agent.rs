//! `switchboard agent`: list agents, make one from a template, and run a task.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use switchboard_engine::agent::{AgentEvent, AgentTarget, Task, TaskReport, ToolGrant};
use switchboard_engine::{Engine, EngineError, RunOptions};
use tokio::sync::mpsc;

use crate::info::usd_json;
use crate::terminal::{shown, shown_lines};
use crate::{Failure, args, write_json};

#[derive(Subcommand)]
pub(crate) enum AgentAction {
    /// List agents (and, with `--templates`, the templates to start from).
    List {
        /// List the templates instead.
        #[arg(long)]
        templates: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make an agent from a template.
    Add {
        /// Its name.
        #[arg(value_parser = args::name)]
        name: String,
        /// The template: code_reviewer, summarizer, translator, data_extractor, researcher.
        #[arg(long)]
        template: String,
        /// The folder it may read (for templates that read files).
        #[arg(long)]
        folder: Option<PathBuf>,
        /// Use this model (`provider/model-id`, e.g. `openrouter/openai/gpt-4o-mini`) instead
        /// of the template's (the stages of a staged plan and the candidates of a cost-aware
        /// one keep their own).
        #[arg(long, value_parser = args::model)]
        model: Option<String>,
    },
    /// Delete an agent (its runs and spend stay in the history).
    Rm {
        /// Its name.
        name: String,
    },
    /// Run a task and print the result; the steps go to stderr as they happen.
    Run {
        /// The agent.
        name: String,
        /// Print JSON: {"result","cost_usd","tokens","steps":[{"kind","model","tool","cost_usd","ms"}],"error"}.
        #[arg(long)]
        json: bool,
        /// Allow tool calls with side effects without asking (else they are declined).
        #[arg(long)]
        yes: bool,
        /// A named input, `name=value`; `name=@path` reads a file. Repeatable.
        #[arg(long = "input", value_name = "NAME=VALUE")]
        inputs: Vec<String>,
        /// The task.
        task: String,
    },
}

impl AgentAction {
    pub(crate) fn json(&self) -> bool {
        matches!(
            self,
            Self::List { json: true, .. } | Self::Run { json: true, .. }
        )
    }
}

pub(crate) async fn run(engine: &Engine, action: AgentAction) -> Result<(), Failure> {
    match action {
        AgentAction::List { templates, json } => list(engine, templates, json).await,
        AgentAction::Add {
            name,
            template,
            folder,
            model,
        } => add(engine, name, &template, folder, model).await,
        AgentAction::Rm { name } => {
            engine.agents().delete(name.clone()).await?;
            writeln!(std::io::stdout(), "deleted agent \"{}\"", shown(&name))?;
            Ok(())
        }
        AgentAction::Run {
            name,
            json,
            yes,
            inputs,
            task,
        } => run_task(engine, name, json, yes, &inputs, task).await,
    }
}

async fn list(engine: &Engine, templates: bool, json_out: bool) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    if templates {
        let all = engine.agents().templates();
        if json_out {
            return write_json(&all);
        }
        for t in all {
            writeln!(out, "{:<16} {}", shown(&t.id), shown(&t.blurb))?;
        }
        return Ok(());
    }
    let agents = engine.agents().list().await?;
    if json_out {
        return write_json(&agents);
    }
    if agents.is_empty() {
        writeln!(
            out,
            "no agents yet; make one with `switchboard agent add <name> --template <id>` \
             (`switchboard agent list --templates` lists them)"
        )?;
    }
    for a in agents {
        writeln!(
            out,
            "{:<20} {:<32} {}",
            shown(&a.name),
            shown(&a.target.label()),
            shown(&a.description)
        )?;
    }
    Ok(())
}

async fn add(
    engine: &Engine,
    name: String,
    template: &str,
    folder: Option<PathBuf>,
    model: Option<String>,
) -> Result<(), Failure> {
    let Some(t) = engine
        .agents()
        .templates()
        .into_iter()
        .find(|t| t.id == template)
    else {
        return Err(EngineError::InvalidInput {
            message: format!(
                "no template \"{template}\"; `switchboard agent list --templates` lists them"
            ),
        }
        .into());
    };
    let mut spec = t.spec;
    spec.name = name;
    if let Some(folder) = folder {
        let root = std::fs::canonicalize(&folder).map_err(|e| EngineError::InvalidInput {
            message: format!("cannot use the folder {}: {e}", folder.display()),
        })?;
        for grant in &mut spec.tools {
            if let ToolGrant::ReadFiles { root: r } = grant {
                r.clone_from(&root);
            }
        }
    }
    if let Some(model) = model {
        let Some((provider, id)) = model.split_once('/') else {
            return Err(EngineError::InvalidInput {
                message: "--model is provider/model-id, e.g. openrouter/openai/gpt-4o-mini".into(),
            }
            .into());
        };
        spec.target = AgentTarget::Model {
            provider: engine.routing().resolve_provider(provider).await?,
            model: id.to_owned(),
        };
    }
    let saved = engine.agents().save(None, spec).await?;
    writeln!(
        std::io::stdout(),
        "made agent \"{}\" ({})",
        shown(&saved.name),
        shown(&saved.target.label())
    )?;
    Ok(())
}

fn parse_inputs(inputs: &[String]) -> Result<BTreeMap<String, String>, EngineError> {
    let mut map = BTreeMap::new();
    for raw in inputs {
        let Some((name, value)) = raw.split_once('=') else {
            return Err(EngineError::InvalidInput {
                message: format!("--input {raw}: write it as name=value or name=@file"),
            });
        };
        let value = match value.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| EngineError::InvalidInput {
                message: format!("--input {name}: cannot read {path}: {e}"),
            })?,
            None => value.to_owned(),
        };
        map.insert(name.to_owned(), value);
    }
    Ok(map)
}

async fn run_task(
    engine: &Engine,
    name: String,
    json_out: bool,
    yes: bool,
    inputs: &[String],
    text: String,
) -> Result<(), Failure> {
    let title: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect();
    let task = Task {
        title,
        description: text,
        inputs: parse_inputs(inputs)?,
    };
    let (tx, mut rx) = mpsc::channel(256);
    // Progress goes to stderr so stdout stays the result (or the JSON) alone.
    let progress = tokio::spawn(async move {
        let mut err = std::io::stderr();
        while let Some(event) = rx.recv().await {
            let line = match event {
                // The kind as `--json` names it.
                AgentEvent::StepStarted { kind, label, .. } => format!(
                    "· {} {}",
                    json!(kind).as_str().unwrap_or_default(),
                    shown(&label)
                ),
                AgentEvent::StepFinished { step, .. } => match &step.error {
                    Some(e) => format!("  failed: {}", shown_lines(e)),
                    None => format!("  {} in {} ms", step.cost_usd.human(), step.ms),
                },
                AgentEvent::Waiting { ms, reason } => {
                    format!("  waiting {ms} ms: {}", shown_lines(&reason))
                }
                _ => continue,
            };
            let _ = writeln!(err, "{line}");
        }
    });
    let options = RunOptions {
        auto_approve: yes,
        interactive: false,
    };
    let report = engine.agents().run(name, task, options, tx).await;
    let _ = progress.await;
    let report = report?;
    if json_out {
        write_json(&report_json(&report))?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", report.result)?;
        let _ = writeln!(
            std::io::stderr(),
            "{} steps, {} tokens, {}",
            report.steps.len(),
            report.tokens,
            report.cost_usd.human()
        );
        if let Some(e) = &report.error {
            let _ = writeln!(
                std::io::stderr(),
                "switchboard: {}",
                shown_lines(&e.message)
            );
        }
    }
    if report.error.is_some() {
        return Err(Failure::Reported);
    }
    Ok(())
}

fn report_json(r: &TaskReport) -> serde_json::Value {
    json!({
        "result": r.result,
        "cost_usd": usd_json(Some(r.cost_usd)),
        "tokens": r.tokens,
        "steps": r.steps.iter().map(|s| json!({
            "kind": s.kind,
            "model": s.model,
            "tool": s.tool,
            "cost_usd": usd_json(Some(s.cost_usd)),
            "ms": s.ms,
        })).collect::<Vec<_>>(),
        // The sentence alone, as `--json` has always printed it.
        "error": r.error.as_ref().map(|e| &e.message),
    })
}
