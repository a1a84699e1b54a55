//! Usage in each dialect's words. Core's `prompt_tokens` includes cached tokens, as OpenAI's
//! does; Anthropic's `input_tokens` excludes cache reads and writes, so it is derived here and
//! never counts a cached token twice.

use serde_json::{Map, Value, json};
use switchboard_core::{Usage, Usd};

/// OpenAI chat's `usage`, plus OpenRouter's non-standard `cost` (USD) when it is known.
pub(crate) fn openai(usage: &Usage) -> Value {
    let mut out = Map::new();
    out.insert("prompt_tokens".into(), json!(usage.prompt_tokens));
    out.insert("completion_tokens".into(), json!(usage.completion_tokens));
    out.insert(
        "total_tokens".into(),
        json!(usage.prompt_tokens.saturating_add(usage.completion_tokens)),
    );
    out.insert(
        "prompt_tokens_details".into(),
        json!({"cached_tokens": usage.cached_tokens, "cache_write_tokens": usage.cache_write_tokens}),
    );
    out.insert(
        "completion_tokens_details".into(),
        json!({"reasoning_tokens": usage.reasoning_tokens}),
    );
    if let Some(cost) = usage.cost.and_then(cost) {
        out.insert("cost".into(), cost);
    }
    Value::Object(out)
}

/// The Responses API's `usage`, plus the same `cost`.
pub(crate) fn responses(usage: &Usage) -> Value {
    let mut out = Map::new();
    out.insert("input_tokens".into(), json!(usage.prompt_tokens));
    out.insert(
        "input_tokens_details".into(),
        json!({"cached_tokens": usage.cached_tokens, "cache_write_tokens": usage.cache_write_tokens}),
    );
    out.insert("output_tokens".into(), json!(usage.completion_tokens));
    out.insert(
        "output_tokens_details".into(),
        json!({"reasoning_tokens": usage.reasoning_tokens}),
    );
    out.insert(
        "total_tokens".into(),
        json!(usage.prompt_tokens.saturating_add(usage.completion_tokens)),
    );
    if let Some(cost) = usage.cost.and_then(cost) {
        out.insert("cost".into(), cost);
    }
    Value::Object(out)
}

/// Anthropic's `usage`. When the upstream reported no input at all (a stream cut before its
/// usage), the estimate stands in, so a client never reads a real prompt as zero tokens.
pub(crate) fn anthropic(usage: &Usage, estimate: u64) -> Value {
    let input = if usage.prompt_tokens == 0 {
        estimate
    } else {
        usage
            .prompt_tokens
            .saturating_sub(usage.cached_tokens)
            .saturating_sub(usage.cache_write_tokens)
    };
    json!({
        "input_tokens": input,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cached_tokens,
        "output_tokens": usage.completion_tokens,
    })
}

/// A cost as a JSON number, as OpenRouter sends it: the decimal's shortest float, which prints
/// back as the same digits for any amount with up to 15 significant digits.
fn cost(usd: Usd) -> Option<Value> {
    let number: f64 = usd.to_string().parse().ok()?;
    serde_json::Number::from_f64(number).map(Value::Number)
}
