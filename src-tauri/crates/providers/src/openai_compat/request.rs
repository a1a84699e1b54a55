//! The request body: OpenAI's chat completions shape, plus OpenRouter's extensions only when
//! talking to OpenRouter (OpenAI answers unknown fields with a 400).

use serde_json::{Map, Value, json};
use switchboard_core::{
    ChatRequest, Message, Part, ProviderKind, ReasoningEffort, ReasoningOptions, ResponseFormat,
    Role, ToolChoice, ToolSpec,
};

/// The JSON body sent for `request` to a provider of `kind` (OpenRouter extras only for
/// [`ProviderKind::OpenRouter`]).
///
/// Every unset optional field is omitted, so the provider's own defaults apply. OpenRouter's
/// `provider` and `models` are sent only when the user set them: an empty routing object would
/// still change routing and cost prompt-cache hits.
pub fn request_body(kind: ProviderKind, request: &ChatRequest) -> Value {
    let openrouter = kind == ProviderKind::OpenRouter;
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| message(m, openrouter))
        .collect();
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(request.stream));
    if request.stream {
        body.insert("stream_options".into(), json!({ "include_usage": true }));
    }
    if let Some(max) = request.max_tokens {
        // OpenAI's reasoning models refuse `max_tokens`; `max_completion_tokens` is what every
        // current OpenAI chat model takes. Compatible servers and OpenRouter know `max_tokens`.
        let key = if kind == ProviderKind::OpenAi {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body.insert(key.into(), json!(max));
    }
    if let Some(t) = request.temperature.and_then(decimal) {
        body.insert("temperature".into(), t);
    }
    if let Some(p) = request.top_p.and_then(decimal) {
        body.insert("top_p".into(), p);
    }
    if !request.stop.is_empty() {
        body.insert("stop".into(), json!(request.stop));
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request.tools.iter().map(tool).collect();
        body.insert("tools".into(), Value::Array(tools));
        // OpenAI refuses `tool_choice` without `tools`, so it is sent only with them.
        if let Some(choice) = &request.tool_choice {
            body.insert("tool_choice".into(), tool_choice(choice));
        }
    }
    if let Some(format) = &request.response_format {
        body.insert("response_format".into(), response_format(format));
    }
    if openrouter {
        body.insert("usage".into(), json!({ "include": true }));
        if let Some(reasoning) = request.reasoning.as_ref().and_then(openrouter_reasoning) {
            body.insert("reasoning".into(), reasoning);
        }
        if let Some(provider) = &request.routing.provider {
            body.insert("provider".into(), provider.clone());
        }
        if !request.routing.models.is_empty() {
            body.insert("models".into(), json!(request.routing.models));
        }
    } else if let Some(effort) = request.reasoning.as_ref().and_then(|r| r.effort) {
        body.insert("reasoning_effort".into(), json!(effort_name(effort)));
    }
    Value::Object(body)
}

/// OpenRouter's `reasoning`: an effort or a budget (effort wins when both are set, as the API
/// takes only one), plus `exclude`. `None` when nothing was asked for.
fn openrouter_reasoning(options: &ReasoningOptions) -> Option<Value> {
    let mut reasoning = Map::new();
    if let Some(effort) = options.effort {
        reasoning.insert("effort".into(), json!(effort_name(effort)));
    } else if let Some(budget) = options.max_tokens {
        reasoning.insert("max_tokens".into(), json!(budget));
    }
    if reasoning.is_empty() && !options.exclude {
        return None;
    }
    reasoning.insert("exclude".into(), json!(options.exclude));
    Some(Value::Object(reasoning))
}

fn effort_name(effort: ReasoningEffort) -> &'static str {
    match effort {
        ReasoningEffort::None => "none",
        ReasoningEffort::Minimal => "minimal",
        ReasoningEffort::Low => "low",
        ReasoningEffort::Medium => "medium",
        ReasoningEffort::High => "high",
        ReasoningEffort::Xhigh => "xhigh",
    }
}

fn decimal(value: f32) -> Option<Value> {
    crate::number::typed_decimal(value)
}

fn message(message: &Message, openrouter: bool) -> Value {
    let mut out = Map::new();
    let role = match message.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    out.insert("role".into(), json!(role));
    out.insert("content".into(), content(message));
    if !message.tool_calls.is_empty() {
        let calls: Vec<Value> = message
            .tool_calls
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "type": "function",
                    "function": { "name": c.name, "arguments": c.arguments },
                })
            })
            .collect();
        out.insert("tool_calls".into(), Value::Array(calls));
    }
    if let Some(id) = &message.tool_call_id {
        out.insert("tool_call_id".into(), json!(id));
    }
    if openrouter
        && message.role == Role::Assistant
        && let Some(details) = &message.reasoning_details
    {
        out.insert("reasoning_details".into(), details.clone());
    }
    Value::Object(out)
}

/// A single text part is sent as a plain string (what every compatible server accepts);
/// anything else as typed parts. An assistant turn that only called tools has `null` content,
/// as OpenAI documents; an otherwise empty message is `""`, since some upstreams reject `[]`.
fn content(message: &Message) -> Value {
    match message.parts.as_slice() {
        [Part::Text { text }] => json!(text),
        [] if message.role == Role::Assistant && !message.tool_calls.is_empty() => Value::Null,
        [] => json!(""),
        parts => Value::Array(
            parts
                .iter()
                .map(|p| match p {
                    Part::Text { text } => json!({ "type": "text", "text": text }),
                    Part::Image { url } => {
                        json!({ "type": "image_url", "image_url": { "url": url } })
                    }
                })
                .collect(),
        ),
    }
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => json!("auto"),
        ToolChoice::None => json!("none"),
        ToolChoice::Required => json!("required"),
        ToolChoice::Function { name } => json!({"type": "function", "function": {"name": name}}),
    }
}

fn response_format(format: &ResponseFormat) -> Value {
    match format {
        ResponseFormat::JsonObject => json!({"type": "json_object"}),
        ResponseFormat::JsonSchema {
            name,
            description,
            schema,
            strict,
        } => {
            let mut spec = Map::new();
            spec.insert("name".into(), json!(name));
            if let Some(description) = description {
                spec.insert("description".into(), json!(description));
            }
            spec.insert("schema".into(), schema.clone());
            if let Some(strict) = strict {
                spec.insert("strict".into(), json!(strict));
            }
            json!({"type": "json_schema", "json_schema": spec})
        }
    }
}

fn tool(spec: &ToolSpec) -> Value {
    let mut function = Map::new();
    function.insert("name".into(), json!(spec.name));
    if let Some(description) = &spec.description {
        function.insert("description".into(), json!(description));
    }
    function.insert("parameters".into(), spec.parameters.clone());
    json!({ "type": "function", "function": function })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_sent_as_typed() {
        assert_eq!(decimal(0.7), Some(json!(0.7)), "no f32 widening noise");
        assert_eq!(decimal(f32::NAN), None, "NaN is not sent");
    }

    #[test]
    fn reasoning_prefers_effort_and_omits_empty() {
        let both = ReasoningOptions {
            effort: Some(ReasoningEffort::High),
            max_tokens: Some(10),
            exclude: false,
        };
        assert_eq!(
            openrouter_reasoning(&both),
            Some(json!({"effort": "high", "exclude": false})),
            "effort wins"
        );
        assert_eq!(
            openrouter_reasoning(&ReasoningOptions::default()),
            None,
            "nothing set, nothing sent"
        );
    }
}
