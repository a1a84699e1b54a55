//! OpenAI Chat Completions, `POST /v1/chat/completions`: what Cursor, Continue, aider, Zed and
//! scripts on the OpenAI SDKs speak.
//!
//! Answers follow OpenAI's shapes exactly, with two additions OpenRouter clients already know
//! and OpenAI's SDKs ignore: `delta.reasoning` / `message.reasoning` (plus `reasoning_details`
//! for replay) and a `cost` in `usage`.

mod answer;
mod request;
mod stream;

pub use answer::{bad_request, body, error};
pub use request::parse;
pub use stream::ChatStream;
