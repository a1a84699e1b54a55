//! The local API with real clients: the gateway runs in-process on a free loopback port, in
//! front of an engine (real SQLite file) whose OpenRouter is the loopback fake upstream, and the
//! official OpenAI and Anthropic Python SDKs call it as any tool on the machine would.
//!
//! The SDKs live in the throwaway venv `target/sdk-venv` that `.ci/setup --test` builds from
//! `tests/sdk/requirements.txt` (pinned, hash-checked). Without it the SDK tests say they were
//! skipped, so a plain `cargo test` stays green; with `CI=true` a missing venv fails them, so CI
//! cannot pass by skipping. The script `tests/sdk/gateway_clients.py` prints what each SDK call
//! returned or raised, one JSON line per case; every expectation is here, next to what the fake
//! upstream was told to answer, together with the ledger row each request left.
//!
//! The door and bad input (oversize, malformed, wrong media type, a web page's origin, an
//! unknown model, a client that leaves mid-stream) are checked with plain HTTP from Rust.
//! Codex CLI in `exec` mode runs too when a Codex binary is installed (optional, see `codex`).

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod anthropic;
mod codex;
mod harness;
mod openai;
mod refusals;
mod safety;
mod sdk;
mod upstream;
