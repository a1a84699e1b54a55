//! Whole answers, token counts and error bodies in Anthropic's shapes.

use serde_json::{Map, Value, json};
use switchboard_core::{ErrorCode, ErrorInfo, FinishReason};

use crate::dialect::replay::{AS_ANTHROPIC, Piece, merge, piece};
use crate::dialect::{Answer, BadRequest, ClientRequest, http_status, prompt_tokens, usage};

/// The `message` object for a whole answer: thinking blocks first (as Anthropic orders them),
/// then the text, then the tool calls.
pub fn body(answer: &Answer) -> Value {
    let mut content = Vec::new();
    let pieces: Vec<Piece> = merge(&answer.reasoning_details)
        .iter()
        .filter_map(|d| piece(AS_ANTHROPIC, d))
        .collect();
    let signed = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Signed { .. }))
        .count();
    for p in pieces {
        content.push(match p {
            Piece::Signed { text, opaque } => {
                // One signed piece signs all the reasoning even when its details carried none.
                let text = if text.is_empty() && signed == 1 {
                    answer.reasoning.clone()
                } else {
                    text
                };
                json!({"type": "thinking", "thinking": text, "signature": opaque})
            }
            Piece::Sealed { opaque } => json!({"type": "redacted_thinking", "data": opaque}),
        });
    }
    if signed == 0 && !answer.reasoning.is_empty() {
        content.insert(
            0,
            json!({"type": "thinking", "thinking": answer.reasoning, "signature": ""}),
        );
    }
    if !answer.content.is_empty() {
        content.push(json!({"type": "text", "text": answer.content}));
    }
    for call in &answer.tool_calls {
        content.push(json!({
            "type": "tool_use",
            "id": call.id,
            "name": call.name,
            "input": tool_input(&call.arguments),
        }));
    }
    json!({
        "id": answer.id,
        "type": "message",
        "role": "assistant",
        "model": answer.model,
        "content": content,
        "stop_reason": stop_reason(answer.finish.as_ref(), !answer.tool_calls.is_empty()),
        "stop_sequence": null,
        "usage": usage::anthropic(&answer.usage, 0),
    })
}

/// The estimated input tokens of a `count_tokens` request (see [`prompt_tokens`] for the
/// method: an estimate, since Claude's tokenizer is not public).
pub fn count_tokens(request: &ClientRequest) -> u64 {
    prompt_tokens(&request.request)
}

/// The `count_tokens` response body.
pub fn count_tokens_body(input_tokens: u64) -> Value {
    json!({ "input_tokens": input_tokens })
}

/// The status and `{"type":"error","error":{type,message}}` body for an error before the
/// answer started. A refused budget is 402 `billing_error` (see `http_status`).
pub fn error(info: &ErrorInfo) -> (u16, Value) {
    (http_status(info.code), error_body(info))
}

/// A parse refusal: 400 `invalid_request_error`, the message naming the JSON path.
pub fn bad_request(err: &BadRequest) -> (u16, Value) {
    (
        400,
        json!({"type": "error", "error": {"type": "invalid_request_error", "message": err.to_string()}}),
    )
}

/// The error envelope, also the data of a failed stream's `event: error`.
pub(super) fn error_body(info: &ErrorInfo) -> Value {
    let kind = match info.code {
        ErrorCode::InvalidInput | ErrorCode::BadRequest | ErrorCode::NoKey => {
            "invalid_request_error"
        }
        ErrorCode::Auth
        | ErrorCode::KeyDisabled
        | ErrorCode::KeyExpired
        | ErrorCode::ManagementKeyUsed => "authentication_error",
        ErrorCode::NoCredits | ErrorCode::BudgetExceeded | ErrorCode::KeyLimitReached => {
            "billing_error"
        }
        ErrorCode::Moderation | ErrorCode::GuardrailBlocked => "permission_error",
        ErrorCode::NotFound => "not_found_error",
        ErrorCode::RateLimited => "rate_limit_error",
        ErrorCode::Timeout => "timeout_error",
        _ => "api_error",
    };
    json!({"type": "error", "error": {"type": kind, "message": info.message}})
}

/// Anthropic's stop reason for ours; a reason Anthropic has its own word for passes through.
pub(super) fn stop_reason(finish: Option<&FinishReason>, made_calls: bool) -> &'static str {
    match finish {
        Some(FinishReason::Length) => "max_tokens",
        Some(FinishReason::ToolCalls) => "tool_use",
        Some(FinishReason::ContentFilter) => "refusal",
        Some(FinishReason::Other(other)) => match other.as_str() {
            "pause_turn" => "pause_turn",
            "stop_sequence" => "stop_sequence",
            "model_context_window_exceeded" => "model_context_window_exceeded",
            _ => "end_turn",
        },
        None if made_calls => "tool_use",
        _ => "end_turn",
    }
}

/// A tool call's arguments as Anthropic's `input` object.
///
/// Anthropic only ever sends an object. An upstream model can write arguments that are not one
/// (cut-off or malformed JSON); those become `{}`, so the client's schema check reports the
/// missing arguments to the model as a failed tool call it can retry, rather than its SDK
/// failing to parse the stream and ending the session.
pub(super) fn tool_input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(Value::Object(map)) => Value::Object(map),
        _ => Value::Object(Map::new()),
    }
}
