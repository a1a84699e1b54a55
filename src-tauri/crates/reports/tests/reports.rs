//! The crate's integration tests, in one binary so the crate and its dependencies link once:
//! each module was its own test target before and keeps its own helpers.

mod charts;
mod csv;
