//! Conformance tests for the OpenAI-compatible adapter: real recorded OpenRouter and OpenAI
//! traffic, synthesized shapes from the wire reference, the request body, and a loopback server.
// A failed unwrap in a test is a failed test with its location; that is what we want here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod loopback;
mod openai;
pub(crate) mod recorded;
pub(crate) mod request;
mod support;
pub(crate) mod synthesized;
