//! The streamed answer as Anthropic's named events.

use serde_json::{Value, json};
use switchboard_core::{Delta, FinishReason, ToolCall};

use super::answer::{error_body, stop_reason, tool_input};
use crate::dialect::replay::{AS_ANTHROPIC, Piece, piece};
use crate::dialect::{NamedEvent, StreamEnd, StreamMeta, usage};

/// Encodes one streamed answer as Anthropic's event sequence: `message_start`, then per content
/// block `content_block_start`, its deltas and `content_block_stop` (indices from 0, one block
/// open at a time), then `message_delta` with the stop reason and cumulative usage, and
/// `message_stop`. Each item is an `event:` name and its `data:` JSON; no `ping` is sent.
///
/// Usage: `message_start` must carry input tokens (Claude Code reads them there), but most
/// upstreams report usage only at the end, so it carries [`StreamMeta::prompt_tokens_estimate`]
/// and an output placeholder of 1, as Anthropic's own start does; the `message_delta` at the end
/// carries the real input, cache and output counts.
///
/// Blocks: reasoning text opens a `thinking` block; a signed reasoning detail closes it with a
/// `signature_delta` (its signature as Anthropic made it, or tagged with its format when another
/// vendor made it, see `replay`); encrypted reasoning becomes a `redacted_thinking` block; a
/// tool call is a `tool_use` block whose whole input arrives in one `input_json_delta`.
///
/// A failure after the start is one `event: error` with `{"type":"error","error":{…}}`, after
/// closing the open block; no `message_delta` or `message_stop` follows, as with Anthropic.
#[derive(Debug)]
pub struct MessageStream {
    meta: StreamMeta,
    started: bool,
    next_index: u64,
    open: Option<Open>,
    finish: Option<FinishReason>,
    made_calls: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Text(u64),
    /// A thinking block, and whether its signature was sent (after which it takes no more).
    Thinking(u64, bool),
}

impl MessageStream {
    /// An encoder for the answer described by `meta`.
    pub fn new(meta: StreamMeta) -> Self {
        Self {
            meta,
            started: false,
            next_index: 0,
            open: None,
            finish: None,
            made_calls: false,
        }
    }

