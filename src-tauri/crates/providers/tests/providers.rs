//! The crate's integration tests, in one binary so the crate and its dependencies link once:
//! each module was its own test target before and keeps its own fixtures and helpers.

mod anthropic;
mod faults;
mod openai_compat;
mod openrouter_api;
mod scenarios;
mod sse_props;
