//! Normalizing a non-streamed chat completion body into the same deltas a stream gives.

use serde::Deserialize;
use serde_json::Value;
use switchboard_core::{Delta, FinishReason, ProviderError};

use super::wire::{Content, ToolCallFragment, embedded_error, tool_call, usage_from};

/// Normalizes a non-streaming body (may start with whitespace) into the same deltas.
///
/// A body that carries an `error` (top level, or `choices[0].error` after partial output) is an
/// `Err`; [`OpenAiCompat::chat`](super::OpenAiCompat) replays the partial content before that
/// error, this function returns only the error.
pub fn parse_body(body: &str) -> Result<Vec<Delta>, ProviderError> {
    replay(body).into_iter().collect()
}

#[derive(Deserialize)]
struct Completion {
    id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
    choices: Option<Vec<BodyChoice>>,
    usage: Option<Value>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct BodyChoice {
    index: Option<u64>,
    message: Option<BodyMessage>,
    finish_reason: Option<String>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct BodyMessage {
    content: Option<Content>,
    reasoning: Option<String>,
    reasoning_content: Option<String>,
    reasoning_details: Option<Vec<Value>>,
    tool_calls: Option<Vec<ToolCallFragment>>,
    annotations: Option<Vec<Value>>,
}

/// The deltas of `body` in stream order, ending with an `Err` when the body reports an error
/// (after whatever content it carries, so nothing is lost).
pub(super) fn replay(body: &str) -> Vec<Result<Delta, ProviderError>> {
    // Standard JSON allows the leading whitespace OpenRouter sends as a keep-alive.
    let completion: Completion = match serde_json::from_str(body) {
        Ok(c) => c,
        Err(e) => {
            let detail = format!("the answer is not a chat completion: {e}");
            return vec![Err(ProviderError::decode(detail, body.trim_start()))];
        }
    };
    let mut out = Vec::new();
    if completion.id.is_some() || completion.model.is_some() {
        out.push(Ok(Delta::Meta {
            generation_id: completion.id,
            model: completion.model,
            served_by: completion.provider.clone(),
        }));
    }
    let choice = completion
        .choices
        .into_iter()
        .flatten()
        .find(|c| c.index.is_none_or(|i| i == 0));
    let mut finish = None;
    let mut choice_error = None;
    let has_choice = choice.is_some();
    if let Some(choice) = choice {
        if let Some(message) = choice.message {
            push_message(message, &mut out);
        }
        finish = choice.finish_reason.map(|r| FinishReason::from_wire(&r));
        choice_error = choice.error.filter(|e| !e.is_null());
    }
    if let Some(usage) = completion.usage.as_ref().and_then(usage_from) {
        out.push(Ok(Delta::Usage { usage }));
    }
    let error = completion.error.filter(|e| !e.is_null()).or(choice_error);
    if let Some(error) = error {
        out.push(Err(embedded_error(&error, completion.provider.as_deref())));
    } else if !has_choice {
        let detail = "the answer has neither a choice nor an error";
        out.push(Err(ProviderError::decode(detail, body.trim_start())));
    } else if let Some(reason) = finish {
        out.push(Ok(Delta::Finish { reason }));
    }
    out
}

fn push_message(mut message: BodyMessage, out: &mut Vec<Result<Delta, ProviderError>>) {
    let reasoning = message
        .reasoning
        .filter(|r| !r.is_empty())
        .or(message.reasoning_content.filter(|r| !r.is_empty()));
    if let Some(text) = reasoning {
        out.push(Ok(Delta::Reasoning { text }));
    }
    if let Some(details) = message.reasoning_details.filter(|d| !d.is_empty()) {
        out.push(Ok(Delta::ReasoningDetails { details }));
    }
    if let Some(text) = message.content.and_then(|c| c.0).filter(|t| !t.is_empty()) {
        out.push(Ok(Delta::Text { text }));
    }
    let citations = super::annotations::citations(&message.annotations.take().unwrap_or_default());
    if !citations.is_empty() {
        out.push(Ok(Delta::Citations { citations }));
    }
    for (position, call) in message.tool_calls.into_iter().flatten().enumerate() {
        let (name, arguments) = match call.function {
            Some(function) => {
                let mut arguments = String::new();
                function.append_arguments(&mut arguments);
                (function.name.unwrap_or_default(), arguments)
            }
            None => (String::new(), String::new()),
        };
        let call = tool_call(call.id.unwrap_or_default(), name, arguments, position);
        out.push(Ok(Delta::ToolCall { call }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_output_then_error_keeps_the_content_in_replay() {
        let body = r#"
            {"id":"gen-1","provider":"P","choices":[{"index":0,"finish_reason":"error",
              "message":{"role":"assistant","content":"half"},
              "error":{"code":502,"message":"upstream died"}}]}"#;
        let items = replay(body);
        assert!(
            matches!(items.get(1), Some(Ok(Delta::Text { text })) if text == "half"),
            "content first: {items:?}"
        );
        assert!(
            matches!(items.last(), Some(Err(ProviderError::Upstream { status: 502, provider: Some(p), .. })) if p == "P"),
            "then the classified error: {items:?}"
        );
        assert!(parse_body(body).is_err(), "parse_body reports the error");
    }

    #[test]
    fn tool_calls_without_arguments_mean_empty_object() {
        let body = r#"{"choices":[{"message":{"content":"","tool_calls":[
            {"id":"t1","type":"function","function":{"name":"now"}}]},"finish_reason":"tool_calls"}]}"#;
        let deltas = parse_body(body).expect("parses");
        assert!(
            matches!(deltas.first(), Some(Delta::ToolCall { call }) if call.arguments == "{}" && call.id == "t1"),
            "missing arguments are {{}}: {deltas:?}"
        );
    }

    #[test]
    fn non_json_and_empty_answers_are_decode_errors() {
        assert!(
            matches!(parse_body("<html>"), Err(ProviderError::Decode { raw, .. }) if raw == "<html>"),
            "html is not a completion"
        );
        assert!(
            matches!(parse_body("{}"), Err(ProviderError::Decode { .. })),
            "no choices and no error"
        );
    }
}
