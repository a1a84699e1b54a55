//! Translating a provider-neutral [`ChatRequest`] into an Anthropic `/v1/messages` body.
//!
//! Anthropic differs from the OpenAI shape in ways that make a naive mapping fail with a 400:
//! `system` is a top-level field, only `user`/`assistant` roles exist and must alternate, tool
//! results travel as blocks inside a *user* message, `max_tokens` is required, and thinking
//! blocks from earlier turns must be sent back (with their signatures) in tool loops.

use serde_json::{Map, Value, json};
use switchboard_core::{
    ChatRequest, Message, Part, ProviderError, ReasoningEffort, ReasoningOptions, ResponseFormat,
    Role, ToolChoice,
};

/// `max_tokens` when the request names none. Anthropic requires the field; 4096 fits every
/// current Claude model and matches what common SDK defaults send.
pub(super) const DEFAULT_MAX_TOKENS: u32 = 4096;

/// Anthropic rejects a thinking budget below this.
pub(super) const MIN_THINKING_BUDGET: u32 = 1024;

/// The `format` tag on reasoning details we produce, and the only one we replay: signatures from
/// other providers' reasoning would be rejected by Anthropic.
pub(super) const DETAILS_FORMAT: &str = "anthropic-claude-v1";

/// With thinking on, Anthropic rejects `top_p` below this.
const MIN_TOP_P_WITH_THINKING: f32 = 0.95;

/// The thinking budget an effort level stands for, when the request gives no explicit budget.
///
/// `None` turns thinking off. The numbers follow Anthropic's guidance that 1024 is the minimum
/// and that budgets past ~32k are rarely used in full.
pub(super) fn effort_budget(effort: ReasoningEffort) -> Option<u32> {
    match effort {
        ReasoningEffort::None => None,
        ReasoningEffort::Minimal => Some(1024),
        ReasoningEffort::Low => Some(2048),
        ReasoningEffort::Medium => Some(4096),
        ReasoningEffort::High => Some(16_000),
        ReasoningEffort::Xhigh => Some(32_000),
    }
}

/// The thinking budget for `options`, if thinking is on: an explicit budget wins (raised to
/// Anthropic's minimum; 0 means off), otherwise the effort's budget.
pub(super) fn thinking_budget(options: Option<&ReasoningOptions>) -> Option<u32> {
    let options = options?;
    match options.max_tokens {
        Some(0) => None,
        Some(budget) => Some(budget.max(MIN_THINKING_BUDGET)),
        None => options.effort.and_then(effort_budget),
    }
}

/// A request that cannot be expressed in Anthropic's format; status 0 marks it as ours, not the
/// server's.
fn untranslatable(message: impl Into<String>) -> ProviderError {
    ProviderError::BadRequest {
        status: 0,
        message: message.into(),
        call: None,
    }
}

