//! Switchboard's router: where each request goes, and what happens when that fails.
//!
//! It owns the routing model as data (routes of targets, rules that choose them, breaker and
//! rate-limit settings, their TOML file form and validation), the decision for one request
//! (rule matching, eligibility with reasons, the eight strategies, the explain trace), the
//! failover policy, and what is learned per target (circuits, load, rate-limit use, moving
//! averages and rolling metrics).
//!
//! It does no I/O and knows no HTTP: the engine sends requests and reports how they ended.
//! That keeps every decision testable with a clock and a seed, and cheap enough to run on each
//! request (see `benches/decide.rs`).

mod breaker;
mod config;
mod decision;
mod failover;
mod file;
mod fixed;
mod glob;
mod learning;
mod limits;
mod request;
mod router;
mod rules;
mod select;
mod smart;
mod stats;
mod text;
mod validate;
mod why;

pub use breaker::{CircuitState, CircuitView};
pub use config::bounds;
pub use config::{
    Action, BreakerSettings, Capability, Conditions, Failover, FailoverMode, HealthSettings,
    Modality, RateLimit, Route, RouterConfig, Rule, Strategy, Target,
};
pub use decision::{Candidate, Decision, Delegation, Exclusion};
pub use failover::{Attempt, AttemptOutcome, FailoverPlan, FailureClass, Step};
pub use file::{from_toml, is_blank, to_toml};
pub use learning::{LearnedModel, TaskLearning, summarize_now};
pub use request::{Catalogue, ModelFacts, RouteRequest};
pub use router::{
    Context, Ending, Hold, LimitUse, RouteError, Router, RoutingHealth, TargetHealth, Ticket,
};
pub use rules::{RuleTrace, Verdict};
pub use smart::{Arm, Evidence, GENERAL, Learned, Scored, Signal, choose, expected_quality};
pub use stats::{Metrics, Sample};
pub use text::Text;
pub use validate::{ConfigError, Location, NameError, check_name, is_unsafe_char, validate};
pub use why::Why;
