//! The task loop end to end against a scripted model: tools, approvals, stops, memory and
//! plans.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken script should fail loudly

mod harness;
mod memory;
mod plans;
mod stops;
mod tool_loop;
