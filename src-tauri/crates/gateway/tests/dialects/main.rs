//! The client dialects against recorded traffic: parsers on real request bodies (and their
//! round trip through the provider adapters), encoders against recorded event sequences, error
//! bodies per dialect, and fuzzed parsers.

mod anthropic;
mod fuzz;
mod models;
mod openai_chat;
mod responses;
mod responses_codex;
mod support;
