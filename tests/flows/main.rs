//! Cross-crate flows: the engine with a real SQLite file, the real OS keychain (Secret Service
//! under `.ci/test`) and the loopback fake upstream.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agents;
mod budgets;
mod chat;
mod clients;
mod conversations;
mod custom_models;
mod faults;
mod keys;
mod mcp;
mod model_names;
mod models;
mod openrouter_routing;
mod paths;
mod providers;
mod routing;
mod safety;
mod sign_in;
mod team;
mod votes;
