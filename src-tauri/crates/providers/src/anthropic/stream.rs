//! Normalizing Anthropic's answers (the named-event stream and the one-shot body) into deltas.
//!
//! The stream sends each content block as start / deltas / stop. Text and thinking are passed on
//! as they arrive; tool-call input and thinking signatures only make sense whole, so they are
//! kept per block and emitted at the block's stop. Usage is split over two events (input in
//! `message_start`, cumulative output in `message_delta`) and merged here.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};
use switchboard_core::{Delta, DeltaStream, FinishReason, ProviderError, ToolCall};

use super::request::DETAILS_FORMAT;
use super::wire::{WireBlock, WireDelta, WireEvent, WireMessage, WireUsage};
use crate::sse::{SseEvent, sse_events};

/// The name the UI shows for who served a direct Anthropic request.
const SERVED_BY: &str = "Anthropic";

/// Normalizes a raw SSE byte stream from /v1/messages into deltas.
///
/// Everything that arrived before a failure is yielded first; the failure (an `event: error`,
/// a transport error, undecodable data, or the stream ending before `message_stop`) is the
/// last item. Reading stops at `message_stop`.
pub fn stream_from_bytes<S>(bytes: S) -> DeltaStream
where
    S: Stream<Item = Result<Bytes, ProviderError>> + Send + 'static,
{
    from_events(sse_events(bytes))
}

/// Normalizes already decoded events (see [`crate::sse`]) into deltas.
pub(super) fn from_events<E>(events: E) -> DeltaStream
where
    E: Stream<Item = Result<SseEvent, ProviderError>> + Send + 'static,
{
    Box::pin(async_stream::stream! {
        let mut events = std::pin::pin!(events);
        let mut normalizer = Normalizer::default();
        while let Some(event) = events.next().await {
            let step = event.and_then(|e| normalizer.event(&e.data));
            match step {
                Ok((deltas, done)) => {
                    for delta in deltas {
                        yield Ok(delta);
                    }
                    if done {
                        return;
                    }
                }
                Err(err) => {
                    yield Err(err);
                    return;
                }
            }
        }
        yield Err(ProviderError::Cut {
            detail: "the stream ended before the answer was complete".to_owned(),
        });
    })
}

/// Normalizes a non-streaming /v1/messages body into the same deltas.
pub fn parse_body(body: &str) -> Result<Vec<Delta>, ProviderError> {
    let trimmed = body.trim();
    let value: Value = serde_json::from_str(trimmed).map_err(|e| ProviderError::decode(e, body))?;
    if value.get("type").and_then(Value::as_str) == Some("error") {
        return Err(classify_error(&value, trimmed));
    }
    let message: WireMessage =
        serde_json::from_value(value).map_err(|e| ProviderError::decode(e, body))?;
    let mut deltas = vec![meta(&message)];
    for block in message.content {
        match block {
            WireBlock::Text { text } if text.is_empty() => {}
            WireBlock::Text { text } => deltas.push(Delta::Text { text }),
            WireBlock::Thinking {
                thinking,
                signature,
            } => {
                if !thinking.is_empty() {
                    deltas.push(Delta::Reasoning {
                        text: thinking.clone(),
                    });
                }
                deltas.push(thinking_details(thinking, &signature));
            }
            WireBlock::RedactedThinking { data } => deltas.push(redacted_details(data)),
            WireBlock::ToolUse { id, name, input } => deltas.push(Delta::ToolCall {
                call: ToolCall {
                    id,
                    name,
                    arguments: input_arguments(&input),
                },
            }),
            WireBlock::Other => {}
        }
    }
    if let Some(usage) = message.usage {
        deltas.push(Delta::Usage {
            usage: usage.to_usage(),
        });
    }
    if let Some(reason) = message.stop_reason {
        deltas.push(Delta::Finish {
            reason: FinishReason::from_wire(&reason),
        });
    }
    Ok(deltas)
}

/// The state of one streamed answer.
#[derive(Default)]
struct Normalizer {
    /// Open content blocks by index.
    blocks: HashMap<u64, OpenBlock>,
    /// Usage merged from `message_start` and every `message_delta`; `None` until one reports.
    usage: Option<WireUsage>,
    /// Whether a `Finish` was emitted; a repeated stop reason must not end the answer twice.
    finished: bool,
    /// Whether a `Usage` was emitted, so `message_stop` can supply one that never came.
    usage_sent: bool,
}

/// A content block between its start and stop, holding what must be emitted whole.
enum OpenBlock {
    Text,
    Thinking {
        text: String,
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    ToolUse {
        id: String,
        name: String,
        json: String,
        initial: Value,
    },
    Other,
}

impl Normalizer {
    fn merge_usage(&mut self, newer: Option<&WireUsage>) {
        if let Some(newer) = newer {
            self.usage
                .get_or_insert_with(WireUsage::default)
                .merge(newer);
        }
    }

