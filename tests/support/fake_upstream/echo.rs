//! The default reply when no test scripted one: a small, valid answer in the requested
//! provider's own format whose text is `Echo: <last user message>`, so end-to-end tests and a
//! person trying the CLI get something sensible with no scripting.
//!
//! Shapes follow `docs/upstream-apis.md`: OpenRouter chunks (§3: keep-alive comment, `role`
//! on every chunk, a separate usage chunk with `cost`, `[DONE]`), OpenAI (§8: usage only with
//! `stream_options.include_usage`, in a final `choices:[]` chunk) and Anthropic (§9: named
//! events, cumulative usage in `message_delta`, no `[DONE]`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Api;
use super::faults::{KEEP_ALIVE, Planned, anthropic_request_id, untimed};

/// What the echo needs from a chat request body.
pub(crate) struct ChatRequest {
    pub(crate) stream: bool,
    pub(crate) model: Option<String>,
    pub(crate) user_text: String,
    pub(crate) include_usage: bool,
    pub(crate) prompt_tokens: u64,
}

impl ChatRequest {
    pub(crate) fn parse(body: &Value) -> Self {
        let messages = body
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let user_text = messages
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .map(|m| content_text(m.get("content")))
            .unwrap_or_default();
        let mut words: usize = messages
            .iter()
            .map(|m| content_text(m.get("content")).split_whitespace().count())
            .sum();
        words += content_text(body.get("system")).split_whitespace().count();
        Self {
            stream: body.get("stream").and_then(Value::as_bool) == Some(true),
            model: body.get("model").and_then(Value::as_str).map(str::to_owned),
            user_text,
            include_usage: body
                .pointer("/stream_options/include_usage")
                .and_then(Value::as_bool)
                == Some(true),
            prompt_tokens: u64::try_from(words.max(1)).unwrap_or(u64::MAX),
        }
    }
}

/// The text of a message `content`: a string, or the `text` of its text parts/blocks.
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the fake upstream stamps `created` and its ids from its own clock, as a real server does"
)]
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A fresh `gen-<unix>-<20 chars>` id, OpenRouter's format.
pub(crate) fn generation_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("gen-{}-{}", unix_now(), &random[..20])
}

/// The reply text split into word-sized pieces, one per stream event.
fn pieces(text: &str) -> Vec<String> {
    text.split_inclusive(' ').map(str::to_owned).collect()
}

/// The echo reply for `api` and `req`.
pub(crate) fn echo(api: Api, req: &ChatRequest) -> Planned {
    echo_costing(api, req, None)
}

/// The echo reply with `usage.cost` set to `cost` (see [`super::Reply::UsageCost`]), or the
/// usual computed cost when `None`.
pub(crate) fn echo_costing(api: Api, req: &ChatRequest, cost: Option<Value>) -> Planned {
    let text = format!("Echo: {}", req.user_text);
    let completion_tokens = u64::try_from(pieces(&text).len()).unwrap_or(u64::MAX);
    let reply = Answer {
        text,
        completion_tokens,
        prompt_tokens: req.prompt_tokens,
        created: unix_now(),
        cost,
    };
    match api {
        Api::OpenRouter => openrouter(req, &reply),
        Api::OpenAi | Api::Custom => openai(req, &reply),
        Api::Anthropic => anthropic(req, &reply),
    }
}

struct Answer {
    text: String,
    prompt_tokens: u64,
    completion_tokens: u64,
    created: u64,
    /// A scripted `usage.cost` in place of the computed one.
    cost: Option<Value>,
}

impl Answer {
    /// What OpenRouter would charge at $3/M prompt and $15/M completion tokens, rounded like
    /// its figures (no float noise in the last digits), unless a test scripted the cost.
    fn cost(&self) -> Value {
        if let Some(cost) = &self.cost {
            return cost.clone();
        }
        let micro_usd = self.prompt_tokens * 3 + self.completion_tokens * 15;
        json!(micro_usd as f64 / 1_000_000.0)
    }
}

fn sse_data(value: &Value) -> Vec<u8> {
    format!("data: {value}\n\n").into_bytes()
}

