//! Answers the fake upstream gives, in OpenRouter's streamed chat format: text in pieces with a
//! stated usage and cost, so every test knows the exact figures the ledger must hold.

use serde_json::{Value, json};
use switchboard_tests::Reply;

use crate::harness::MODEL;

fn frame(id: &str, delta: Value, finish: Option<&str>) -> Value {
    json!({"id": id, "object": "chat.completion.chunk", "created": 1_767_000_000,
        "model": MODEL, "provider": "OpenAI",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// The SSE chunks of an answer `pieces` (one chunk each) from generation `id`, then a finish
/// chunk with `usage` (`prompt`, `completion` tokens) costing `cost` USD (decimal text, sent
/// as the JSON number OpenRouter sends), then `[DONE]`.
pub(crate) fn chunks(id: &str, pieces: &[&str], usage: (u64, u64), cost: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let delta = if i == 0 {
            json!({"role": "assistant", "content": piece})
        } else {
            json!({"content": piece})
        };
        out.push(frame(id, delta, None));
    }
    let mut tail = frame(id, json!({}), Some("stop"));
    let cost: Value = serde_json::from_str(cost).unwrap();
    tail["usage"] = json!({"prompt_tokens": usage.0, "completion_tokens": usage.1,
        "total_tokens": usage.0 + usage.1, "cost": cost});
    out.push(tail);
    let mut chunks: Vec<Vec<u8>> = out
        .iter()
        .map(|v| format!("data: {v}\n\n").into_bytes())
        .collect();
    chunks.push(b"data: [DONE]\n\n".to_vec());
    chunks
}

/// [`chunks`] as a reply.
pub(crate) fn answer(id: &str, pieces: &[&str], usage: (u64, u64), cost: &str) -> Reply {
    Reply::Sse(chunks(id, pieces, usage, cost))
}

fn completion(id: &str, message: Value, finish: &str, usage: (u64, u64), cost: &str) -> Reply {
    let cost: Value = serde_json::from_str(cost).unwrap();
    Reply::json(
        200,
        &json!({"id": id, "object": "chat.completion", "created": 1_767_000_000,
            "model": MODEL, "provider": "OpenAI",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": usage.0, "completion_tokens": usage.1,
                "total_tokens": usage.0 + usage.1, "cost": cost}}),
    )
}

/// A whole (not streamed) answer `text` from generation `id`, for a client that did not ask
/// for a stream (Switchboard then asks the upstream for a whole answer too).
pub(crate) fn whole(id: &str, text: &str, usage: (u64, u64), cost: &str) -> Reply {
    completion(
        id,
        json!({"role": "assistant", "content": text}),
        "stop",
        usage,
        cost,
    )
}

/// A whole answer that calls `get_weather` for Paris as call `call_id`.
pub(crate) fn weather_call(id: &str, call_id: &str, usage: (u64, u64), cost: &str) -> Reply {
    let call = json!({"id": call_id, "type": "function",
        "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}});
    completion(
        id,
        json!({"role": "assistant", "content": null, "tool_calls": [call]}),
        "tool_calls",
        usage,
        cost,
    )
}