/// The JSON body for `request` (system lifted to the top level, tools translated, etc.).
///
/// Decisions the caller should know about:
/// - `max_tokens` defaults to 4096. With thinking on it covers thinking *and* answer, so when it
///   does not exceed the budget the budget is added to it (the caller's number then bounds the
///   answer alone) instead of sending a request Anthropic refuses.
/// - Thinking: an explicit `reasoning.max_tokens` is the budget (raised to Anthropic's minimum
///   of 1024; 0 means off). Otherwise the effort maps to a budget: none = off, minimal 1024,
///   low 2048, medium 4096, high 16000, xhigh 32000.
/// - With thinking on, `temperature` is not sent and `top_p` below 0.95 is not sent, because
///   Anthropic refuses both together with thinking.
/// - `exclude` is not expressible on the wire; [`Anthropic`](super::Anthropic)'s `chat` drops the
///   reasoning text deltas instead.
/// - Earlier assistant turns' `reasoning_details` in the `anthropic-claude-v1` format (what this
///   adapter and OpenRouter produce) are replayed as `thinking` / `redacted_thinking` blocks
///   before the turn's text and tool use; unsigned or foreign details are skipped.
///
/// A request that cannot be expressed (tool-call arguments that are not a JSON object, a tool
/// result without its call id, an image that is neither a base64 `data:` URL nor http(s), an
/// image in a system message, a non-finite temperature) is `BadRequest` with status 0.
pub fn request_body(request: &ChatRequest) -> Result<Value, ProviderError> {
    let mut body = Map::new();
    body.insert("model".into(), Value::String(request.model.clone()));

    let budget = thinking_budget(request.reasoning.as_ref());
    let mut max_tokens = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
    if let Some(budget) = budget
        && max_tokens <= budget
    {
        max_tokens = max_tokens.saturating_add(budget);
    }
    body.insert("max_tokens".into(), json!(max_tokens));

    let system = system_prompt(&request.messages)?;
    if !system.is_empty() {
        body.insert("system".into(), Value::String(system));
    }
    body.insert(
        "messages".into(),
        Value::Array(messages(&request.messages)?),
    );

    if !request.tools.is_empty() {
        let tools = request
            .tools
            .iter()
            .map(|tool| {
                let mut t = Map::new();
                t.insert("name".into(), Value::String(tool.name.clone()));
                if let Some(description) = &tool.description {
                    t.insert("description".into(), Value::String(description.clone()));
                }
                // Anthropic requires an object schema; a tool without parameters takes none.
                let schema = if tool.parameters.is_null() {
                    json!({"type": "object", "properties": {}})
                } else {
                    tool.parameters.clone()
                };
                t.insert("input_schema".into(), schema);
                Value::Object(t)
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
        // Anthropic refuses `tool_choice` without `tools`, so it is sent only with them.
        if let Some(choice) = &request.tool_choice {
            body.insert("tool_choice".into(), tool_choice(choice));
        }
    }
    // Anthropic's structured outputs take a schema only: JSON mode without one has no
    // Anthropic equivalent, so it is left to the prompt (which OpenAI requires to ask for JSON
    // anyway).
    if let Some(ResponseFormat::JsonSchema { schema, .. }) = &request.response_format {
        body.insert(
            "output_config".into(),
            json!({"format": {"type": "json_schema", "schema": schema}}),
        );
    }

    if let Some(temperature) = request.temperature {
        if budget.is_none() {
            body.insert("temperature".into(), number("temperature", temperature)?);
        } else {
            tracing::debug!("temperature is not sent to Anthropic while thinking is on");
        }
    }
    if let Some(top_p) = request.top_p {
        if budget.is_none() || top_p >= MIN_TOP_P_WITH_THINKING {
            body.insert("top_p".into(), number("top_p", top_p)?);
        } else {
            tracing::debug!("top_p below 0.95 is not sent to Anthropic while thinking is on");
        }
    }
    if !request.stop.is_empty() {
        body.insert("stop_sequences".into(), json!(request.stop));
    }
    if let Some(budget) = budget {
        body.insert(
            "thinking".into(),
            json!({"type": "enabled", "budget_tokens": budget}),
        );
    }
    body.insert("stream".into(), Value::Bool(request.stream));
    Ok(Value::Object(body))
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => json!({"type": "auto"}),
        ToolChoice::None => json!({"type": "none"}),
        ToolChoice::Required => json!({"type": "any"}),
        ToolChoice::Function { name } => json!({"type": "tool", "name": name}),
    }
}

/// An `f32` setting as a JSON number, or a clear refusal for NaN and infinities.
fn number(field: &str, value: f32) -> Result<Value, ProviderError> {
    crate::number::typed_decimal(value)
        .ok_or_else(|| untranslatable(format!("{field} must be a finite number, not {value}")))
}

/// All system messages' text, joined by blank lines, for the top-level `system` field.
fn system_prompt(messages: &[Message]) -> Result<String, ProviderError> {
    let mut texts = Vec::new();
    for message in messages.iter().filter(|m| m.role == Role::System) {
        if message
            .parts
            .iter()
            .any(|p| matches!(p, Part::Image { .. }))
        {
            return Err(untranslatable(
                "Anthropic's system prompt takes text only; move the image to a user message",
            ));
        }
        let text = message.joined_text();
        if !text.is_empty() {
            texts.push(text);
        }
    }
    Ok(texts.join("\n\n"))
}

/// The non-system messages as alternating `user`/`assistant` messages: adjacent messages with
/// the same wire role (tool results are user messages) are merged into one.
fn messages(messages: &[Message]) -> Result<Vec<Value>, ProviderError> {
    let mut out: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in messages {
        let (role, blocks) = match message.role {
            Role::System => continue,
            Role::User => ("user", content_blocks(&message.parts)?),
            Role::Assistant => ("assistant", assistant_blocks(message)?),
            Role::Tool => ("user", vec![tool_result(message)?]),
        };
        // Anthropic refuses messages without content, and an empty one has nothing to say.
        if blocks.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some((last_role, last_blocks)) if *last_role == role => last_blocks.extend(blocks),
            _ => out.push((role, blocks)),
        }
    }
    Ok(out
        .into_iter()
        .map(|(role, content)| json!({"role": role, "content": content}))
        .collect())
}

