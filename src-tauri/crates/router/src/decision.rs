//! A routing decision as the explain view, the CLI and the engine read it: which rule matched,
//! which targets were eligible or excluded and why, and the order they will be tried in.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};
use switchboard_core::SamplingParams;

use crate::breaker::{CircuitState, human};
use crate::config::{Capability, Failover, Modality, Strategy, Target};
use crate::fixed::push_integer;
use crate::request::RouteRequest;
use crate::rules::RuleTrace;
use crate::text::Text;
use crate::why::Why;

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
    pub set: Option<SamplingParams>,
    /// Every target of the route, in the route's order, with why it was excluded or where it
    /// ranks.
    pub candidates: Vec<Candidate>,
    /// The eligible targets in the order they will be tried; the first is the choice.
    /// Shared with the candidates and the compiled route: a decision copies no target.
    pub order: Vec<Arc<Target>>,
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
        self.order.first().map(|t| &**t)
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
    /// The target, shared with the compiled route.
    pub target: Arc<Target>,
    /// Why it cannot take this request; `None` = eligible.
    pub exclusion: Option<Exclusion>,
    /// The exclusion (or its ranking) said plainly.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub why: Why,
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
        let mut out = String::new();
        self.describe_into(&mut out);
        out
    }

    /// [`Exclusion::describe`] as a candidate's `why`: the reasons that quote nothing but a
    /// capability or a modality are shared, the others written in `buf` and copied once.
    pub(crate) fn why(&self, buf: &mut String) -> Text {
        match self {
            Self::MissingCapability { capability } => cannot(*capability),
            Self::MissingModality { modality } => does_not_take(*modality),
            _ => {
                buf.clear();
                self.describe_into(buf);
                Text::from(buf.as_str())
            }
        }
    }

    fn describe_into(&self, out: &mut String) {
        // Every excluded target of every decision is described: the common exclusions are
        // written piece by piece rather than through `format!`.
        match self {
            Self::ContextTooSmall { needed, window } => {
                out.push_str("context too small: needs ~");
                push_integer(out, *needed);
                out.push_str(" tokens, has ");
                push_integer(out, *window);
            }
            Self::MissingCapability { capability } => {
                out.push_str("cannot do ");
                out.push_str(capability.name());
            }
            Self::MissingModality { modality } => {
                out.push_str("does not take ");
                out.push_str(modality.name());
                out.push_str(" input");
            }
            Self::CircuitOpen {
                reason,
                retry_in_ms,
            } => {
                let _ = write!(
                    out,
                    "circuit open ({reason}); next trial in {}",
                    human(std::time::Duration::from_millis(*retry_in_ms))
                );
            }
            Self::RateLimited { limit, wait_ms } => {
                let _ = write!(
                    out,
                    "rate limit {limit} reached; fits again in {}",
                    human(std::time::Duration::from_millis(*wait_ms))
                );
            }
            Self::Busy { in_flight, max } => {
                out.push_str("busy: ");
                push_integer(out, u64::from(*in_flight));
                out.push_str(" of ");
                push_integer(out, u64::from(*max));
                out.push_str(" requests in flight");
            }
            Self::OverBudget { message } => {
                out.push_str("over budget: ");
                out.push_str(message);
            }
        }
    }
}

/// "cannot do tools", shared: made once per capability.
fn cannot(capability: Capability) -> Text {
    static TEXTS: LazyLock<[Text; 4]> = LazyLock::new(|| {
        CAPABILITIES.map(|c| {
            Exclusion::MissingCapability { capability: c }
                .describe()
                .into()
        })
    });
    TEXTS[capability as usize].clone()
}

/// "does not take audio input", shared: made once per modality.
fn does_not_take(modality: Modality) -> Text {
    static TEXTS: LazyLock<[Text; 4]> = LazyLock::new(|| {
        MODALITIES.map(|m| Exclusion::MissingModality { modality: m }.describe().into())
    });
    TEXTS[modality as usize].clone()
}

/// Every capability and modality in declaration order, so that `as usize` indexes them.
const CAPABILITIES: [Capability; 4] = [
    Capability::Tools,
    Capability::Vision,
    Capability::Json,
    Capability::Reasoning,
];
const MODALITIES: [Modality; 4] = [
    Modality::Text,
    Modality::Image,
    Modality::File,
    Modality::Audio,
];

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

    /// The shared reasons are the ones written for their own capability or modality, and the
    /// others read as `describe` does.
    #[test]
    fn a_candidates_why_is_its_exclusion_described() {
        let mut buf = String::new();
        for capability in CAPABILITIES {
            let e = Exclusion::MissingCapability { capability };
            assert_eq!(e.why(&mut buf), e.describe());
        }
        for modality in MODALITIES {
            let e = Exclusion::MissingModality { modality };
            assert_eq!(e.why(&mut buf), e.describe());
        }
        for e in [
            Exclusion::Busy {
                in_flight: 3,
                max: 2,
            },
            Exclusion::OverBudget {
                message: "daily cap".into(),
            },
            Exclusion::RateLimited {
                limit: "openrouter: 60 requests/min".into(),
                wait_ms: 1_500,
            },
        ] {
            assert_eq!(e.why(&mut buf), e.describe());
        }
        assert_eq!(
            Exclusion::Busy {
                in_flight: 3,
                max: 2
            }
            .describe(),
            format!("busy: {} of {} requests in flight", 3, 2)
        );
    }

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
