//! OpenAI Responses, `POST /v1/responses`: what Codex CLI speaks since it dropped Chat
//! Completions, and what newer OpenAI SDK code uses.
//!
//! Stateless only: Switchboard keeps no responses, so everything that needs a stored one
//! (`previous_response_id`, `conversation`, `item_reference` inputs, `background`, `store:
//! true`) is refused with a message saying to send the whole conversation, which is what Codex
//! does (`store: false`). Answers report `store: false`.
//!
//! Tools the upstream side lacks (namespaced and freeform tools) go upstream as functions, and
//! the model's calls of them come back in the client's shapes; hosted tools are left out (see
//! `tools`).

mod answer;
mod items;
mod request;
mod stream;
mod tools;

pub use answer::{bad_request, body, error};
pub use request::parse;
pub use stream::ResponseStream;
