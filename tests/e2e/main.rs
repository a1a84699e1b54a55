//! End-to-end: the real app binary (custom-protocol build) in the real WebKit webview, driven
//! through tauri-driver and WebKitWebDriver, with a real Secret Service and the loopback fake
//! upstream. `.ci/test` builds the app, starts the session and sets `SWITCHBOARD_E2E_APP`;
//! without it these tests say they were skipped, so a plain `cargo test` stays green.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agents;
mod budgets;
mod chat;
mod columns;
mod consent;
mod custom_models;
mod driver;
mod first_paint;
mod first_run;
mod links;
mod local_api;
mod look;
mod page;
mod routing;
mod safety;
mod settings;
mod team;
mod theme;
