//! The answer-side JSON pieces that streamed chunks and whole bodies share: message content,
//! tool-call fragments, and the mapping of `usage` and `error` objects into core types.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, de::IgnoredAny};
use serde_json::{Map, Value, json};
use switchboard_core::{ProviderError, ToolCall, Usage};

/// `content`: a string on OpenAI and OpenRouter, an array of typed parts on some compatible
/// servers (Mistral, a few proxies). Only text parts become answer text.
#[derive(Debug, Default)]
pub(super) struct Content(pub(super) Option<String>);

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ContentVisitor)
    }
}

struct ContentVisitor;

impl<'de> Visitor<'de> for ContentVisitor {
    type Value = Content;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, null or an array of content parts")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
        Ok(Content(Some(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
        Ok(Content(Some(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Content, E> {
        Ok(Content(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Content, E> {
        Ok(Content(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
        let mut text = String::new();
        while let Some(part) = seq.next_element::<Value>()? {
            match &part {
                Value::String(s) => text.push_str(s),
                Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("text") => {
                    if let Some(t) = o.get("text").and_then(Value::as_str) {
                        text.push_str(t);
                    }
                }
                _ => {}
            }
        }
        Ok(Content(Some(text)))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Content, A::Error> {
        // An object where text was expected carries nothing we can show; skip it rather than
        // failing the whole answer.
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Content(None))
    }
}

/// One `tool_calls[]` entry: whole in a body, a fragment in a stream.
#[derive(Debug, Deserialize)]
pub(super) struct ToolCallFragment {
    pub(super) index: Option<u64>,
    pub(super) id: Option<String>,
    pub(super) function: Option<FunctionFragment>,
}

/// `tool_calls[].function`.
#[derive(Debug, Deserialize)]
pub(super) struct FunctionFragment {
    pub(super) name: Option<String>,
    /// A JSON string on the wire; a few servers send the parsed object instead.
    pub(super) arguments: Option<Value>,
}

impl FunctionFragment {
    /// Appends this fragment's arguments text to `into`.
    pub(super) fn append_arguments(&self, into: &mut String) {
        match &self.arguments {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => into.push_str(s),
            Some(other) => into.push_str(&other.to_string()),
        }
    }
}

/// A whole tool call from its accumulated pieces; `position` names calls that came without an
/// id (some local servers), so the tool result can still be matched to its call.
pub(super) fn tool_call(id: String, name: String, arguments: String, position: usize) -> ToolCall {
    ToolCall {
        id: if id.is_empty() {
            format!("call_{position}")
        } else {
            id
        },
        name,
        // A tool without parameters may come with no `arguments` at all; "{}" is what it means.
        arguments: if arguments.trim().is_empty() {
            "{}".to_owned()
        } else {
            arguments
        },
    }
}

/// Maps a `usage` object; every field is optional. `None` when `value` is not an object.
pub(super) fn usage_from(value: &Value) -> Option<Usage> {
    let usage = value.as_object()?;
    let count = |pointer: &str| -> u64 {
        value
            .pointer(pointer)
            .and_then(|v| {
                v.as_u64().or_else(|| {
                    v.as_f64()
                        .filter(|f| f.is_finite() && *f >= 0.0)
                        .map(|f| f as u64)
                })
            })
            .unwrap_or(0)
    };
    // What was charged is booked as spend, so only a believable number counts (see
    // `crate::charge`); anything else is unknown and the engine estimates instead.
    let cost = usage
        .get("cost")
        .and_then(|c| crate::charge::from_json(c, "usage.cost"));
    let is_byok = usage.get("is_byok").and_then(Value::as_bool) == Some(true);
    // Only a BYOK answer's upstream cost is the person's money (their own provider account);
    // for shared capacity OpenRouter now reports its own cost there, equal to `cost`.
    let upstream_cost = value
        .pointer("/cost_details/upstream_inference_cost")
        .filter(|_| is_byok)
        .and_then(|c| crate::charge::from_json(c, "usage.cost_details.upstream_inference_cost"));
    Some(Usage {
        prompt_tokens: count("/prompt_tokens"),
        completion_tokens: count("/completion_tokens"),
        cached_tokens: count("/prompt_tokens_details/cached_tokens"),
        cache_write_tokens: count("/prompt_tokens_details/cache_write_tokens"),
        reasoning_tokens: count("/completion_tokens_details/reasoning_tokens"),
        cost,
        is_byok,
        upstream_cost,
    })
}

/// Classifies an `error` object that arrived inside a 200 answer (mid-stream, or in a body).
///
/// An integer `code` is the HTTP-like status, so the same rules as for a real HTTP error apply
/// (429 rate limited, 5xx upstream, other 4xx bad request). A string code such as
/// `"server_error"` (or none) falls back to `http_status` when the 2026 availability shape gives
/// one, else to 500: the provider failed after it had started answering. `provider` is the
/// chunk's top-level `provider`, used as the upstream's name when the error does not carry one.
pub(super) fn embedded_error(error: &Value, provider: Option<&str>) -> ProviderError {
    let mut error = match error {
        Value::Object(o) => o.clone(),
        Value::String(s) => Map::from_iter([("message".to_owned(), Value::String(s.clone()))]),
        other => Map::from_iter([("message".to_owned(), Value::String(other.to_string()))]),
    };
    let status = status_of(&error);
    if let Some(provider) = provider {
        let metadata = error
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !metadata.is_object() {
            *metadata = Value::Object(Map::new());
        }
        if let Value::Object(metadata) = metadata
            && !metadata.get("provider_name").is_some_and(Value::is_string)
        {
            metadata.insert("provider_name".to_owned(), json!(provider));
        }
    }
    let body = json!({ "error": error }).to_string();
    ProviderError::from_response(status, None, &body)
}

fn status_of(error: &Map<String, Value>) -> u16 {
    let as_status = |v: &Value| -> Option<u16> {
        let n = match v {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.trim().parse::<u64>().ok()?,
            _ => return None,
        };
        u16::try_from(n).ok().filter(|s| (100..=599).contains(s))
    };
    error
        .get("code")
        .and_then(as_status)
        .or_else(|| error.get("http_status").and_then(as_status))
        .unwrap_or(500)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_fields_are_optional_and_cost_is_exact() {
        let usage = usage_from(&json!({
            "prompt_tokens": 62, "completion_tokens": 112, "cost": 0.001866,
            "prompt_tokens_details": {"cached_tokens": 3, "cache_write_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 35}
        }));
        let usage = usage.unwrap_or_default();
        assert_eq!(usage.prompt_tokens, 62, "prompt tokens");
        assert_eq!(usage.cached_tokens, 3, "cached tokens");
        assert_eq!(usage.cache_write_tokens, 4, "cache writes");
        assert_eq!(usage.reasoning_tokens, 35, "reasoning tokens");
        assert_eq!(
            usage.cost.map(|c| c.to_string()).as_deref(),
            Some("0.001866"),
            "cost keeps the decimal the provider wrote"
        );
        assert_eq!(
            usage_from(&json!({})),
            Some(Usage::default()),
            "an empty usage object is all zeros"
        );
        assert_eq!(usage_from(&json!(7)), None, "a non-object is no usage");
        for bad in [json!(-1), json!("0.5"), json!(1e30), json!(-0.5)] {
            let usage = usage_from(&json!({"prompt_tokens": 3, "cost": bad})).unwrap_or_default();
            assert_eq!(usage.cost, None, "{bad} is no provider cost");
            assert_eq!(usage.prompt_tokens, 3, "the counts stay");
        }
    }

    #[test]
    fn byok_usage_keeps_the_upstream_cost_apart_from_the_fee() {
        let byok = usage_from(&json!({
            "prompt_tokens": 20, "completion_tokens": 2, "cost": 0.00000021, "is_byok": true,
            "cost_details": {"upstream_inference_cost": 0.0000042,
                "upstream_inference_prompt_cost": 0.000003,
                "upstream_inference_completions_cost": 0.0000012}
        }))
        .unwrap_or_default();
        assert!(byok.is_byok, "is_byok is read");
        assert_eq!(
            byok.upstream_cost.map(|c| c.to_string()).as_deref(),
            Some("0.0000042"),
            "the provider's own charge, exact"
        );
        assert_eq!(
            byok.cost.map(|c| c.to_string()).as_deref(),
            Some("0.00000021"),
            "cost stays what OpenRouter charged"
        );
        // The shape of a real 2026 non-BYOK answer: the upstream cost equals `cost` and is
        // OpenRouter's, not the person's.
        let shared = usage_from(&json!({
            "prompt_tokens": 20, "completion_tokens": 2, "cost": 0.0000042, "is_byok": false,
            "cost_details": {"upstream_inference_cost": 0.0000042}
        }))
        .unwrap_or_default();
        assert!(!shared.is_byok);
        assert_eq!(
            shared.upstream_cost, None,
            "not BYOK: no upstream cost of the person's"
        );
        let odd =
            usage_from(&json!({"is_byok": true, "cost_details": {"upstream_inference_cost": -3}}))
                .unwrap_or_default();
        assert_eq!(
            odd.upstream_cost, None,
            "an unbelievable upstream cost is unknown"
        );
        assert!(odd.is_byok);
    }

    #[test]
    fn embedded_errors_are_classified_by_code() {
        let limited = embedded_error(&json!({"code": 429, "message": "slow down"}), None);
        assert!(
            matches!(limited, ProviderError::RateLimited { ref message, .. } if message == "slow down"),
            "429 is a rate limit: {limited:?}"
        );
        let upstream = embedded_error(&json!({"code": "server_error", "message": "x"}), Some("P"));
        assert!(
            matches!(upstream, ProviderError::Upstream { status: 500, provider: Some(ref p), .. } if p == "P"),
            "a string code is an upstream failure named after the chunk's provider: {upstream:?}"
        );
        let bad = embedded_error(&json!("boom"), None);
        assert!(
            matches!(bad, ProviderError::Upstream { ref message, .. } if message == "boom"),
            "a bare string is the message: {bad:?}"
        );
    }
}
