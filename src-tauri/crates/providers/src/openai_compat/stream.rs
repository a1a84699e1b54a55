//! Normalizing a streamed chat completion (SSE of `chat.completion.chunk`s) into deltas.
//!
//! Real traffic differs from the docs, so the rules are deliberately loose about shape and
//! strict about meaning: usage is recognized on any chunk that carries it, the first finish
//! reason wins, an `error` key ends the stream whatever `finish_reason` says, and a stream that
//! stops before it says it is complete is an error, never a silent truncation.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use serde::Deserialize;
use serde_json::Value;
use switchboard_core::{Delta, DeltaStream, FinishReason, ProviderError, Usage};

use super::wire::{Content, ToolCallFragment, embedded_error, tool_call, usage_from};
use crate::sse::{SseEvent, sse_events};

/// The detail of the error for a stream that stopped before it was complete.
const TRUNCATED: &str = "the stream ended before the answer was complete";

/// Normalizes a raw SSE byte stream (as read from the socket) into deltas.
///
/// The stream ends after `data: [DONE]`, after an error (which is its last item), or at the end
/// of `bytes`; an end without `[DONE]` and without a finish reason is a
/// [`ProviderError::Cut`] error after everything that did arrive.
pub fn stream_from_bytes<S>(bytes: S) -> DeltaStream
where
    S: Stream<Item = Result<Bytes, ProviderError>> + Send + 'static,
{
    from_events(Box::pin(sse_events(bytes)))
}

/// Normalizes already decoded events (see [`crate::sse`]) into deltas.
pub(super) fn from_events(events: Events) -> DeltaStream {
    Box::pin(Deltas {
        events: Some(events),
        normalizer: Normalizer::default(),
        out: VecDeque::new(),
    })
}

pub(super) type Events = Pin<Box<dyn Stream<Item = Result<SseEvent, ProviderError>> + Send>>;

/// The delta stream: SSE events in, normalized deltas out, buffered because one chunk can
/// yield several deltas (text plus a finished tool call, or usage then an error).
struct Deltas {
    /// `None` once the answer is over, which also drops (and so closes) the connection: some
    /// servers keep it open after `[DONE]`.
    events: Option<Events>,
    normalizer: Normalizer,
    out: VecDeque<Result<Delta, ProviderError>>,
}

impl Stream for Deltas {
    type Item = Result<Delta, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.out.pop_front() {
                return Poll::Ready(Some(item));
            }
            let Some(events) = this.events.as_mut() else {
                return Poll::Ready(None);
            };
            let ended = match events.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(event))) => this.normalizer.on_data(&event.data, &mut this.out),
                Poll::Ready(Some(Err(err))) => {
                    this.normalizer.fail(err, &mut this.out);
                    true
                }
                Poll::Ready(None) => {
                    this.normalizer.on_eof(&mut this.out);
                    true
                }
            };
            if ended {
                this.events = None;
            }
        }
    }
}

type Out = VecDeque<Result<Delta, ProviderError>>;

/// The state of one answer between chunks.
#[derive(Default)]
struct Normalizer {
    meta_sent: bool,
    /// Tool calls being assembled, in order of first appearance.
    calls: Vec<PendingCall>,
    /// Calls emitted so far, to name id-less calls uniquely.
    calls_emitted: usize,
    /// The last usage seen; emitted just before the end so consumers see the final one.
    usage: Option<Usage>,
    /// The first finish reason seen; emitted last.
    finish: Option<FinishReason>,
}

struct PendingCall {
    /// The fragment `index` it was opened under (`None` when the server sends none).
    wire_index: Option<u64>,
    id: String,
    name: String,
    arguments: String,
}

/// One `chat.completion.chunk`; only what we use is read, the rest is skipped unparsed.
#[derive(Deserialize)]
struct Chunk {
    id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
    choices: Option<Vec<Choice>>,
    usage: Option<Value>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    index: Option<u64>,
    delta: Option<ChunkDelta>,
    finish_reason: Option<String>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkDelta {
    content: Option<Content>,
    reasoning: Option<String>,
    reasoning_content: Option<String>,
    reasoning_details: Option<Vec<Value>>,
    tool_calls: Option<Vec<ToolCallFragment>>,
    annotations: Option<Vec<Value>>,
}

impl Normalizer {
    /// Handles one event's data; true when the answer is over.
    fn on_data(&mut self, data: &str, out: &mut Out) -> bool {
        let data = data.trim();
        if data.is_empty() {
            return false;
        }
        if data == "[DONE]" {
            self.complete(out);
            return true;
        }
        let chunk: Chunk = match serde_json::from_str(data) {
            Ok(chunk) => chunk,
            Err(e) => {
                let err =
                    ProviderError::decode(format!("a stream event is not a chunk: {e}"), data);
                self.fail(err, out);
                return true;
            }
        };
        self.on_chunk(chunk, out)
    }

