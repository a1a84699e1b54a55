//! The native Anthropic Messages API adapter (`POST /v1/messages`).
//!
//! [`request_body`] translates the provider-neutral request; [`stream_from_bytes`] and
//! [`parse_body`] normalize the streamed and one-shot answers into the same deltas, so the engine
//! sees one shape whichever way the answer came. Thinking blocks come out as `ReasoningDetails`
//! in OpenRouter's `reasoning.text` / `reasoning.encrypted` shape (format `anthropic-claude-v1`),
//! which `request_body` sends back as signed thinking blocks in later turns.

mod request;
mod stream;
mod wire;

use futures_util::StreamExt;
use switchboard_core::{ChatProvider, ChatRequest, Delta, DeltaStream};
use tokio::time::Instant;

use crate::http::{StreamAnswer, body_stream, redacted, send_by, wrong_content_type};
use crate::sse::{sse_events_capped, with_deadlines};
use crate::{Endpoint, transport_error};

pub use request::request_body;
pub use stream::{parse_body, stream_from_bytes};

/// A client for one Anthropic endpoint (the official API or anything speaking its protocol).
#[derive(Debug, Clone)]
pub struct Anthropic {
    client: reqwest::Client,
    endpoint: Endpoint,
}

impl Anthropic {
    /// An adapter sending through `client` to `endpoint`, whose base URL already includes `/v1`.
    pub fn new(client: reqwest::Client, endpoint: Endpoint) -> Self {
        Self { client, endpoint }
    }
}

impl ChatProvider for Anthropic {
    /// POSTs `messages`. A request that cannot be translated, and any failure before the first
    /// byte (including 529 `overloaded_error`), is the stream's first and only item.
    ///
    /// Anthropic cannot be told to hide its thinking, so with `reasoning.exclude` the reasoning
    /// text deltas are dropped here; the `ReasoningDetails` stay, because later turns of a tool
    /// loop must replay them.
    fn chat(&self, request: ChatRequest) -> DeltaStream {
        let client = self.client.clone();
        let endpoint = self.endpoint.clone();
        let key = self.endpoint.key.clone();
        let exclude = request.reasoning.as_ref().is_some_and(|r| r.exclude);
        let answer = async_stream::stream! {
            let body = match request_body(&request) {
                Ok(body) => body,
                Err(err) => {
                    yield Err(err);
                    return;
                }
            };
            let limits = endpoint.limits;
            let first_deadline = Instant::now() + limits.first_event_timeout;
            let deadline = request.stream.then_some(first_deadline);
            let builder = endpoint.post(&client, "messages").json(&body);
            let response = match send_by(&endpoint, builder, deadline).await {
                Ok(response) => response,
                Err(err) => {
                    yield Err(err);
                    return;
                }
            };
            // As for OpenAI-compatible servers: a JSON document answering a stream request
            // (an error sent with 200) is read as a body, anything else that is not SSE fails.
            let shape = if request.stream { StreamAnswer::of(&response) } else { StreamAnswer::Json };
            match shape {
                StreamAnswer::Events => {
                    let call = endpoint.call(&reqwest::Method::POST, response.url());
                    let events = sse_events_capped(body_stream(response), limits.max_event_bytes);
                    let events = with_deadlines(events, limits, first_deadline, call);
                    let mut deltas = stream::from_events(events);
                    while let Some(item) = deltas.next().await {
                        yield item;
                    }
                }
                StreamAnswer::Json => {
                    let parsed = match response.text().await {
                        Ok(text) => parse_body(&text),
                        Err(err) => Err(transport_error(&err)),
                    };
                    match parsed {
                        Ok(deltas) => {
                            for delta in deltas {
                                yield Ok(delta);
                            }
                        }
                        Err(err) => yield Err(err),
                    }
                }
                StreamAnswer::Other(media) => {
                    yield Err(wrong_content_type(&endpoint, &media, response).await);
                }
            }
        };
        let answer = redacted(answer, key);
        Box::pin(answer.filter(move |item| {
            let keep = !(exclude && matches!(item, Ok(Delta::Reasoning { .. })));
            std::future::ready(keep)
        }))
    }
}
