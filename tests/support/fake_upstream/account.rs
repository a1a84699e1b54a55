//! OpenRouter's account and catalogue routes (`/key`, `/credits`, `/generation`, `/models`,
//! `/models/{author}/{slug}/endpoints`, `docs/upstream-apis.md` §5, §5b, §6) and the other
//! providers' model lists.

use serde_json::{Value, json};

use super::replay::fixtures_dir;
use super::{Generation, Shared, lock};

/// The base figure of `/key` and `/credits` usage before anything was served.
const BASE_USAGE: f64 = 0.42;

/// The credits a management key sees bought.
const TOTAL_CREDITS: f64 = 25.0;

/// `GET /key` for a valid key.
pub(crate) fn key_info(management: bool) -> Value {
    json!({"data": {
        "label": "sk-or-v1-e2e...a1b2",
        "limit": 10.0,
        "limit_remaining": 9.58,
        "limit_reset": null,
        "include_byok_in_limit": false,
        "usage": BASE_USAGE,
        "usage_daily": 0.02,
        "usage_weekly": 0.1,
        "usage_monthly": BASE_USAGE,
        "is_free_tier": false,
        "is_management_key": management,
        "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"}
    }})
}

/// `GET /credits` for the management key: usage grows with what the fake served.
pub(crate) fn credits(shared: &Shared) -> Value {
    let served: f64 = lock(&shared.generations)
        .iter()
        .filter_map(|g| g.cost)
        .sum();
    let usage = ((BASE_USAGE + served) * 1e9).round() / 1e9;
    json!({"data": {"total_credits": TOTAL_CREDITS, "total_usage": usage}})
}

/// `GET /generation?id=` for a generation the fake served (§6.3), or `None`.
pub(crate) fn generation(shared: &Shared, id: &str) -> Option<Value> {
    let g = lock(&shared.generations)
        .iter()
        .rev()
        .find(|g| g.id == id)
        .cloned()?;
    Some(json!({"data": {
        "id": g.id,
        "upstream_id": null,
        "request_id": null,
        "created_at": iso8601(g.created),
        "model": g.model,
        "provider_name": g.provider,
        "router": null,
        "api_type": "completions",
        "app_id": null,
        "streamed": g.streamed,
        "cancelled": false,
        "finish_reason": g.finish_reason,
        "native_finish_reason": g.native_finish_reason,
        "total_cost": g.cost.unwrap_or_default(),
        "usage": g.cost.unwrap_or_default(),
        "upstream_inference_cost": null,
        "cache_discount": null,
        "is_byok": false,
        "latency": 120,
        "generation_time": 480,
        "moderation_latency": null,
        "tokens_prompt": g.tokens_prompt,
        "tokens_completion": g.tokens_completion,
        "native_tokens_prompt": g.tokens_prompt,
        "native_tokens_completion": g.tokens_completion,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": 0,
        "num_media_prompt": null,
        "num_media_completion": null,
        "num_search_results": null,
        "origin": "",
        "external_user": null,
        "data_region": "global",
    }}))
}

/// Reads what a served body says about its generation: the first `id`, `model` and
/// `provider`, the last `usage` and finish reasons. `None` when the body names no id.
pub(crate) fn scan_generation(body: &[u8], streamed: bool, created: u64) -> Option<Generation> {
    let values: Vec<Value> = if streamed {
        String::from_utf8_lossy(body)
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    } else {
        serde_json::from_slice::<Value>(body)
            .ok()
            .into_iter()
            .collect()
    };
    let first = |key: &str| {
        values
            .iter()
            .find_map(|v| v.get(key).and_then(Value::as_str))
            .map(str::to_owned)
    };
    let id = first("id")?;
    let usage = values
        .iter()
        .rev()
        .find_map(|v| v.get("usage").filter(|u| !u.is_null()));
    let finish = |key: &str| {
        values
            .iter()
            .rev()
            .find_map(|v| {
                v.pointer(&format!("/choices/0/{key}"))
                    .and_then(Value::as_str)
            })
            .map(str::to_owned)
    };
    Some(Generation {
        id,
        model: first("model"),
        provider: first("provider"),
        cost: usage.and_then(|u| u.get("cost")).and_then(Value::as_f64),
        tokens_prompt: usage
            .and_then(|u| u.get("prompt_tokens"))
            .and_then(Value::as_u64),
        tokens_completion: usage
            .and_then(|u| u.get("completion_tokens"))
            .and_then(Value::as_u64),
        finish_reason: finish("finish_reason"),
        native_finish_reason: finish("native_finish_reason"),
        streamed,
        created,
    })
}