    fn on_chunk(&mut self, chunk: Chunk, out: &mut Out) -> bool {
        if !self.meta_sent && (chunk.id.is_some() || chunk.model.is_some()) {
            self.meta_sent = true;
            out.push_back(Ok(Delta::Meta {
                generation_id: chunk.id,
                model: chunk.model,
                served_by: chunk.provider.clone(),
            }));
        }
        let mut choice_error = None;
        // The model is done with its tool calls once it gives a finish reason or its usage.
        let mut calls_done = false;
        // Only the first choice is the answer; we never ask for `n > 1`.
        let first = chunk
            .choices
            .into_iter()
            .flatten()
            .find(|c| c.index.is_none_or(|i| i == 0));
        if let Some(choice) = first {
            if let Some(delta) = choice.delta {
                self.on_delta(delta, out);
            }
            if self.finish.is_none()
                && let Some(reason) = choice.finish_reason
            {
                self.finish = Some(FinishReason::from_wire(&reason));
                calls_done = true;
            }
            choice_error = choice.error.filter(|e| !e.is_null());
        }
        if let Some(usage) = chunk.usage.as_ref().and_then(usage_from) {
            self.usage = Some(usage);
            calls_done = true;
        }
        if let Some(error) = chunk.error.filter(|e| !e.is_null()).or(choice_error) {
            let err = embedded_error(&error, chunk.provider.as_deref());
            self.fail(err, out);
            return true;
        }
        if calls_done {
            self.flush_calls(out);
        }
        false
    }

    fn on_delta(&mut self, delta: ChunkDelta, out: &mut Out) {
        // Some servers send the same text as both `reasoning` and `reasoning_content`.
        let reasoning = delta
            .reasoning
            .filter(|r| !r.is_empty())
            .or(delta.reasoning_content.filter(|r| !r.is_empty()));
        if let Some(text) = reasoning {
            out.push_back(Ok(Delta::Reasoning { text }));
        }
        if let Some(details) = delta.reasoning_details.filter(|d| !d.is_empty()) {
            out.push_back(Ok(Delta::ReasoningDetails { details }));
        }
        if let Some(text) = delta.content.and_then(|c| c.0).filter(|t| !t.is_empty()) {
            out.push_back(Ok(Delta::Text { text }));
        }
        for fragment in delta.tool_calls.into_iter().flatten() {
            self.on_tool_fragment(fragment);
        }
        let citations = super::annotations::citations(&delta.annotations.unwrap_or_default());
        if !citations.is_empty() {
            out.push_back(Ok(Delta::Citations { citations }));
        }
    }

