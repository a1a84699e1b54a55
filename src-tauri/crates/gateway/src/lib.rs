//! The local API: client dialects, and the server that speaks them.
//!
//! Other tools on the machine (Claude Code, Codex CLI, Cursor, aider, scripts on the OpenAI and
//! Anthropic SDKs) send their LLM traffic to Switchboard so that the router, the budgets and the
//! ledger apply to it. Each tool speaks its own wire dialect; [`dialect`] translates each one into
//! Switchboard's provider-neutral [`switchboard_core::ChatRequest`] and the normalized answer
//! ([`switchboard_core::Delta`]s, [`dialect::Answer`]) back into that dialect, so any dialect
//! reaches any upstream and the ledger reads one usage shape.
//!
//! Everything in [`dialect`] is a pure function of its input: no clock, no random ids, no I/O, so
//! that every translation is tested on recorded traffic without a server.

pub mod dialect;
pub mod server;
