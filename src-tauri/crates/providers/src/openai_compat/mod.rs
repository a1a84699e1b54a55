//! The OpenAI-compatible chat adapter: OpenAI itself, OpenRouter, and any server that speaks
//! `POST /chat/completions` (Ollama, LM Studio, vLLM, llama.cpp, LiteLLM...).
//!
//! [`request_body`] builds the wire request, [`stream_from_bytes`] and [`parse_body`] turn the
//! answer into [`Delta`](switchboard_core::Delta)s; they are public so tests and benchmarks can
//! feed recorded traffic through exactly the code the app runs.

mod body;
mod request;
mod stream;
mod wire;

use futures_util::StreamExt;
use switchboard_core::{ChatProvider, ChatRequest, DeltaStream};

pub use body::parse_body;
pub use request::request_body;
pub use stream::stream_from_bytes;

use crate::http::{body_stream, send};
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
    /// stream would give.
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
        Box::pin(async_stream::stream! {
            let response = match send(builder).await {
                Ok(response) => response,
                Err(err) => {
                    yield Err(err);
                    return;
                }
            };
            // A server that answers a stream request with one JSON document (an error sent
            // with 200, or a server that ignores `stream`) is read as a body, so its error or
            // answer is not mistaken for an empty, truncated stream.
            let json = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim_start().starts_with("application/json"));
            if streaming && !json {
                let mut deltas = stream_from_bytes(body_stream(response));
                while let Some(item) = deltas.next().await {
                    yield item;
                }
            } else {
                match response.text().await {
                    Ok(text) => {
                        for item in body::replay(&text) {
                            yield item;
                        }
                    }
                    Err(err) => yield Err(transport_error(&err)),
                }
            }
        })
    }
}