    fn on_tool_fragment(&mut self, fragment: ToolCallFragment) {
        let id = fragment.id.filter(|id| !id.is_empty());
        let slot = match fragment.index {
            Some(index) => self
                .calls
                .iter()
                .rposition(|c| c.wire_index == Some(index))
                // The same index with a different id is a new call (servers that send every
                // call whole under index 0).
                .filter(|&at| {
                    id.as_ref()
                        .is_none_or(|id| self.calls[at].id.is_empty() || self.calls[at].id == *id)
                }),
            None => match &id {
                Some(id) => self.calls.iter().rposition(|c| c.id == *id),
                None => self.calls.len().checked_sub(1),
            },
        };
        let at = match slot {
            Some(at) => at,
            None => {
                self.calls.push(PendingCall {
                    wire_index: fragment.index,
                    id: String::new(),
                    name: String::new(),
                    arguments: String::new(),
                });
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[at];
        if let Some(id) = id
            && call.id.is_empty()
        {
            call.id = id;
        }
        if let Some(function) = fragment.function {
            if let Some(name) = function.name.as_deref().filter(|n| !n.is_empty())
                && call.name.is_empty()
            {
                call.name = name.to_owned();
            }
            function.append_arguments(&mut call.arguments);
        }
    }

    /// Emits every call assembled so far: called when the model said it is done with them.
    fn flush_calls(&mut self, out: &mut Out) {
        for call in self.calls.drain(..) {
            let position = self.calls_emitted;
            self.calls_emitted += 1;
            out.push_back(Ok(Delta::ToolCall {
                call: tool_call(call.id, call.name, call.arguments, position),
            }));
        }
    }

    /// The answer is complete: pending calls, then the final usage, then the finish reason.
    fn complete(&mut self, out: &mut Out) {
        self.flush_calls(out);
        if let Some(usage) = self.usage.take() {
            out.push_back(Ok(Delta::Usage { usage }));
        }
        if let Some(reason) = self.finish.take() {
            out.push_back(Ok(Delta::Finish { reason }));
        }
    }

    /// The answer failed: the usage known so far (it was billed), then the error. Calls still
    /// being assembled are dropped, as half a call must never be executed.
    fn fail(&mut self, err: ProviderError, out: &mut Out) {
        if let Some(usage) = self.usage.take() {
            out.push_back(Ok(Delta::Usage { usage }));
        }
        out.push_back(Err(err));
    }

    fn on_eof(&mut self, out: &mut Out) {
        if self.finish.is_some() {
            self.complete(out);
        } else {
            let detail = TRUNCATED.to_owned();
            self.fail(ProviderError::Cut { detail }, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use switchboard_core::ToolCall;

    use super::*;

    fn run(body: &str) -> Vec<Result<Delta, ProviderError>> {
        let bytes = Bytes::from(body.to_owned());
        let stream = stream_from_bytes(futures_util::stream::iter([Ok(bytes)]));
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a test runtime")
            .block_on(stream.collect())
    }

    #[test]
    fn fragments_without_index_or_id_join_the_last_call() {
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"f\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: [DONE]\n\n",
        );
        let got: Vec<_> = run(body).into_iter().filter_map(Result::ok).collect();
        assert_eq!(
            got,
            vec![
                Delta::ToolCall {
                    call: ToolCall {
                        id: "call_0".into(),
                        name: "f".into(),
                        arguments: "{}".into()
                    }
                },
                Delta::Finish {
                    reason: FinishReason::ToolCalls
                }
            ],
            "an id-less call gets a positional id"
        );
    }

    #[test]
    fn same_index_with_a_new_id_is_a_new_call() {
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"b\",\"function\":{\"name\":\"g\"}}]}}]}\n\n",
            "data: [DONE]\n\n",
        );
        let names: Vec<_> = run(body)
            .into_iter()
            .filter_map(|d| match d {
                Ok(Delta::ToolCall { call }) => Some((call.id, call.name, call.arguments)),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("a".into(), "f".into(), "{\"x\":1}".into()),
                ("b".into(), "g".into(), "{}".into())
            ],
            "two calls, in order, at [DONE]"
        );
    }

    #[test]
    fn the_first_finish_reason_wins_and_reasoning_aliases_do_not_duplicate() {
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"reasoning\":\"r\",\"reasoning_content\":\"r\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"s\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image_url\"}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":1}}\n\n",
        );
        let got: Vec<_> = run(body)
            .into_iter()
            .map(|d| d.map_err(|e| e.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                Ok(Delta::Reasoning { text: "r".into() }),
                Ok(Delta::Reasoning { text: "s".into() }),
                Ok(Delta::Text { text: "a".into() }),
                Ok(Delta::Usage {
                    usage: Usage {
                        prompt_tokens: 1,
                        ..Usage::default()
                    }
                }),
                Ok(Delta::Finish {
                    reason: FinishReason::Length
                }),
            ],
            "one reasoning per chunk, text parts joined, the first finish kept, EOF after it is fine"
        );
    }

    #[test]
    fn a_call_cut_off_by_an_error_is_never_emitted() {
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"rm\",\"arguments\":\"{\\\"path\\\":\"}}]}}]}\n\n",
            "data: {\"error\":{\"code\":502,\"message\":\"gone\"},\"choices\":[{\"delta\":{},\"finish_reason\":\"error\"}],\"usage\":{\"prompt_tokens\":3}}\n\n",
        );
        let got = run(body);
        assert!(
            matches!(
                got.as_slice(),
                [
                    Ok(Delta::Usage { .. }),
                    Err(ProviderError::Upstream { status: 502, .. })
                ]
            ),
            "usage then the error, no half call: {got:?}"
        );
    }

    #[test]
    fn a_bad_event_is_a_decode_error_with_the_raw_text() {
        let got = run("data: {not json\n\n");
        assert!(
            matches!(got.as_slice(), [Err(ProviderError::Decode { raw, .. })] if raw == "{not json"),
            "decode error keeps the raw event: {got:?}"
        );
    }
}
