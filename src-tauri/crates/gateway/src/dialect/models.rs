//! `GET /v1/models` in the two shapes clients expect: OpenAI's (the default) and Anthropic's
//! (when the request carries `anthropic-version`, as Claude Code's does).

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One model the gateway serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// The name a client sends as `model` (a route name, `provider/model`, an OpenRouter id).
    pub id: String,
    /// A name for people.
    pub display_name: String,
    /// Who serves it (the provider's name).
    pub owner: String,
}

/// `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`. Switchboard does
/// not know when each model was made, so every entry carries `created_unix` (the server's
/// start is a good choice).
pub fn openai_list(models: &[ModelEntry], created_unix: u64) -> Value {
    let data: Vec<Value> = models
        .iter()
        .map(|m| {
            json!({"id": m.id, "object": "model", "created": created_unix, "owned_by": m.owner})
        })
        .collect();
    json!({"object": "list", "data": data})
}

/// `{"data":[{"type":"model","id","display_name","created_at","lifecycle"}],"has_more":false,
/// "first_id","last_id"}`, the whole list in one page; `created_at` is `created_unix` in RFC
/// 3339, and every model Switchboard serves is `active` (the Anthropic SDKs require the field).
pub fn anthropic_list(models: &[ModelEntry], created_unix: u64) -> Value {
    let created_at = i64::try_from(created_unix)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let data: Vec<Value> = models
        .iter()
        .map(|m| {
            json!({
                "type": "model",
                "id": m.id,
                "display_name": m.display_name,
                "created_at": created_at,
                "lifecycle": "active",
            })
        })
        .collect();
    json!({
        "data": data,
        "has_more": false,
        "first_id": models.first().map(|m| m.id.as_str()),
        "last_id": models.last().map(|m| m.id.as_str()),
    })
}