/// `YYYY-MM-DDTHH:MM:SS.000Z` for unix seconds (the civil-from-days algorithm), to avoid a
/// date crate for one field.
pub(crate) fn iso8601(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or_default();
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The catalogue snapshot another engineer copies in; absent, a small built-in list serves.
fn catalogue_path() -> std::path::PathBuf {
    fixtures_dir()
        .join("catalogue")
        .join("cline_2025-05-12_models.decoded.json")
}

/// `GET /models`: the snapshot's exact bytes when present, the built-in list otherwise.
pub(crate) fn models_body() -> Vec<u8> {
    std::fs::read(catalogue_path()).unwrap_or_else(|_| builtin_models().to_string().into_bytes())
}

fn builtin_model(id: &str, name: &str, context: u64, prompt: &str, completion: &str) -> Value {
    let tokenizer = match id.split('/').next() {
        Some("anthropic") => "Claude",
        Some("google") => "Gemini",
        Some("meta-llama") => "Llama3",
        Some("openrouter") => "Router",
        _ => "GPT",
    };
    json!({
        "id": id, "hugging_face_id": "", "name": name, "created": 1_746_000_000,
        "description": format!("{name}, served by the fake upstream."),
        "context_length": context,
        "architecture": {"modality": "text->text", "input_modalities": ["text"],
            "output_modalities": ["text"], "tokenizer": tokenizer, "instruct_type": null},
        "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0",
            "web_search": "0", "internal_reasoning": "0"},
        "top_provider": {"context_length": context, "max_completion_tokens": 16384,
            "is_moderated": false},
        "per_request_limits": null,
        "supported_parameters": ["max_tokens", "temperature", "top_p", "tools", "tool_choice",
            "stop", "response_format"],
    })
}

fn builtin_models() -> Value {
    json!({"data": [
        builtin_model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 128_000, "0.00000015", "0.0000006"),
        builtin_model("anthropic/claude-sonnet-4", "Anthropic: Claude Sonnet 4", 200_000, "0.000003", "0.000015"),
        builtin_model("google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", 1_048_576, "0.0000003", "0.0000025"),
        builtin_model("meta-llama/llama-3.3-70b-instruct:free", "Meta: Llama 3.3 70B Instruct (free)", 131_072, "0", "0"),
        builtin_model("openrouter/auto", "Auto Router", 2_000_000, "-1", "-1"),
    ]})
}

/// `GET /models/{author}/{slug}/endpoints` (§5b): the recorded answer for the one model it was
/// recorded for when that file is present, otherwise one endpoint built from the catalogue
/// entry. `None` for a model the catalogue does not list.
pub(crate) fn endpoints(author: &str, slug: &str) -> Option<Value> {
    let id = format!("{author}/{slug}");
    let recorded = fixtures_dir().join("catalogue").join(format!(
        "cline_2025-05-12_endpoints_{author}-{slug}.decoded.json"
    ));
    if let Some(body) = std::fs::read(recorded)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Some(body);
    }
    let catalogue: Value = serde_json::from_slice(&models_body()).ok()?;
    let model = catalogue
        .get("data")?
        .as_array()?
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(id.as_str()))?
        .clone();
    let provider = provider_name(author);
    let mut pricing = model.get("pricing").cloned().unwrap_or_else(|| json!({}));
    pricing["discount"] = json!(0);
    let context = model.get("context_length").cloned().unwrap_or(Value::Null);
    let endpoint = json!({
        "name": format!("{provider} | {id}"),
        "model_id": id,
        "model_name": model.get("name"),
        "provider_name": provider,
        "tag": author,
        "context_length": context,
        "max_completion_tokens": model.pointer("/top_provider/max_completion_tokens"),
        "max_prompt_tokens": null,
        "pricing": pricing,
        "quantization": null,
        "status": 0,
        "supported_parameters": model.get("supported_parameters"),
        "supports_implicit_caching": false,
        "uptime_last_5m": 100.0,
        "uptime_last_30m": 99.5,
        "uptime_last_1d": 99.2,
        "latency_last_30m": {"p50": 0.41, "p75": 0.62, "p90": 0.9, "p99": 1.8},
        "throughput_last_30m": {"p50": 61.0, "p75": 75.0, "p90": 88.0, "p99": 110.0},
    });
    Some(json!({"data": {
        "id": id,
        "name": model.get("name"),
        "created": model.get("created"),
        "description": model.get("description"),
        "architecture": model.get("architecture"),
        "endpoints": [endpoint],
    }}))
}

/// A display name for a model author, as OpenRouter names providers.
fn provider_name(author: &str) -> String {
    match author {
        "openai" => "OpenAI".into(),
        "anthropic" => "Anthropic".into(),
        "google" => "Google".into(),
        "meta-llama" => "Meta".into(),
        "openrouter" => "OpenRouter".into(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// `GET /openai/v1/models`.
pub(crate) fn openai_models() -> Value {
    json!({"object": "list", "data": [
        {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"},
        {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "system"}
    ]})
}

/// `GET /anthropic/v1/models`.
pub(crate) fn anthropic_models() -> Value {
    json!({"data": [
        {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}
    ], "has_more": false, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5"})
}

/// `GET /custom/v1/models`.
pub(crate) fn custom_models() -> Value {
    json!({"object": "list", "data": [
        {"id": "llama3.2:3b", "object": "model", "created": 1727000000, "owned_by": "library"}
    ]})
}
