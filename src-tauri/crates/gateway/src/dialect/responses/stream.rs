//! The streamed answer as the Responses API's typed events.

use serde_json::{Map, Value, json};
use switchboard_core::{ChatRequest, Citation, ClientTool, Delta, FinishReason, ToolCall};

use super::answer::{Snapshot, echo, response_object};
use super::tools::{CallShape, call_shape};
use crate::dialect::replay::{AS_RESPONSES, Piece, piece};
use crate::dialect::{NamedEvent, StreamEnd, StreamMeta};

/// Encodes one streamed answer as Responses events, each an `event:` name (equal to the data's
/// `type`) and its JSON, every one with a `sequence_number` from 0.
///
/// The sequence is OpenAI's: `response.created` and `response.in_progress`; per output item
/// `response.output_item.added` … `response.output_item.done`, with the text of a message as
/// `response.content_part.added`, `response.output_text.delta`s, `response.output_text.done`
/// and `response.content_part.done`; reasoning as a `reasoning` item whose text streams as
/// `response.reasoning_summary_part.added` / `response.reasoning_summary_text.delta` / `.done`
/// / `response.reasoning_summary_part.done`; a function call as a `function_call` item (with its
/// `namespace` when the tool had one) with one `response.function_call_arguments.delta` and
/// `.done`; a call of a freeform tool as a `custom_tool_call` item with one
/// `response.custom_tool_call_input.delta` and `.done`; and last `response.completed` with the
/// whole response and its usage (`response.incomplete` when the token limit or a content filter
/// cut the answer, `response.failed` with an `error` when it failed).
///
/// Item ids are derived from the response id (`msg_…`, `rs_…`, `fc_…`, `ctc_…` plus the output
/// index), so they are stable without a random source. Reasoning that must be replayed
/// (encrypted or signed) rides in the item's `encrypted_content`; see `replay`.
#[derive(Debug)]
pub struct ResponseStream {
    meta: StreamMeta,
    echo: Map<String, Value>,
    /// The request's tools that go back to the client in other names or shapes.
    client_tools: Vec<ClientTool>,
    sequence: u64,
    started: bool,
    output: Vec<Value>,
    open: Option<OpenItem>,
    finish: Option<FinishReason>,
}

#[derive(Debug)]
enum OpenItem {
    Message {
        id: String,
        text: String,
        citations: Vec<Citation>,
    },
    Reasoning {
        id: String,
        summary: Option<String>,
        opaque: Option<String>,
    },
}

impl ResponseStream {
    /// An encoder for the answer described by `meta` to `request` (whose settings every
    /// response object repeats, as OpenAI's do).
    pub fn new(meta: StreamMeta, request: &ChatRequest) -> Self {
        Self {
            meta,
            echo: echo(request),
            client_tools: request.client_tools.clone(),
            sequence: 0,
            started: false,
            output: Vec::new(),
            open: None,
            finish: None,
        }
    }

