//! Conformance tests for the OpenAI-compatible adapter: real recorded OpenRouter and OpenAI
//! traffic, synthesized shapes from the wire reference, the request body, and a loopback server.
// A failed unwrap in a test is a failed test with its location; that is what we want here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod loopback;
mod openai;
mod recorded;
mod request;
mod support;
mod synthesized;
