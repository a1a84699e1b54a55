//! Whole answers and error bodies in OpenAI's shapes (shared with the Responses dialect, which
//! uses the same error envelope).

use serde_json::{Map, Value, json};
use switchboard_core::{Citation, ErrorCode, ErrorInfo, FinishReason, ToolCall};

use crate::dialect::{Answer, BadRequest, http_status, usage};

/// The `chat.completion` object for a whole answer.
pub fn body(answer: &Answer) -> Value {
    let mut message = Map::new();
    message.insert("role".into(), json!("assistant"));
    // OpenAI sends `null` content beside tool calls; an empty answer is still a string.
    let content = if answer.content.is_empty() && !answer.tool_calls.is_empty() {
        Value::Null
    } else {
        json!(answer.content)
    };
    message.insert("content".into(), content);
    message.insert("refusal".into(), Value::Null);
    if !answer.reasoning.is_empty() {
        message.insert("reasoning".into(), json!(answer.reasoning));
    }
    if !answer.reasoning_details.is_empty() {
        message.insert(
            "reasoning_details".into(),
            Value::Array(crate::dialect::replay::merge(&answer.reasoning_details)),
        );
    }
    if !answer.tool_calls.is_empty() {
        let calls: Vec<Value> = answer.tool_calls.iter().map(tool_call).collect();
        message.insert("tool_calls".into(), Value::Array(calls));
    }
    if !answer.citations.is_empty() {
        message.insert(
            "annotations".into(),
            annotations(&answer.citations, &answer.content),
        );
    }
    json!({
        "id": answer.id,
        "object": "chat.completion",
        "created": answer.created_unix,
        "model": answer.model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason(answer.finish.as_ref(), !answer.tool_calls.is_empty()),
        }],
        "usage": usage::openai(&answer.usage),
    })
}

/// The status and `{"error":{message,type,param,code}}` body for an error before the answer
/// started. See `http_status` for why a refused budget is 402.
pub fn error(info: &ErrorInfo) -> (u16, Value) {
    (
        http_status(info.code),
        json!({ "error": error_object(info) }),
    )
}

/// A parse refusal: 400 `invalid_request_error` with the JSON path as `param`.
pub fn bad_request(err: &BadRequest) -> (u16, Value) {
    let param = if err.path == "body" {
        Value::Null
    } else {
        json!(err.path)
    };
    (
        400,
        json!({"error": {
            "message": err.to_string(),
            "type": "invalid_request_error",
            "param": param,
            "code": null,
        }}),
    )
}

/// The inner error object, also carried by a failed stream's last chunk.
pub(crate) fn error_object(info: &ErrorInfo) -> Value {
    let (kind, code) = kind_and_code(info.code);
    json!({
        "message": info.message,
        "type": kind,
        "param": null,
        "code": code,
    })
}

/// OpenAI's error `type` and `code` for each of ours. Codes clients branch on are OpenAI's own
/// (`model_not_found`, `invalid_api_key`, `insufficient_quota`, `rate_limit_exceeded`); the
/// rest are descriptive.
pub(crate) fn kind_and_code(code: ErrorCode) -> (&'static str, Option<&'static str>) {
    match code {
        ErrorCode::InvalidInput | ErrorCode::BadRequest => ("invalid_request_error", None),
        ErrorCode::NoKey => ("invalid_request_error", Some("upstream_key_missing")),
        ErrorCode::NotFound => ("invalid_request_error", Some("model_not_found")),
        ErrorCode::Auth
        | ErrorCode::KeyDisabled
        | ErrorCode::KeyExpired
        | ErrorCode::ManagementKeyUsed => ("invalid_request_error", Some("invalid_api_key")),
        ErrorCode::NoCredits => ("insufficient_quota", Some("insufficient_quota")),
        ErrorCode::BudgetExceeded | ErrorCode::KeyLimitReached => {
            ("insufficient_quota", Some("budget_exceeded"))
        }
        ErrorCode::GuardrailBlocked => ("invalid_request_error", Some("guardrail_blocked")),
        ErrorCode::Moderation => ("invalid_request_error", Some("content_filter")),
        ErrorCode::RateLimited => ("rate_limit_error", Some("rate_limit_exceeded")),
        ErrorCode::Timeout => ("server_error", Some("timeout")),
        ErrorCode::Upstream | ErrorCode::Network | ErrorCode::Decode => {
            ("server_error", Some("upstream_error"))
        }
        _ => ("server_error", None),
    }
}

/// OpenAI's finish reason: theirs where it maps, `tool_calls` when calls were made without a
/// reason, `stop` for anything OpenAI has no word for.
pub(crate) fn finish_reason(finish: Option<&FinishReason>, made_calls: bool) -> &'static str {
    match finish {
        Some(FinishReason::Length) => "length",
        Some(FinishReason::ToolCalls) => "tool_calls",
        Some(FinishReason::ContentFilter) => "content_filter",
        None if made_calls => "tool_calls",
        _ => "stop",
    }
}

/// A whole tool call in OpenAI's shape.
pub(crate) fn tool_call(call: &ToolCall) -> Value {
    json!({
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    })
}

/// Citations as `url_citation` annotations. Switchboard knows which pages an answer cites but
/// not which span, so each covers the whole text.
pub(crate) fn annotations(citations: &[Citation], content: &str) -> Value {
    let end = content.chars().count();
    Value::Array(
        citations
            .iter()
            .map(|c| {
                json!({"type": "url_citation", "url_citation": {
                    "url": c.url,
                    "title": c.title.clone().unwrap_or_default(),
                    "start_index": 0,
                    "end_index": end,
                }})
            })
            .collect(),
    )
}
