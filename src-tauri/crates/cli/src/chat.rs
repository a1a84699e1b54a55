//! `switchboard chat`: one prompt, streamed to stdout or recorded as one JSON object.

use std::io::{Read, Write};

use clap::Args;
use serde_json::json;
use switchboard_engine::core::{ChatRequest, Delta, Message, Role};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CancellationToken, ChatOutcome, Engine, EngineError, RouteEvent};

use crate::info::usd_json;
use crate::{Failure, write_json};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["model", "route", "task"])))]
pub(crate) struct ChatArgs {
    /// The model id, e.g. `anthropic/claude-sonnet-4` on OpenRouter or `gpt-4o` on OpenAI.
    #[arg(long)]
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
    /// Sampling temperature.
    #[arg(long)]
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

    let provider = engine.resolve_provider(&args.provider).await?;
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
        let mut routed = engine
            .chat_routed(
                route,
                request,
                &CancellationToken::new(),
                |event| match event {
                    RouteEvent::Delta(d) => print(d),
                    RouteEvent::Waiting { ms, reason } if stream_text => {
                        let _ =
                            writeln!(std::io::stderr(), "switchboard: waiting {ms} ms: {reason}");
                    }
                    _ => {}
                },
            )
            .await?;
        let outcome = routed.take_outcome()?;
        (outcome, routed_view.then_some(routed))
    };

    if args.json {
        let mut json = record(&outcome);
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
    match &outcome.error {
        None => Ok(()),
        Some(error) => {
            if !args.json {
                let _ = writeln!(std::io::stderr(), "switchboard: {}", error.message);
            }
            Err(Failure::Reported)
        }
    }
}

/// The `--json` record; its shape is a published interface, so it is spelled out here.
fn record(o: &ChatOutcome) -> serde_json::Value {
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
        "provider": o.served_by.clone().unwrap_or_else(|| o.provider.to_string()),
        "model": o.model,
        "generation_id": o.generation_id,
        "ttft_ms": o.ttft_ms,
        "latency_ms": o.latency_ms,
        "error": o.error,
    })
}
