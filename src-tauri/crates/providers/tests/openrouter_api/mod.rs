//! Integration tests for OpenRouter's catalogue and account endpoints, price semantics, cost
//! estimation and the bundled direct-use price table, against recorded and synthesized bodies
//! (tests/fixtures/catalogue/, with READMEs naming their sources) and a local HTTP server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing unwrap is a failing test, with its location"
)]

mod catalogue;
mod cost;
mod http;
mod price_table;

use switchboard_core::Usd;

/// Where the catalogue fixtures live, from this crate.
const CATALOGUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../tests/fixtures/catalogue/"
);

/// A catalogue fixture's text (`name` relative to tests/fixtures/catalogue/).
fn catalogue_fixture(name: &str) -> String {
    let path = format!("{CATALOGUE}{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The recorded 2025 catalogue (cline, 320 models).
fn catalogue_2025() -> String {
    catalogue_fixture("cline_2025-05-12_models.decoded.json")
}

/// The synthesized 2026 catalogue.
fn catalogue_2026() -> String {
    catalogue_fixture("synthesized/models_2026.json")
}

/// An exact amount from its decimal text.
fn usd(text: &str) -> Usd {
    Usd::parse(text).unwrap_or_else(|e| panic!("{e}"))
}