    /// `response.created` and `response.in_progress`, once; empty after the first call.
    /// `on_delta` and `finish` call it themselves.
    pub fn start(&mut self) -> Vec<NamedEvent> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        let response = self.snapshot("in_progress", None, None, None);
        vec![
            self.event("response.created", json!({ "response": response })),
            self.event("response.in_progress", json!({ "response": response })),
        ]
    }

    /// The events for one delta (none for usage and metadata, which the end carries).
    pub fn on_delta(&mut self, delta: &Delta) -> Vec<NamedEvent> {
        let mut out = self.start();
        match delta {
            Delta::Text { text } if !text.is_empty() => self.text(text, &mut out),
            Delta::Reasoning { text } if !text.is_empty() => self.reasoning(text, &mut out),
            Delta::ReasoningDetails { details } => {
                for detail in details {
                    if let Some(piece) = piece(AS_RESPONSES, detail) {
                        self.sealed(piece, &mut out);
                    }
                }
            }
            Delta::ToolCall { call } => self.function_call(call, &mut out),
            Delta::Citations { citations } => {
                if let Some(OpenItem::Message { citations: all, .. }) = &mut self.open {
                    all.extend(citations.iter().cloned());
                }
            }
            Delta::Finish { reason } => {
                self.finish.get_or_insert_with(|| reason.clone());
            }
            _ => {}
        }
        out
    }

    /// The closing events: the open item's end, then `response.completed` (or
    /// `response.incomplete`, or `response.failed`).
    pub fn finish(self, end: &StreamEnd) -> Vec<NamedEvent> {
        self.into_parts(end).0
    }

    /// The closing events and the final response object.
    pub(super) fn into_parts(mut self, end: &StreamEnd) -> (Vec<NamedEvent>, Value) {
        let mut out = self.start();
        self.close(&mut out);
        let finish = end.finish.clone().or(self.finish.take());
        let (kind, status, incomplete) = match (&end.error, &finish) {
            (Some(_), _) => ("response.failed", "failed", None),
            (None, Some(FinishReason::Length)) => (
                "response.incomplete",
                "incomplete",
                Some("max_output_tokens"),
            ),
            (None, Some(FinishReason::ContentFilter)) => {
                ("response.incomplete", "incomplete", Some("content_filter"))
            }
            _ => ("response.completed", "completed", None),
        };
        let model = end
            .served_model
            .clone()
            .unwrap_or_else(|| self.meta.model.clone());
        let response = response_object(
            &Snapshot {
                meta: &self.meta,
                model: &model,
                status,
                output: &self.output,
                usage: Some(&end.usage),
                error: end.error.as_ref(),
                incomplete,
            },
            &self.echo,
        );
        out.push(self.event(kind, json!({ "response": response })));
        (out, response)
    }

    fn text(&mut self, text: &str, out: &mut Vec<NamedEvent>) {
        if !matches!(self.open, Some(OpenItem::Message { .. })) {
            self.close(out);
            let index = self.output.len();
            let id = self.item_id("msg", index);
            let item = json!({"id": id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"});
            out.push(self.event(
                "response.output_item.added",
                json!({"output_index": index, "item": item}),
            ));
            out.push(self.event(
                "response.content_part.added",
                json!({"item_id": id, "output_index": index, "content_index": 0, "part": output_text("", &[])}),
            ));
            self.open = Some(OpenItem::Message {
                id,
                text: String::new(),
                citations: Vec::new(),
            });
        }
        let index = self.output.len();
        if let Some(OpenItem::Message { id, text: all, .. }) = &mut self.open {
            all.push_str(text);
            let data = json!({"item_id": id, "output_index": index, "content_index": 0, "delta": text, "logprobs": []});
            out.push(self.event("response.output_text.delta", data));
        }
    }

    fn reasoning(&mut self, text: &str, out: &mut Vec<NamedEvent>) {
        let open_summary = matches!(
            &self.open,
            Some(OpenItem::Reasoning {
                summary: Some(_),
                opaque: None,
                ..
            })
        );
        if !open_summary {
            self.open_reasoning(out);
        }
        let index = self.output.len();
        let Some(OpenItem::Reasoning { id, summary, .. }) = &mut self.open else {
            return;
        };
        let id = id.clone();
        if summary.is_none() {
            *summary = Some(String::new());
            let part = json!({"item_id": id, "output_index": index, "summary_index": 0, "part": {"type": "summary_text", "text": ""}});
            out.push(self.event("response.reasoning_summary_part.added", part));
        }
        if let Some(OpenItem::Reasoning {
            summary: Some(all), ..
        }) = &mut self.open
        {
            all.push_str(text);
        }
        let data = json!({"item_id": id, "output_index": index, "summary_index": 0, "delta": text});
        out.push(self.event("response.reasoning_summary_text.delta", data));
    }

    /// A replayable piece: it seals the open reasoning item, or comes as an item of its own.
    fn sealed(&mut self, piece: Piece, out: &mut Vec<NamedEvent>) {
        let (Piece::Signed { opaque, .. } | Piece::Sealed { opaque }) = piece;
        if !matches!(&self.open, Some(OpenItem::Reasoning { opaque: None, .. })) {
            self.open_reasoning(out);
        }
        if let Some(OpenItem::Reasoning { opaque: slot, .. }) = &mut self.open {
            *slot = Some(opaque);
        }
    }

    fn open_reasoning(&mut self, out: &mut Vec<NamedEvent>) {
        self.close(out);
        let index = self.output.len();
        let id = self.item_id("rs", index);
        let item = json!({"id": id, "type": "reasoning", "summary": []});
        out.push(self.event(
            "response.output_item.added",
            json!({"output_index": index, "item": item}),
        ));
        self.open = Some(OpenItem::Reasoning {
            id,
            summary: None,
            opaque: None,
        });
    }

    fn function_call(&mut self, call: &ToolCall, out: &mut Vec<NamedEvent>) {
        self.close(out);
        let index = self.output.len();
        let (name, namespace, input) = match call_shape(call, &self.client_tools) {
            CallShape::Function { name, namespace } => (name, namespace, None),
            CallShape::Custom {
                name,
                namespace,
                input,
            } => (name, namespace, Some(input)),
        };
        let (kind, prefix, field) = match input {
            None => ("function_call", "fc", "arguments"),
            Some(_) => ("custom_tool_call", "ctc", "input"),
        };
        let id = self.item_id(prefix, index);
        let mut item = json!({
            "id": id, "type": kind, "status": "in_progress",
            field: "", "call_id": call.id, "name": name,
        });
        if let Some(namespace) = namespace {
            item["namespace"] = json!(namespace);
        }
        out.push(self.event(
            "response.output_item.added",
            json!({"output_index": index, "item": item}),
        ));
        let text = match input {
            None => {
                out.push(self.event(
                    "response.function_call_arguments.delta",
                    json!({"item_id": id, "output_index": index, "delta": call.arguments}),
                ));
                out.push(self.event(
                    "response.function_call_arguments.done",
                    json!({"item_id": id, "output_index": index, "arguments": call.arguments, "name": name}),
                ));
                call.arguments.clone()
            }
            Some(input) => {
                out.push(self.event(
                    "response.custom_tool_call_input.delta",
                    json!({"item_id": id, "output_index": index, "delta": input}),
                ));
                out.push(self.event(
                    "response.custom_tool_call_input.done",
                    json!({"item_id": id, "output_index": index, "input": input}),
                ));
                input
            }
        };
        item["status"] = json!("completed");
        item[field] = json!(text);
        self.done(index, item, out);
    }

    fn close(&mut self, out: &mut Vec<NamedEvent>) {
        let index = self.output.len();
        match self.open.take() {
            Some(OpenItem::Message {
                id,
                text,
                citations,
            }) => {
                let annotations: Vec<Value> = citations
                    .iter()
                    .map(|c| json!({"type": "url_citation", "url": c.url, "title": c.title.clone().unwrap_or_default(), "start_index": 0, "end_index": text.chars().count()}))
                    .collect();
                let part = output_text(&text, &annotations);
                out.push(self.event(
                    "response.output_text.done",
                    json!({"item_id": id, "output_index": index, "content_index": 0, "text": text, "logprobs": []}),
                ));
                out.push(self.event(
                    "response.content_part.done",
                    json!({"item_id": id, "output_index": index, "content_index": 0, "part": part}),
                ));
                let item = json!({"id": id, "type": "message", "status": "completed", "content": [part], "role": "assistant"});
                self.done(index, item, out);
            }
            Some(OpenItem::Reasoning {
                id,
                summary,
                opaque,
            }) => {
                let mut parts = Vec::new();
                if let Some(text) = summary {
                    let part = json!({"type": "summary_text", "text": text});
                    out.push(self.event(
                        "response.reasoning_summary_text.done",
                        json!({"item_id": id, "output_index": index, "summary_index": 0, "text": text}),
                    ));
                    out.push(self.event(
                        "response.reasoning_summary_part.done",
                        json!({"item_id": id, "output_index": index, "summary_index": 0, "part": part}),
                    ));
                    parts.push(part);
                }
                let mut item = json!({"id": id, "type": "reasoning", "summary": parts});
                if let Some(opaque) = opaque {
                    item["encrypted_content"] = json!(opaque);
                }
                self.done(index, item, out);
            }
            None => {}
        }
    }

    fn done(&mut self, index: usize, item: Value, out: &mut Vec<NamedEvent>) {
        out.push(self.event(
            "response.output_item.done",
            json!({"output_index": index, "item": item}),
        ));
        self.output.push(item);
    }

    fn snapshot(
        &self,
        status: &'static str,
        usage: Option<&switchboard_core::Usage>,
        error: Option<&switchboard_core::ErrorInfo>,
        incomplete: Option<&'static str>,
    ) -> Value {
        response_object(
            &Snapshot {
                meta: &self.meta,
                model: &self.meta.model,
                status,
                output: &self.output,
                usage,
                error,
                incomplete,
            },
            &self.echo,
        )
    }

    fn item_id(&self, prefix: &str, index: usize) -> String {
        let base = self.meta.id.strip_prefix("resp_").unwrap_or(&self.meta.id);
        format!("{prefix}_{base}_{index}")
    }

    fn event(&mut self, kind: &'static str, data: Value) -> NamedEvent {
        let mut map = match data {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        map.insert("type".into(), json!(kind));
        map.insert("sequence_number".into(), json!(self.sequence));
        self.sequence += 1;
        (kind, Value::Object(map).to_string())
    }
}

fn output_text(text: &str, annotations: &[Value]) -> Value {
    json!({"type": "output_text", "annotations": annotations, "logprobs": [], "text": text})
}
