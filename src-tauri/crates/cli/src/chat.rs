//! `switchboard chat`: one prompt, streamed to stdout or recorded as one JSON object.

use std::io::{Read, Write};

use clap::Args;
use serde_json::json;
use switchboard_engine::core::{ChatRequest, Delta, Message, Role};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CancellationToken, ChatOutcome, Engine, EngineError, RouteEvent};

use crate::info::usd_json;
use crate::terminal::shown_lines;
use crate::{Failure, args, write_json};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["model", "route", "task"])))]
pub(crate) struct ChatArgs {
    /// The model id, e.g. `anthropic/claude-sonnet-4` on OpenRouter or `gpt-4o` on OpenAI.
    #[arg(long, value_parser = args::model)]
    model: Option<String>,
    /// Send through this route (its strategy, fallbacks, breakers and limits); the JSON record
    /// then adds `route` and `attempts`.
    #[arg(long)]
    route: Option<String>,
    /// A task type tag for the routing rules (`code`, `summarize`…); routes the request.
    #[arg(long)]
    task: Option<String>,
    /// openrouter, openai, anthropic, or a custom provider's name.
    #[arg(long, default_value = "openrouter")]
    provider: String,
    /// A system prompt.
    #[arg(long)]
    system: Option<String>,
    /// Maximum tokens to generate.
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Sampling temperature, from 0 to 2.
    #[arg(long, value_parser = args::temperature)]
    temperature: Option<f32>,
    /// Ask for one response body instead of a stream.
    #[arg(long)]
    no_stream: bool,
    /// Print one JSON object at the end instead of streaming text.
    #[arg(long)]
    pub(crate) json: bool,
    /// The prompt; `-` reads it from stdin.
    prompt: String,
}

pub(crate) async fn run(engine: &Engine, args: ChatArgs) -> Result<(), Failure> {
    let prompt = if args.prompt == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| EngineError::InvalidInput {
                message: format!("cannot read the prompt from stdin: {e}"),
            })?;
        text
    } else {
        args.prompt.clone()
    };
    if prompt.trim().is_empty() {
        return Err(EngineError::InvalidInput {
            message: "the prompt is empty".to_owned(),
        }
        .into());
    }
    let mut messages = Vec::new();
    if let Some(system) = &args.system {
        messages.push(Message::text(Role::System, system));
    }
    messages.push(Message::text(Role::User, prompt));
    let mut request = ChatRequest::new(args.model.clone().unwrap_or_default(), messages);
    request.max_tokens = args.max_tokens;
    request.temperature = args.temperature;
    request.stream = !args.no_stream;

    let provider = engine.routing().resolve_provider(&args.provider).await?;
    let stream_text = !args.json;
    let mut stdout_failed = false;
    let mut print = |delta: &Delta| {
        if stream_text
            && !stdout_failed
            && let Delta::Text { text } = delta
        {
            let mut out = std::io::stdout().lock();
            stdout_failed = out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err();
        }
    };
    // Every request goes through the router, so budgets, limits and rules hold for the CLI
    // too; a plain `--model` is that model alone. The record names the route and lists the
    // attempts only when one was asked for.
    let routed_view = args.route.is_some() || args.task.is_some();
    let (outcome, routing) = {
        let route = RouteRequest {
            provider: args.model.as_ref().map(|_| provider.clone()),
            model: args.model.clone(),
            route: args.route.clone(),
            task: args.task.clone(),
            ..RouteRequest::default()
        };
        // Ctrl-C (or a polite `kill`) stops the request instead of killing the process, so
        // what was billed is recorded (as cancelled) and what arrived is printed.
        let cancel = CancellationToken::new();
        let stop = tokio::spawn(cancel_on_signal(cancel.clone()));
        let routed = engine
            .routing()
            .chat(route, request, &cancel, |event| match event {
                RouteEvent::Delta(d) => print(&d),
                RouteEvent::Waiting { ms, reason } if stream_text => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "switchboard: waiting {ms} ms: {}",
                        shown_lines(&reason)
                    );
                }
                _ => {}
            })
            .await;
        stop.abort();
        let mut routed = routed?;
        let outcome = routed.take_outcome()?;
        (outcome, routed_view.then_some(routed))
    };
    let provider_name = engine.routing().provider_name(&outcome.provider).await;

    if args.json {
        let mut json = record(&outcome, &provider_name);
        if let Some(routed) = &routing {
            json["route"] = json!(routed.decision.route);
            json["attempts"] = json!(
                routed
                    .attempts
                    .iter()
                    .map(|a| json!({
                        "provider": a.provider,
                        "model": a.model,
                        "outcome": a.outcome,
                        "error": a.error,
                        "ms": a.ms,
                    }))
                    .collect::<Vec<_>>()
            );
        }
        write_json(&json)?;
    } else {
        let mut out = std::io::stdout().lock();
        if !outcome.content.ends_with('\n') {
            writeln!(out)?;
        }
    }
    if let Some(unrecorded) = &outcome.unrecorded {
        // The provider answered (and may have billed it); only the ledger write failed.
        let _ = writeln!(
            std::io::stderr(),
            "switchboard: the answer above was NOT recorded in the ledger, so spend reports and \
             budgets do not count it: {}",
            shown_lines(&unrecorded.message)
        );
    }
    if outcome.cancelled {
        if !args.json {
            let _ = writeln!(
                std::io::stderr(),
                "switchboard: stopped; what arrived is above and the request is recorded as \
                 cancelled"
            );
        }
        return Err(Failure::Interrupted);
    }
    match &outcome.error {
        None if outcome.unrecorded.is_none() => Ok(()),
        None => Err(Failure::Reported),
        Some(error) => {
            if !args.json {
                let _ = writeln!(
                    std::io::stderr(),
                    "switchboard: {}",
                    shown_lines(&error.message)
                );
            }
            Err(Failure::Reported)
        }
    }
}

/// Cancels `token` on Ctrl-C (SIGINT) or SIGTERM.
async fn cancel_on_signal(token: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            token.cancel();
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    token.cancel();
}

/// The `--json` record; its shape is a published interface, so it is spelled out here.
/// `provider` is the upstream that served, else our provider's name (never an internal id).
fn record(o: &ChatOutcome, provider_name: &str) -> serde_json::Value {
    json!({
        "content": o.content,
        "reasoning": o.reasoning,
        "tool_calls": o.tool_calls.iter().map(|c| json!({
            "id": c.id, "name": c.name, "arguments": c.arguments,
        })).collect::<Vec<_>>(),
        "finish_reason": o.finish_reason.as_ref().map(|f| f.as_str().to_owned()),
        "usage": {
            "prompt_tokens": o.usage.prompt_tokens,
            "completion_tokens": o.usage.completion_tokens,
            "cached_tokens": o.usage.cached_tokens,
            "cache_write_tokens": o.usage.cache_write_tokens,
            "reasoning_tokens": o.usage.reasoning_tokens,
        },
        "cost_usd": usd_json(o.cost),
        "cost_source": o.cost_source,
        "provider": o.served_by.clone().unwrap_or_else(|| provider_name.to_owned()),
        "model": o.model,
        "generation_id": o.generation_id,
        "ttft_ms": o.ttft_ms,
        "latency_ms": o.latency_ms,
        "error": o.error,
        "cancelled": o.cancelled,
        "recorded": o.unrecorded.is_none(),
        "record_error": o.unrecorded,
    })
}
