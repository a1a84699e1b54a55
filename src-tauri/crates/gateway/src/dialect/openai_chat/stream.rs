//! The streamed answer as `chat.completion.chunk`s.

use serde_json::{Map, Value, json};
use switchboard_core::{Delta, FinishReason};

use super::answer::{annotations, error_object, finish_reason};
use crate::dialect::{StreamEnd, StreamMeta, usage};

/// Encodes one streamed answer as the JSON payloads of OpenAI's `data:` lines.
///
/// The server writes each payload as `data: <payload>\n\n` and ends with `data: [DONE]`.
/// The sequence is OpenAI's: a first chunk with `role`, content chunks, a chunk with the
/// `finish_reason` and an empty delta, then (with `include_usage`) a chunk with `choices: []`
/// and the usage; every earlier chunk then carries `"usage": null`, as OpenAI's do. A tool
/// call arrives whole from the upstream adapters, so it is one chunk with its id, name and
/// all its arguments, which every OpenAI SDK accumulates like OpenAI's own fragments.
///
/// A failure after the start ends with OpenRouter's in-stream error chunk: the usage chunk
/// first (the tokens were billed), then a chunk with a top-level `error` object, which the
/// OpenAI SDKs raise as an `APIError`.
#[derive(Debug)]
pub struct ChatStream {
    meta: StreamMeta,
    started: bool,
    calls: u32,
    finish: Option<FinishReason>,
}

impl ChatStream {
    /// An encoder for the answer described by `meta`.
    pub fn new(meta: StreamMeta) -> Self {
        Self {
            meta,
            started: false,
            calls: 0,
            finish: None,
        }
    }

    /// The opening chunk (`delta.role`), once; empty after the first call. `on_delta` and
    /// `finish` call it themselves, so calling it is only needed to open the stream early.
    pub fn start(&mut self) -> Vec<String> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        vec![self.chunk(json!({"role": "assistant", "content": ""}), None)]
    }

    /// The chunks for one delta (none for usage and metadata, which the end carries).
    pub fn on_delta(&mut self, delta: &Delta) -> Vec<String> {
        let mut out = self.start();
        let body = match delta {
            Delta::Text { text } if !text.is_empty() => json!({"content": text}),
            Delta::Reasoning { text } if !text.is_empty() => json!({"reasoning": text}),
            Delta::ReasoningDetails { details } if !details.is_empty() => {
                json!({"reasoning_details": details})
            }
            Delta::ToolCall { call } => {
                let index = self.calls;
                self.calls += 1;
                json!({"tool_calls": [{
                    "index": index,
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }]})
            }
            Delta::Citations { citations } if !citations.is_empty() => {
                json!({"annotations": annotations(citations, "")})
            }
            Delta::Finish { reason } => {
                self.finish.get_or_insert_with(|| reason.clone());
                return out;
            }
            _ => return out,
        };
        out.push(self.chunk(body, None));
        out
    }

    /// The closing chunks: the finish reason and usage, or usage and the error.
    pub fn finish(mut self, end: &StreamEnd) -> Vec<String> {
        let mut out = self.start();
        let finish = end.finish.as_ref().or(self.finish.as_ref());
        if let Some(error) = &end.error {
            if self.meta.include_usage {
                out.push(self.usage_chunk(end));
            }
            let mut chunk = self.envelope(vec![json!({
                "index": 0,
                "delta": {},
                "logprobs": null,
                "finish_reason": "error",
            })]);
            chunk.insert("error".into(), error_object(error));
            out.push(Value::Object(chunk).to_string());
            return out;
        }
        let reason = finish_reason(finish, self.calls > 0);
        out.push(self.chunk(json!({}), Some(reason)));
        if self.meta.include_usage {
            out.push(self.usage_chunk(end));
        }
        out
    }

    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> String {
        let choice = json!({
            "index": 0,
            "delta": delta,
            "logprobs": null,
            "finish_reason": finish_reason,
        });
        let mut chunk = self.envelope(vec![choice]);
        if self.meta.include_usage {
            chunk.insert("usage".into(), Value::Null);
        }
        Value::Object(chunk).to_string()
    }

    fn usage_chunk(&self, end: &StreamEnd) -> String {
        let mut chunk = self.envelope(Vec::new());
        if let Some(model) = &end.served_model {
            chunk.insert("model".into(), json!(model));
        }
        chunk.insert("usage".into(), usage::openai(&end.usage));
        Value::Object(chunk).to_string()
    }

    fn envelope(&self, choices: Vec<Value>) -> Map<String, Value> {
        let mut chunk = Map::new();
        chunk.insert("id".into(), json!(self.meta.id));
        chunk.insert("object".into(), json!("chat.completion.chunk"));
        chunk.insert("created".into(), json!(self.meta.created_unix));
        chunk.insert("model".into(), json!(self.meta.model));
        chunk.insert("choices".into(), Value::Array(choices));
        chunk
    }
}
