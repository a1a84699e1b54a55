//! A routing decision as the explain view, the CLI and the engine read it: which rule matched,
//! which targets were eligible or excluded and why, and the order they will be tried in.

use serde::{Deserialize, Serialize};

use crate::breaker::{CircuitState, human};
use crate::config::{Capability, Failover, Modality, ParamOverrides, Strategy, Target};
use crate::fixed::push_integer;
use crate::request::RouteRequest;
use crate::rules::RuleTrace;

/// The router's answer for one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Decision {
    /// The request decided on.
    pub request: RouteRequest,
    /// Every rule, in order, with its verdict.
    pub rules: Vec<RuleTrace>,
    /// The rule that decided, if one matched.
    pub rule: Option<String>,
    /// Set when a rule blocks the request: the message for the user.
    pub blocked: Option<String>,
    /// The route used; `None` when the request named a model and no rule chose a route.
    pub route: Option<String>,
    /// The request named its model and nothing rerouted it: the user's explicit choice is
    /// sent even while its circuit is open (the breaker still learns from it), as LiteLLM
    /// does for single-deployment groups.
    pub direct: bool,
    /// How the targets were ordered.
    pub strategy: Strategy,
    /// Parameters the rule sets.
    pub set: Option<ParamOverrides>,
    /// Every target of the route, in the route's order, with why it was excluded or where it
    /// ranks.
    pub candidates: Vec<Candidate>,
    /// The eligible targets in the order they will be tried; the first is the choice.
    pub order: Vec<Target>,
    /// How failures move down `order`.
    pub failover: Failover,
    /// For the OpenRouter strategy: what OpenRouter is asked to decide.
    pub delegation: Option<Delegation>,
    /// One line for a person: what was chosen and why.
    pub summary: String,
}

impl Decision {
    /// The chosen target, if any is eligible.
    pub fn chosen(&self) -> Option<&Target> {
        self.order.first()
    }

    /// When nothing is eligible only because of rate limits or concurrency, how long until
    /// something may be: the request waits instead of failing.
    pub fn soonest_wait_ms(&self) -> Option<u64> {
        self.candidates
            .iter()
            .filter_map(|c| match &c.exclusion {
                Some(Exclusion::RateLimited { wait_ms, .. }) => Some(*wait_ms),
                // Concurrency frees up when a request ends; poll at a frame-friendly pace.
                Some(Exclusion::Busy { .. }) => Some(250),
                _ => None,
            })
            .min()
    }
}

/// One target as the router weighed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Candidate {
    /// The target.
    pub target: Target,
    /// Why it cannot take this request; `None` = eligible.
    pub exclusion: Option<Exclusion>,
    /// The exclusion (or its ranking) said plainly.
    pub why: String,
    /// Its place in the order (0 = chosen), when eligible.
    pub rank: Option<u32>,
    /// Predicted cost of this request here, USD (prompt tokens × input price + expected
    /// output × output price); `None` when its prices are unknown.
    pub predicted_cost: Option<f64>,
    /// Moving average time to first token, ms.
    pub ttft_ms: Option<f64>,
    /// Moving average output tokens per second.
    pub tokens_per_second: Option<f64>,
    /// Estimated success probability.
    pub success: f64,
    /// Requests in flight.
    pub in_flight: u32,
    /// Its circuit.
    pub circuit: CircuitState,
    /// Whether the catalogue knows the model (context, capabilities, prices).
    pub known: bool,
}

/// Why a target cannot take a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exclusion {
    /// The prompt plus the output reserve does not fit its context window.
    ContextTooSmall {
        /// Tokens needed.
        needed: u64,
        /// Its window.
        window: u64,
    },
    /// It cannot do something the request needs.
    MissingCapability {
        /// What.
        capability: Capability,
    },
    /// It does not take an input the request carries.
    MissingModality {
        /// What.
        modality: Modality,
    },
    /// Its circuit is open.
    CircuitOpen {
        /// Why it opened.
        reason: String,
        /// Until the next trial, ms.
        retry_in_ms: u64,
    },
    /// A rate limit is spent.
    RateLimited {
        /// Which limit (`openrouter: 60 rpm`).
        limit: String,
        /// Until the request fits, ms.
        wait_ms: u64,
    },
    /// It has as many requests in flight as it may.
    Busy {
        /// In flight now.
        in_flight: u32,
        /// Its ceiling.
        max: u32,
    },
    /// A budget forbids it.
    OverBudget {
        /// Which budget.
        message: String,
    },
}

impl Exclusion {
    /// The exclusion said plainly.
    pub fn describe(&self) -> String {
        // Every excluded target of every decision is described: the common exclusions are
        // written piece by piece rather than through `format!`.
        match self {
            Self::ContextTooSmall { needed, window } => {
                let mut out = String::with_capacity(64);
                out.push_str("context too small: needs ~");
                push_integer(&mut out, *needed);
                out.push_str(" tokens, has ");
                push_integer(&mut out, *window);
                out
            }
            Self::MissingCapability { capability } => ["cannot do ", capability.name()].concat(),
            Self::MissingModality { modality } => {
                ["does not take ", modality.name(), " input"].concat()
            }
            Self::CircuitOpen {
                reason,
                retry_in_ms,
            } => format!(
                "circuit open ({reason}); next trial in {}",
                human(std::time::Duration::from_millis(*retry_in_ms))
            ),
            Self::RateLimited { limit, wait_ms } => format!(
                "rate limit {limit} reached; fits again in {}",
                human(std::time::Duration::from_millis(*wait_ms))
            ),
            Self::Busy { in_flight, max } => {
                format!("busy: {in_flight} of {max} requests in flight")
            }
            Self::OverBudget { message } => format!("over budget: {message}"),
        }
    }
}

/// What the OpenRouter strategy hands to OpenRouter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Delegation {
    /// `models[]`: the fallbacks after the chosen model, in order.
    pub models: Vec<String>,
    /// `provider.sort`.
    pub sort: Option<String>,
}

/// What serde writes for a unit variant; the hand-written `name`s are tested against it.
#[cfg(test)]
pub(crate) fn serde_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exclusions written piece by piece read as their `format!` did.
    #[test]
    fn exclusions_read_as_before() {
        for (needed, window) in [(0, 0), (22_000, 8_000), (u64::MAX, 128_000)] {
            assert_eq!(
                Exclusion::ContextTooSmall { needed, window }.describe(),
                format!("context too small: needs ~{needed} tokens, has {window}")
            );
        }
        for capability in [
            Capability::Tools,
            Capability::Vision,
            Capability::Json,
            Capability::Reasoning,
        ] {
            assert_eq!(
                Exclusion::MissingCapability { capability }.describe(),
                format!("cannot do {}", serde_name(&capability))
            );
        }
        for modality in [
            Modality::Text,
            Modality::Image,
            Modality::File,
            Modality::Audio,
        ] {
            assert_eq!(
                Exclusion::MissingModality { modality }.describe(),
                format!("does not take {} input", serde_name(&modality))
            );
        }
    }
}
