//! One encoder per dialect behind one shape, and SSE framing: OpenAI chat sends bare `data:`
//! events ending in `[DONE]`; Anthropic and Responses name every event.

use bytes::Bytes;
use switchboard_core::{ChatRequest, Delta};

use crate::dialect::{StreamEnd, StreamMeta, anthropic, openai_chat, responses};

use super::handlers::Dialect;

/// The encoder of a streamed answer in its client's dialect.
pub(crate) enum Encoder {
    Chat(openai_chat::ChatStream),
    Messages(anthropic::MessageStream),
    Responses(Box<responses::ResponseStream>),
}

impl Encoder {
    pub(crate) fn new(dialect: Dialect, meta: StreamMeta, request: &ChatRequest) -> Self {
        match dialect {
            Dialect::OpenAiChat => Self::Chat(openai_chat::ChatStream::new(meta)),
            Dialect::Anthropic => Self::Messages(anthropic::MessageStream::new(meta)),
            Dialect::Responses => {
                Self::Responses(Box::new(responses::ResponseStream::new(meta, request)))
            }
        }
    }

    /// The opening events.
    pub(crate) fn start(&mut self) -> Vec<Bytes> {
        match self {
            Self::Chat(e) => data(e.start()),
            Self::Messages(e) => named(e.start()),
            Self::Responses(e) => named(e.start()),
        }
    }

    /// The events of one delta.
    pub(crate) fn delta(&mut self, d: &Delta) -> Vec<Bytes> {
        match self {
            Self::Chat(e) => data(e.on_delta(d)),
            Self::Messages(e) => named(e.on_delta(d)),
            Self::Responses(e) => named(e.on_delta(d)),
        }
    }

    /// The closing events, then the end of the stream.
    pub(crate) fn finish(self, end: &StreamEnd) -> Vec<Bytes> {
        match self {
            Self::Chat(e) => {
                let mut out = data(e.finish(end));
                out.push(Bytes::from_static(b"data: [DONE]\n\n"));
                out
            }
            Self::Messages(e) => named(e.finish(end)),
            Self::Responses(e) => named(e.finish(end)),
        }
    }
}

fn data(events: Vec<String>) -> Vec<Bytes> {
    events
        .into_iter()
        .map(|json| Bytes::from(format!("data: {json}\n\n")))
        .collect()
}

fn named(events: Vec<(&'static str, String)>) -> Vec<Bytes> {
    events
        .into_iter()
        .map(|(event, json)| Bytes::from(format!("event: {event}\ndata: {json}\n\n")))
        .collect()
}
