//! The crate's integration tests, in one binary so the crate and its dependencies link once:
//! each module was its own test target before; they share the `harness` module.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent;
mod api_keys;
mod binary;
mod commands;
mod custom_models;
mod harness;
mod processes;
mod roundtrip;
mod safety;
// Signals and a listening child process: Unix only.
#[cfg(unix)]
mod serve;
