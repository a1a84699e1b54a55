//! The response object, whole answers and error bodies in the Responses API's shapes.

use serde_json::{Map, Value, json};
use switchboard_core::{
    ChatRequest, Delta, ErrorCode, ErrorInfo, ReasoningEffort, ResponseFormat, ToolChoice, Usage,
};

use super::stream::ResponseStream;
use crate::dialect::replay::merge;
use crate::dialect::{Answer, BadRequest, StreamEnd, StreamMeta, openai_chat, usage};

/// The `response` object for a whole answer: the same output items, ids and usage a stream of
/// the same answer ends with (it is built by running that stream).
pub fn body(answer: &Answer, request: &ChatRequest) -> Value {
    let meta = StreamMeta {
        id: answer.id.clone(),
        model: answer.model.clone(),
        created_unix: answer.created_unix,
        include_usage: true,
        prompt_tokens_estimate: 0,
    };
    let mut stream = ResponseStream::new(meta, request);
    let mut deltas = Vec::new();
    if !answer.reasoning.is_empty() {
        deltas.push(Delta::Reasoning {
            text: answer.reasoning.clone(),
        });
    }
    if !answer.reasoning_details.is_empty() {
        deltas.push(Delta::ReasoningDetails {
            details: merge(&answer.reasoning_details),
        });
    }
    if !answer.content.is_empty() {
        deltas.push(Delta::Text {
            text: answer.content.clone(),
        });
    }
    if !answer.citations.is_empty() {
        deltas.push(Delta::Citations {
            citations: answer.citations.clone(),
        });
    }
    deltas.extend(
        answer
            .tool_calls
            .iter()
            .map(|call| Delta::ToolCall { call: call.clone() }),
    );
    for delta in &deltas {
        stream.on_delta(delta);
    }
    let end = StreamEnd {
        usage: answer.usage.clone(),
        finish: answer.finish.clone(),
        error: None,
        served_model: None,
    };
    stream.into_parts(&end).1
}

/// The status and OpenAI's `{"error":{…}}` body (the Responses API shares Chat Completions'
/// error envelope and statuses).
pub fn error(info: &ErrorInfo) -> (u16, Value) {
    openai_chat::error(info)
}

/// A parse refusal: 400 with the JSON path as `param`.
pub fn bad_request(err: &BadRequest) -> (u16, Value) {
    openai_chat::bad_request(err)
}

/// The request settings a response object repeats back, as the SDKs' types expect them.
pub(super) fn echo(request: &ChatRequest) -> Map<String, Value> {
    let mut echo = Map::new();
    echo.insert("instructions".into(), Value::Null);
    echo.insert("max_output_tokens".into(), json!(request.max_tokens));
    echo.insert("metadata".into(), json!({}));
    echo.insert("parallel_tool_calls".into(), json!(true));
    echo.insert("previous_response_id".into(), Value::Null);
    let effort = request
        .reasoning
        .as_ref()
        .and_then(|r| r.effort)
        .map(effort_name);
    echo.insert(
        "reasoning".into(),
        json!({"effort": effort, "summary": null}),
    );
    echo.insert("store".into(), json!(false));
    echo.insert("temperature".into(), json!(request.temperature));
    let format = match &request.response_format {
        None => json!({"type": "text"}),
        Some(ResponseFormat::JsonObject) => json!({"type": "json_object"}),
        Some(ResponseFormat::JsonSchema {
            name,
            description,
            schema,
            strict,
        }) => json!({
            "type": "json_schema",
            "name": name,
            "description": description,
            "schema": schema,
            "strict": strict,
        }),
    };
    echo.insert("text".into(), json!({ "format": format }));
    let choice = match &request.tool_choice {
        None | Some(ToolChoice::Auto) => json!("auto"),
        Some(ToolChoice::None) => json!("none"),
        Some(ToolChoice::Required) => json!("required"),
        Some(ToolChoice::Function { name }) => json!({"type": "function", "name": name}),
    };
    echo.insert("tool_choice".into(), choice);
    let tools: Vec<Value> = request
        .tools
        .iter()
        .map(|t| {
            json!({
                "type": "function",
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters,
                "strict": null,
            })
        })
        .collect();
    echo.insert("tools".into(), Value::Array(tools));
    echo.insert("top_p".into(), json!(request.top_p));
    echo.insert("truncation".into(), json!("disabled"));
    echo
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

/// What a response object says at one moment of its life.
pub(super) struct Snapshot<'a> {
    pub(super) meta: &'a StreamMeta,
    pub(super) model: &'a str,
    pub(super) status: &'static str,
    pub(super) output: &'a [Value],
    pub(super) usage: Option<&'a Usage>,
    pub(super) error: Option<&'a ErrorInfo>,
    pub(super) incomplete: Option<&'static str>,
}

/// The response object for `snapshot`, with the request's settings echoed.
pub(super) fn response_object(snapshot: &Snapshot<'_>, echo: &Map<String, Value>) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(snapshot.meta.id));
    object.insert("object".into(), json!("response"));
    object.insert("created_at".into(), json!(snapshot.meta.created_unix));
    object.insert("status".into(), json!(snapshot.status));
    object.insert(
        "error".into(),
        snapshot.error.map_or(
            Value::Null,
            |e| json!({"code": failure_code(e.code), "message": e.message}),
        ),
    );
    object.insert(
        "incomplete_details".into(),
        snapshot
            .incomplete
            .map_or(Value::Null, |reason| json!({ "reason": reason })),
    );
    object.insert("model".into(), json!(snapshot.model));
    object.insert("output".into(), Value::Array(snapshot.output.to_vec()));
    object.insert(
        "usage".into(),
        snapshot.usage.map_or(Value::Null, usage::responses),
    );
    for (key, value) in echo {
        object.insert(key.clone(), value.clone());
    }
    Value::Object(object)
}

/// The error code a `response.failed` carries; Codex branches on OpenAI's
/// `insufficient_quota` (stop), `rate_limit_exceeded` (retry after the delay in the message)
/// and `context_length_exceeded`, and retries anything else. `insufficient_quota` is not in the
/// Python SDK's list of response error codes, which only its opt-in strict validation checks;
/// Codex stopping on a spent budget instead of retrying it matters more.
fn failure_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::RateLimited => "rate_limit_exceeded",
        // A key's own limit and a team guardrail do not lift by retrying either.
        ErrorCode::NoCredits
        | ErrorCode::BudgetExceeded
        | ErrorCode::KeyLimitReached
        | ErrorCode::GuardrailBlocked => "insufficient_quota",
        ErrorCode::InvalidInput | ErrorCode::BadRequest => "invalid_prompt",
        _ => "server_error",
    }
}
