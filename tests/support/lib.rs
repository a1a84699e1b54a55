//! Test support shared by Switchboard's cross-crate flows, end-to-end tests and benchmarks.
//!
//! It owns the loopback fake upstream, a real HTTP server on 127.0.0.1 that answers the way
//! OpenRouter, OpenAI and Anthropic do, so tests exercise the real client code without the
//! internet (replaying recorded provider traffic and injecting faults on demand), and the
//! keychain gate that keeps key tests honest in CI.

pub mod fake_upstream;
pub mod files;
pub mod keychain;
pub mod procs;
pub mod scripted;

pub use fake_upstream::{FakeUpstream, FakeUpstreamBuilder, Recorded, Reply, Scripted};