    /// Handles one event's data; returns the deltas to emit and whether the answer is complete.
    fn event(&mut self, data: &str) -> Result<(Vec<Delta>, bool), ProviderError> {
        // A data-less event carries nothing to act on.
        if data.trim().is_empty() {
            return Ok((Vec::new(), false));
        }
        let event: WireEvent = serde_json::from_str(data).map_err(|e| {
            ProviderError::decode(
                format!("an Anthropic stream event did not parse: {e}"),
                data,
            )
        })?;
        let mut out = Vec::new();
        match event {
            WireEvent::MessageStart { message } => {
                self.merge_usage(message.usage.as_ref());
                out.push(meta(&message));
            }
            WireEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                let block = match content_block {
                    WireBlock::Text { text } => {
                        push_text(&mut out, text);
                        OpenBlock::Text
                    }
                    WireBlock::Thinking {
                        thinking,
                        signature,
                    } => {
                        push_reasoning(&mut out, thinking.clone());
                        OpenBlock::Thinking {
                            text: thinking,
                            signature,
                        }
                    }
                    WireBlock::RedactedThinking { data } => OpenBlock::RedactedThinking { data },
                    WireBlock::ToolUse { id, name, input } => OpenBlock::ToolUse {
                        id,
                        name,
                        json: String::new(),
                        initial: input,
                    },
                    WireBlock::Other => OpenBlock::Other,
                };
                self.blocks.insert(index, block);
            }
            WireEvent::ContentBlockDelta { index, delta } => {
                let block = self.blocks.get_mut(&index).ok_or_else(|| {
                    ProviderError::decode(
                        format!("a content_block_delta for block {index}, which never started"),
                        data,
                    )
                })?;
                match (delta, block) {
                    (WireDelta::TextDelta { text }, _) => push_text(&mut out, text),
                    (WireDelta::ThinkingDelta { thinking }, block) => {
                        if let OpenBlock::Thinking { text, .. } = block {
                            text.push_str(&thinking);
                        }
                        push_reasoning(&mut out, thinking);
                    }
                    (
                        WireDelta::SignatureDelta { signature },
                        OpenBlock::Thinking { signature: s, .. },
                    ) => {
                        s.push_str(&signature);
                    }
                    (
                        WireDelta::InputJsonDelta { partial_json },
                        OpenBlock::ToolUse { json, .. },
                    ) => {
                        json.push_str(&partial_json);
                    }
                    // Deltas we do not use (citations) or that do not fit their block carry
                    // nothing we could show or replay.
                    _ => {}
                }
            }
            WireEvent::ContentBlockStop { index } => match self.blocks.remove(&index) {
                Some(OpenBlock::Thinking { text, signature }) => {
                    out.push(thinking_details(text, &signature));
                }
                Some(OpenBlock::RedactedThinking { data }) => out.push(redacted_details(data)),
                Some(OpenBlock::ToolUse {
                    id,
                    name,
                    json,
                    initial,
                }) => {
                    let arguments = if json.trim().is_empty() {
                        input_arguments(&initial)
                    } else {
                        json
                    };
                    out.push(Delta::ToolCall {
                        call: ToolCall {
                            id,
                            name,
                            arguments,
                        },
                    });
                }
                Some(OpenBlock::Text | OpenBlock::Other) | None => {}
            },
            WireEvent::MessageDelta { delta, usage } => {
                self.merge_usage(usage.as_ref());
                // Usage goes just before Finish; both are final once the stop reason is known.
                if let Some(usage) = &self.usage {
                    out.push(Delta::Usage {
                        usage: usage.to_usage(),
                    });
                    self.usage_sent = true;
                }
                if let Some(reason) = delta.and_then(|d| d.stop_reason)
                    && !self.finished
                {
                    self.finished = true;
                    out.push(Delta::Finish {
                        reason: FinishReason::from_wire(&reason),
                    });
                }
            }
            WireEvent::MessageStop => {
                if let Some(usage) = self.usage.as_ref().filter(|_| !self.usage_sent) {
                    out.push(Delta::Usage {
                        usage: usage.to_usage(),
                    });
                }
                return Ok((out, true));
            }
            WireEvent::Error => {
                let value: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                return Err(classify_error(&value, data));
            }
            WireEvent::Ping | WireEvent::Unknown => {}
        }
        Ok((out, false))
    }
}

fn push_text(out: &mut Vec<Delta>, text: String) {
    if !text.is_empty() {
        out.push(Delta::Text { text });
    }
}

fn push_reasoning(out: &mut Vec<Delta>, text: String) {
    if !text.is_empty() {
        out.push(Delta::Reasoning { text });
    }
}

fn meta(message: &WireMessage) -> Delta {
    Delta::Meta {
        generation_id: message.id.clone(),
        model: message.model.clone(),
        served_by: Some(SERVED_BY.to_owned()),
    }
}

/// A finished thinking block, in the shape the request side replays.
fn thinking_details(text: String, signature: &str) -> Delta {
    let signature = if signature.is_empty() {
        Value::Null
    } else {
        Value::String(signature.to_owned())
    };
    Delta::ReasoningDetails {
        details: vec![json!({
            "type": "reasoning.text",
            "format": DETAILS_FORMAT,
            "text": text,
            "signature": signature,
        })],
    }
}

/// A redacted thinking block, kept opaque so it can be replayed.
fn redacted_details(data: String) -> Delta {
    Delta::ReasoningDetails {
        details: vec![json!({
            "type": "reasoning.encrypted",
            "format": DETAILS_FORMAT,
            "data": data,
        })],
    }
}

/// A tool_use block's `input` as argument text; `"{}"` when it had none.
fn input_arguments(input: &Value) -> String {
    match input {
        Value::Null => "{}".to_owned(),
        other => other.to_string(),
    }
}

/// The HTTP status Anthropic uses for each error type, so a mid-stream or in-body error is
/// classified exactly like the same error before the stream.
fn error_status(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "conflict_error" => 409,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        // `api_error` and anything new: the server failed while answering.
        _ => 500,
    }
}

/// Classifies `{"type":"error","error":{"type","message"}}` received with a success status.
fn classify_error(value: &Value, raw: &str) -> ProviderError {
    let kind = value
        .get("error")
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    ProviderError::from_response(error_status(kind), None, raw)
}
