//! OpenRouter streams a test scripts for agents: a model calling a tool, and a model answering,
//! each with a stated cost. They follow the recorded OpenAI tool-call stream
//! (`fixtures/openai/run_stream_sync_streams_real_model.1.sse`: the call's id and name first,
//! then its arguments in pieces) with OpenRouter's `provider` and `usage.cost` added.

use crate::Reply;

fn chunk(body: &serde_json::Value) -> String {
    format!("data: {body}\n\n")
}

fn usage(cost: f64) -> serde_json::Value {
    serde_json::json!({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
        "cost": cost})
}

fn frame(
    id: &str,
    model: &str,
    delta: serde_json::Value,
    finish: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({"id": id, "object": "chat.completion.chunk", "model": model,
        "provider": "OpenAI", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// `model` calls `tool` with `args` (JSON text) as call `call_<n>`; 100 prompt and 20 output
/// tokens that cost `cost` USD.
pub fn tool_call(n: usize, model: &str, tool: &str, args: &str, cost: f64) -> Reply {
    let id = format!("gen-scripted-{n}");
    let mid = args
        .char_indices()
        .nth(args.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let (a, b) = args.split_at(mid);
    let head = serde_json::json!({"role": "assistant", "content": null, "tool_calls": [
        {"index": 0, "id": format!("call_{n}"), "type": "function",
         "function": {"name": tool, "arguments": ""}}]});
    let piece =
        |p: &str| serde_json::json!({"tool_calls": [{"index": 0, "function": {"arguments": p}}]});
    let mut tail = frame(&id, model, serde_json::json!({}), Some("tool_calls"));
    tail["usage"] = usage(cost);
    Reply::sse_text(&format!(
        "{}{}{}{}data: [DONE]\n\n",
        chunk(&frame(&id, model, head, None)),
        chunk(&frame(&id, model, piece(a), None)),
        chunk(&frame(&id, model, piece(b), None)),
        chunk(&tail),
    ))
}

/// `model` answers `text`; 100 prompt and 20 output tokens that cost `cost` USD.
pub fn answer(n: usize, model: &str, text: &str, cost: f64) -> Reply {
    let id = format!("gen-scripted-{n}");
    let head = serde_json::json!({"role": "assistant", "content": text});
    let mut tail = frame(&id, model, serde_json::json!({}), Some("stop"));
    tail["usage"] = usage(cost);
    Reply::sse_text(&format!(
        "{}{}data: [DONE]\n\n",
        chunk(&frame(&id, model, head, None)),
        chunk(&tail)
    ))
}