fn openrouter(req: &ChatRequest, a: &Answer) -> Planned {
    let id = generation_id();
    let model = req
        .model
        .clone()
        .unwrap_or_else(|| "openrouter/auto".into());
    let usage = json!({
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "total_tokens": a.prompt_tokens + a.completion_tokens,
        "cost": a.cost(),
        "is_byok": false,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0, "video_tokens": 0},
        "cost_details": {"upstream_inference_cost": null, "upstream_inference_prompt_cost": 0, "upstream_inference_completions_cost": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    });
    if !req.stream {
        let body = json!({
            "id": id, "provider": "FakeUpstream", "model": model,
            "object": "chat.completion", "created": a.created,
            "choices": [{"index": 0, "logprobs": null, "finish_reason": "stop",
                "native_finish_reason": "stop",
                "message": {"role": "assistant", "content": a.text, "refusal": null, "reasoning": null}}],
            "usage": usage,
        });
        // Real non-streaming bodies start with keep-alive whitespace (§2); clients must cope.
        return Planned::json(200, format!("\n         {body}"));
    }
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": id, "provider": "FakeUpstream", "model": model,
            "object": "chat.completion.chunk", "created": a.created,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                "native_finish_reason": finish, "logprobs": null}],
        })
    };
    let mut chunks = vec![KEEP_ALIVE.to_vec()];
    for piece in pieces(&a.text) {
        chunks.push(sse_data(&chunk(
            json!({"role": "assistant", "content": piece}),
            Value::Null,
        )));
    }
    chunks.push(sse_data(&chunk(
        json!({"role": "assistant", "content": ""}),
        json!("stop"),
    )));
    let mut usage_chunk = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    usage_chunk["usage"] = usage;
    chunks.push(sse_data(&usage_chunk));
    chunks.push(b"data: [DONE]\n\n".to_vec());
    Planned::sse(untimed(chunks))
}

fn openai(req: &ChatRequest, a: &Answer) -> Planned {
    let id = format!(
        "chatcmpl-fake{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    );
    let model = req.model.clone().unwrap_or_else(|| "gpt-4o-mini".into());
    let usage = json!({
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "total_tokens": a.prompt_tokens + a.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    });
    let mut usage = usage;
    if a.cost.is_some() {
        usage["cost"] = a.cost();
    }
    if !req.stream {
        let body = json!({
            "id": id, "object": "chat.completion", "created": a.created, "model": model,
            "choices": [{"index": 0, "logprobs": null, "finish_reason": "stop",
                "message": {"role": "assistant", "content": a.text, "refusal": null, "annotations": []}}],
            "usage": usage, "service_tier": "default", "system_fingerprint": "fp_fake",
        });
        return Planned::json(200, body.to_string());
    }
    let chunk = |delta: Value, finish: Value| {
        let mut c = json!({
            "id": id, "object": "chat.completion.chunk", "created": a.created, "model": model,
            "service_tier": "default", "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        });
        if req.include_usage {
            c["usage"] = Value::Null;
        }
        c
    };
    let mut chunks = vec![sse_data(&chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    ))];
    for piece in pieces(&a.text) {
        chunks.push(sse_data(&chunk(json!({"content": piece}), Value::Null)));
    }
    chunks.push(sse_data(&chunk(json!({}), json!("stop"))));
    if req.include_usage {
        let mut last = chunk(json!({}), Value::Null);
        last["choices"] = json!([]);
        last["usage"] = usage;
        chunks.push(sse_data(&last));
    }
    chunks.push(b"data: [DONE]\n\n".to_vec());
    Planned::sse(untimed(chunks))
}

fn anthropic(req: &ChatRequest, a: &Answer) -> Planned {
    let id = format!(
        "msg_fake{}",
        &uuid::Uuid::new_v4().simple().to_string()[..20]
    );
    let model = req
        .model
        .clone()
        .unwrap_or_else(|| "claude-sonnet-4-5".into());
    let mut planned = if req.stream {
        let event =
            |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n").into_bytes();
        let mut chunks = vec![
            event(
                "message_start",
                json!({"type": "message_start", "message": {
                    "id": id, "type": "message", "role": "assistant", "model": model,
                    "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": {"input_tokens": a.prompt_tokens, "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0, "output_tokens": 1}}}),
            ),
            event(
                "content_block_start",
                json!({"type": "content_block_start", "index": 0,
                    "content_block": {"type": "text", "text": ""}}),
            ),
            event("ping", json!({"type": "ping"})),
        ];
        for piece in pieces(&a.text) {
            chunks.push(event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": piece}}),
            ));
        }
        chunks.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        ));
        chunks.push(event(
            "message_delta",
            json!({"type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                "usage": {"output_tokens": a.completion_tokens}}),
        ));
        chunks.push(event("message_stop", json!({"type": "message_stop"})));
        Planned::sse(untimed(chunks))
    } else {
        let body = json!({
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": a.text}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": a.prompt_tokens, "output_tokens": a.completion_tokens,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                "service_tier": "standard"},
        });
        Planned::json(200, body.to_string())
    };
    planned
        .headers
        .push(("request-id".into(), anthropic_request_id()));
    planned
}