    /// `message_start`, once; empty after the first call. `on_delta` and `finish` call it
    /// themselves.
    pub fn start(&mut self) -> Vec<NamedEvent> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        let data = json!({
            "type": "message_start",
            "message": {
                "id": self.meta.id,
                "type": "message",
                "role": "assistant",
                "model": self.meta.model,
                "content": [],
                "stop_reason": null,
                "stop_sequence": null,
                "usage": {
                    "input_tokens": self.meta.prompt_tokens_estimate,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": 1,
                },
            },
        });
        vec![("message_start", data.to_string())]
    }

    /// The events for one delta (none for usage and metadata, which the end carries).
    pub fn on_delta(&mut self, delta: &Delta) -> Vec<NamedEvent> {
        let mut out = self.start();
        match delta {
            Delta::Text { text } if !text.is_empty() => {
                let index = match self.open {
                    Some(Open::Text(index)) => index,
                    _ => self.open_block(&mut out, json!({"type": "text", "text": ""}), Open::Text),
                };
                out.push(block_delta(
                    index,
                    json!({"type": "text_delta", "text": text}),
                ));
            }
            Delta::Reasoning { text } if !text.is_empty() => {
                let index = self.thinking_index(&mut out);
                out.push(block_delta(
                    index,
                    json!({"type": "thinking_delta", "thinking": text}),
                ));
            }
            Delta::ReasoningDetails { details } => {
                for detail in details {
                    self.on_detail(detail, &mut out);
                }
            }
            Delta::ToolCall { call } => self.tool_use(call, &mut out),
            Delta::Finish { reason } => {
                self.finish.get_or_insert_with(|| reason.clone());
            }
            _ => {}
        }
        out
    }

    /// The closing events: `message_delta` and `message_stop`, or the error event.
    pub fn finish(mut self, end: &StreamEnd) -> Vec<NamedEvent> {
        let mut out = self.start();
        self.close(&mut out);
        if let Some(error) = &end.error {
            out.push(("error", error_body(error).to_string()));
            return out;
        }
        let finish = end.finish.as_ref().or(self.finish.as_ref());
        let data = json!({
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason(finish, self.made_calls), "stop_sequence": null},
            "usage": usage::anthropic(&end.usage, self.meta.prompt_tokens_estimate),
        });
        out.push(("message_delta", data.to_string()));
        out.push(("message_stop", json!({"type": "message_stop"}).to_string()));
        out
    }

    fn on_detail(&mut self, detail: &Value, out: &mut Vec<NamedEvent>) {
        match piece(AS_ANTHROPIC, detail) {
            Some(Piece::Signed { text, opaque }) => {
                let index = match self.open {
                    Some(Open::Thinking(index, false)) => index,
                    _ => {
                        // A signed piece whose text did not stream as reasoning: it is whole here.
                        let index = self.thinking_index(out);
                        if !text.is_empty() {
                            out.push(block_delta(
                                index,
                                json!({"type": "thinking_delta", "thinking": text}),
                            ));
                        }
                        index
                    }
                };
                out.push(block_delta(
                    index,
                    json!({"type": "signature_delta", "signature": opaque}),
                ));
                self.open = Some(Open::Thinking(index, true));
            }
            Some(Piece::Sealed { opaque }) => {
                self.close(out);
                let index = self.take_index();
                let block = json!({"type": "redacted_thinking", "data": opaque});
                out.push(block_start(index, block));
                out.push(block_stop(index));
            }
            // Unsigned fragments repeat the reasoning text already streamed.
            None => {}
        }
    }

    fn tool_use(&mut self, call: &ToolCall, out: &mut Vec<NamedEvent>) {
        self.close(out);
        self.made_calls = true;
        let index = self.take_index();
        let block = json!({"type": "tool_use", "id": call.id, "name": call.name, "input": {}});
        out.push(block_start(index, block));
        let input = tool_input(&call.arguments).to_string();
        out.push(block_delta(
            index,
            json!({"type": "input_json_delta", "partial_json": input}),
        ));
        out.push(block_stop(index));
    }

    /// The index of an unsigned open thinking block, opening one if needed.
    fn thinking_index(&mut self, out: &mut Vec<NamedEvent>) -> u64 {
        match self.open {
            Some(Open::Thinking(index, false)) => index,
            _ => self.open_block(
                out,
                json!({"type": "thinking", "thinking": "", "signature": ""}),
                |i| Open::Thinking(i, false),
            ),
        }
    }

    fn open_block(
        &mut self,
        out: &mut Vec<NamedEvent>,
        block: Value,
        open: impl FnOnce(u64) -> Open,
    ) -> u64 {
        self.close(out);
        let index = self.take_index();
        out.push(block_start(index, block));
        self.open = Some(open(index));
        index
    }

    fn close(&mut self, out: &mut Vec<NamedEvent>) {
        if let Some(Open::Text(index) | Open::Thinking(index, _)) = self.open.take() {
            out.push(block_stop(index));
        }
    }

    fn take_index(&mut self) -> u64 {
        let index = self.next_index;
        self.next_index += 1;
        index
    }
}

fn block_start(index: u64, block: Value) -> NamedEvent {
    let data = json!({"type": "content_block_start", "index": index, "content_block": block});
    ("content_block_start", data.to_string())
}

fn block_delta(index: u64, delta: Value) -> NamedEvent {
    let data = json!({"type": "content_block_delta", "index": index, "delta": delta});
    ("content_block_delta", data.to_string())
}

fn block_stop(index: u64) -> NamedEvent {
    let data = json!({"type": "content_block_stop", "index": index});
    ("content_block_stop", data.to_string())
}