/// Text and image parts as content blocks. Empty text is skipped because Anthropic refuses
/// empty text blocks.
fn content_blocks(parts: &[Part]) -> Result<Vec<Value>, ProviderError> {
    let mut blocks = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Part::Text { text } if text.is_empty() => {}
            Part::Text { text } => blocks.push(json!({"type": "text", "text": text})),
            Part::Image { url } => blocks.push(image_block(url)?),
        }
    }
    Ok(blocks)
}

/// An image block from a `data:` URL (sent inline as base64) or an http(s) URL (fetched by
/// Anthropic).
fn image_block(url: &str) -> Result<Value, ProviderError> {
    if let Some(rest) = url.strip_prefix("data:") {
        let (header, data) = rest
            .split_once(',')
            .ok_or_else(|| untranslatable("an image data: URL has no ',' before its content"))?;
        let media_type = header.strip_suffix(";base64").ok_or_else(|| {
            untranslatable("an image data: URL must be base64-encoded (data:<type>;base64,…)")
        })?;
        if media_type.is_empty() {
            return Err(untranslatable("an image data: URL names no media type"));
        }
        return Ok(json!({
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(json!({"type": "image", "source": {"type": "url", "url": url}}));
    }
    Err(untranslatable(
        "an image must be a data: URL or an http(s) URL for Anthropic",
    ))
}

/// An assistant turn: replayed thinking first (Anthropic requires it before the text and tool
/// use it led to), then text, then tool calls.
fn assistant_blocks(message: &Message) -> Result<Vec<Value>, ProviderError> {
    let mut blocks = message
        .reasoning_details
        .as_ref()
        .map(thinking_blocks)
        .unwrap_or_default();
    blocks.extend(content_blocks(&message.parts)?);
    for call in &message.tool_calls {
        let input = if call.arguments.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str::<Value>(&call.arguments).map_err(|e| {
                untranslatable(format!(
                    "the arguments of tool call {} ({}) are not JSON ({e}), so Anthropic \
                     cannot take them",
                    call.id, call.name
                ))
            })?
        };
        if !input.is_object() {
            return Err(untranslatable(format!(
                "the arguments of tool call {} ({}) must be a JSON object for Anthropic",
                call.id, call.name
            )));
        }
        blocks.push(json!({
            "type": "tool_use",
            "id": call.id,
            "name": call.name,
            "input": input,
        }));
    }
    Ok(blocks)
}

/// The thinking blocks to replay from a message's `reasoning_details`, in order.
///
/// Only details in our own format (or with no format) are replayed, and a thinking text only
/// with its signature: Anthropic refuses unsigned or foreign thinking. Anything else is skipped,
/// since it came from another provider and means nothing here.
fn thinking_blocks(details: &Value) -> Vec<Value> {
    let items: &[Value] = match details {
        Value::Array(items) => items,
        Value::Object(_) => std::slice::from_ref(details),
        _ => &[],
    };
    items
        .iter()
        .filter(|item| str_field(item, "format").is_none_or(|f| f == DETAILS_FORMAT))
        .filter_map(|item| match str_field(item, "type") {
            Some("reasoning.text") => {
                let signature = str_field(item, "signature").filter(|s| !s.is_empty())?;
                let text = str_field(item, "text").unwrap_or_default();
                Some(json!({"type": "thinking", "thinking": text, "signature": signature}))
            }
            Some("reasoning.encrypted") => {
                let data = str_field(item, "data").filter(|d| !d.is_empty())?;
                Some(json!({"type": "redacted_thinking", "data": data}))
            }
            _ => None,
        })
        .collect()
}

/// `item[key]` when it is a string.
fn str_field<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key).and_then(Value::as_str)
}

/// A tool message as a `tool_result` block: plain text as a string, text with images as blocks.
fn tool_result(message: &Message) -> Result<Value, ProviderError> {
    let id = message
        .tool_call_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| untranslatable("a tool result does not say which tool call it answers"))?;
    let mut block = Map::new();
    block.insert("type".into(), json!("tool_result"));
    block.insert("tool_use_id".into(), json!(id));
    if message
        .parts
        .iter()
        .any(|p| matches!(p, Part::Image { .. }))
    {
        block.insert(
            "content".into(),
            Value::Array(content_blocks(&message.parts)?),
        );
    } else {
        let text = message.joined_text();
        // `content` is optional; an empty string would be an empty text block, which is refused.
        if !text.is_empty() {
            block.insert("content".into(), Value::String(text));
        }
    }
    Ok(Value::Object(block))
}
