//! The crate's integration tests, in one binary so the crate and its dependencies link once:
//! each module was its own test target before and keeps its own helpers. The suites in
//! folders keep their `main.rs` (loaded by path, so their own modules resolve beside it).

#[path = "conversations/main.rs"]
mod conversations;
mod files;
#[path = "store/main.rs"]
mod store;
