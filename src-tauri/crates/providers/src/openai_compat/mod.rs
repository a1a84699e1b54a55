//! The OpenAI-compatible chat adapter: OpenAI itself, OpenRouter, and any server that speaks
//! `POST /chat/completions` (Ollama, LM Studio, vLLM, llama.cpp, LiteLLM...).
//!
//! [`request_body`] builds the wire request, [`stream_from_bytes`] and [`parse_body`] turn the
//! answer into [`Delta`](switchboard_core::Delta)s; they are public so tests and benchmarks can
//! feed recorded traffic through exactly the code the app runs.

mod annotations;
mod body;
mod models;
mod request;
mod stream;
mod wire;

use futures_util::StreamExt;
use switchboard_core::{ChatProvider, ChatRequest, DeltaStream};
use tokio::time::Instant;

pub use body::parse_body;
pub use models::{SERVED_MODELS_TIMEOUT, ServedModel, fetch_served_models, parse_served_models};
pub use request::request_body;
pub use stream::stream_from_bytes;

use crate::http::{StreamAnswer, body_stream, redacted, send_by, wrong_content_type};
use crate::sse::{sse_events_capped, with_deadlines};
use crate::{Endpoint, transport_error};

/// A chat provider that speaks OpenAI's chat completions protocol.
#[derive(Debug, Clone)]
pub struct OpenAiCompat {
    client: reqwest::Client,
    endpoint: Endpoint,
}

impl OpenAiCompat {
    /// An adapter that sends through `client` (share one per app) to `endpoint`.
    pub fn new(client: reqwest::Client, endpoint: Endpoint) -> Self {
        Self { client, endpoint }
    }
}

impl ChatProvider for OpenAiCompat {
    /// POSTs `chat/completions`. A failure before the first byte (connection, non-2xx status)
    /// is the stream's first and only item; with `stream: false` (or when the server answers
    /// with JSON rather than SSE) the body is read whole and replayed as the same deltas a
    /// stream would give. A streamed answer is held to the endpoint's
    /// [`StreamLimits`](crate::StreamLimits), and an answer that is neither SSE nor JSON (an
    /// HTML page) is a decode error naming its content type. No error carries the endpoint's
    /// key.
    fn chat(&self, request: ChatRequest) -> DeltaStream {
        let body = request_body(self.endpoint.kind, &request);
        let mut builder = self
            .endpoint
            .post(&self.client, "chat/completions")
            .json(&body);
        if request.stream {
            builder = builder.header(reqwest::header::ACCEPT, "text/event-stream");
        }
        let streaming = request.stream;
        let endpoint = self.endpoint.clone();
        let key = self.endpoint.key.clone();
        let answer = async_stream::stream! {
            let limits = endpoint.limits;
            let first_deadline = Instant::now() + limits.first_event_timeout;
            let deadline = streaming.then_some(first_deadline);
            let response = match send_by(&endpoint, builder, deadline).await {
                Ok(response) => response,
                Err(err) => {
                    yield Err(err);
                    return;
                }
            };
            // A server that answers a stream request with one JSON document (an error sent
            // with 200, or a server that ignores `stream`) is read as a body, so its error or
            // answer is not mistaken for an empty, truncated stream.
            let shape = if streaming { StreamAnswer::of(&response) } else { StreamAnswer::Json };
            match shape {
                StreamAnswer::Events => {
                    let call = endpoint.call(&reqwest::Method::POST, response.url());
                    let events = sse_events_capped(body_stream(response), limits.max_event_bytes);
                    let events = with_deadlines(events, limits, first_deadline, call);
                    let mut deltas = stream::from_events(Box::pin(events));
                    while let Some(item) = deltas.next().await {
                        yield item;
                    }
                }
                StreamAnswer::Json => match response.text().await {
                    Ok(text) => {
                        for item in body::replay(&text) {
                            yield item;
                        }
                    }
                    Err(err) => yield Err(transport_error(&err)),
                },
                StreamAnswer::Other(media) => {
                    yield Err(wrong_content_type(&endpoint, &media, response).await);
                }
            }
        };
        Box::pin(redacted(answer, key))
    }
}
