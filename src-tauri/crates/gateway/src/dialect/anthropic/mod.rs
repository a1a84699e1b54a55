//! Anthropic Messages, `POST /v1/messages` and `POST /v1/messages/count_tokens`: what Claude
//! Code and scripts on the Anthropic SDKs speak.
//!
//! Headers are the server's concern, but two matter to it: `anthropic-version` (always
//! `2023-06-01`; its presence also tells `/v1/models` to answer in Anthropic's shape) and
//! `anthropic-beta`. Of the betas Claude Code sends, none changes what this dialect accepts or
//! returns except as noted: `interleaved-thinking-*` (thinking blocks between tool calls, which
//! the encoder already emits in order), `fine-grained-tool-streaming-*` (tool input arrives in
//! one `input_json_delta` here, which is valid under it), `context-management-*` (the
//! `context_management` field is accepted and ignored: the full history is sent upstream),
//! `prompt-caching-*`/`extended-cache-ttl-*` (`cache_control` is accepted and ignored; caching
//! is the upstream's), `token-counting-*` (`count_tokens` is served), and `oauth-*` (an auth
//! mode the server refuses in favour of Switchboard's own keys). The server must not forward
//! any of them to a non-Anthropic upstream.

mod answer;
mod blocks;
mod request;
mod stream;

pub use answer::{bad_request, body, count_tokens, count_tokens_body, error};
pub use request::{parse, parse_count_tokens};
pub use stream::MessageStream;
