//! The client side of the wire: each dialect's request parser, answer encoders (streamed and
//! whole) and error bodies, as pure functions over Switchboard's normalized types.
//!
//! The server calls them in this order for one request:
//! 1. `parse(body)` → a [`ClientRequest`] (or a [`BadRequest`] it answers with the dialect's
//!    `bad_request`).
//! 2. For a stream: the dialect's encoder, built from a [`StreamMeta`]; `start()` once the
//!    upstream has produced its first delta (failover happens before that, so nothing has been
//!    sent yet), `on_delta` for every [`Delta`], and `finish` with a [`StreamEnd`]. Each returns
//!    the SSE payloads to write, in order.
//! 3. Without a stream: `body(&Answer)`.
//! 4. An error before any byte was sent: the dialect's `error(&ErrorInfo)` → status and body.
//!
//! Every encoder is deterministic: ids and timestamps come in through [`StreamMeta`] and
//! [`Answer`], so the same input always gives the same bytes (and snapshot tests can hold them).

use serde_json::Value;
use switchboard_core::{
    ChatRequest, Citation, ErrorCode, ErrorInfo, FinishReason, ToolCall, Usage,
};

#[cfg(doc)]
use switchboard_core::Delta;

pub mod anthropic;
pub mod models;
pub mod openai_chat;
pub mod responses;

mod estimate;
mod replay;
mod usage;
mod wire;

pub use estimate::prompt_tokens;

/// A request as one client dialect sent it, translated to Switchboard's vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRequest {
    /// The model name exactly as the client wrote it (a route name, `provider/model`, or an
    /// OpenRouter id); the router resolves it.
    pub model: String,
    /// The provider-neutral request (its `model` is the same string until routing replaces it).
    pub request: ChatRequest,
    /// Whether the client asked for a stream of events.
    pub stream: bool,
    /// Whether a streamed answer should end with a usage event. OpenAI chat sends one only
    /// when asked (`stream_options.include_usage`); Anthropic and Responses streams always
    /// carry usage, so their parsers set this to true.
    pub include_usage: bool,
}

/// A request that cannot be served as written, with the JSON path of the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct BadRequest {
    /// Where in the body: `messages[2].content`, `tools[0].type`, or `body` for the whole
    /// document. Never empty.
    pub path: String,
    /// What is wrong there and, where it helps, what to send instead.
    pub message: String,
}

impl BadRequest {
    /// A refusal of the value at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            path: if path.is_empty() { "body".into() } else { path },
            message: message.into(),
        }
    }
}

/// One server-sent event of a dialect that names its events (Anthropic, Responses): the
/// `event:` name and the `data:` JSON text.
pub type NamedEvent = (&'static str, String);

/// What a streamed answer needs to know before its first event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamMeta {
    /// The id the client sees (`chatcmpl-…`, `msg_…`, `resp_…`), made by the server.
    pub id: String,
    /// The model name to report: the one the client asked for.
    pub model: String,
    /// When the request was received, in Unix seconds.
    pub created_unix: u64,
    /// Whether to end with a usage event (see [`ClientRequest::include_usage`]).
    pub include_usage: bool,
    /// The prompt's size in tokens as estimated before sending ([`prompt_tokens`]). Anthropic's
    /// `message_start` must carry input tokens before any upstream has reported usage, so this
    /// is what it says there; the final `message_delta` corrects it.
    pub prompt_tokens_estimate: u64,
}

/// How a streamed answer ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamEnd {
    /// The final usage, with the cost the ledger recorded.
    pub usage: Usage,
    /// Why generation stopped (when the upstream said; a [`Delta::Finish`] seen during the
    /// stream is used when this is `None`).
    pub finish: Option<FinishReason>,
    /// The failure that ended the stream, if it failed after it started.
    pub error: Option<ErrorInfo>,
    /// The model that actually served, reported in the terminal event where the dialect has a
    /// place for it (the OpenAI usage chunk, the Responses final response object).
    pub served_model: Option<String>,
}

/// A whole answer, for clients that did not ask for a stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    /// The id the client sees (`chatcmpl-…`, `msg_…`, `resp_…`).
    pub id: String,
    /// The model name to report (the one the client asked for).
    pub model: String,
    /// When the request was received, in Unix seconds.
    pub created_unix: u64,
    /// The answer text.
    pub content: String,
    /// Reasoning text.
    pub reasoning: String,
    /// Structured reasoning pieces (OpenRouter's `reasoning_details`, as the upstream streamed
    /// them: fragments of one piece are joined here).
    pub reasoning_details: Vec<Value>,
    /// Whole tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Why generation stopped.
    pub finish: Option<FinishReason>,
    /// Tokens by kind and the recorded cost.
    pub usage: Usage,
    /// Web pages the answer cites.
    pub citations: Vec<Citation>,
}

/// The HTTP status for an error before the answer started, the same in every dialect.
///
/// A refused budget is 402, not 429: every official SDK (and Claude Code, and Codex) retries a
/// 429 with backoff, which would hold a person for minutes against a limit that will not lift
/// until the period ends; none retries a 402, which OpenRouter already uses for spent credits.
fn http_status(code: ErrorCode) -> u16 {
    match code {
        // The server's own configuration lacks the key; the client's request is not at fault,
        // but retrying it will not help either.
        ErrorCode::InvalidInput | ErrorCode::BadRequest | ErrorCode::NoKey => 400,
        ErrorCode::Auth
        | ErrorCode::KeyDisabled
        | ErrorCode::KeyExpired
        | ErrorCode::ManagementKeyUsed => 401,
        ErrorCode::NoCredits | ErrorCode::BudgetExceeded | ErrorCode::KeyLimitReached => 402,
        ErrorCode::Moderation | ErrorCode::GuardrailBlocked => 403,
        ErrorCode::NotFound => 404,
        ErrorCode::RateLimited => 429,
        ErrorCode::Upstream | ErrorCode::Network | ErrorCode::Decode => 502,
        ErrorCode::KeychainUnavailable => 503,
        ErrorCode::Timeout => 504,
        _ => 500,
    }
}
