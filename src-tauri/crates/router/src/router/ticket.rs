//! A request in flight: what it holds (a place in the concurrency count, rate-limit
//! reservations, perhaps the circuit's trial) and how its ending is learned from.

use std::sync::{Arc, PoisonError};
use std::time::Instant;

use super::{LimitKey, Shared, TargetKey};
use crate::failover::FailureClass;
use crate::stats::Sample;

/// A request in flight at a target. Report how it ended with [`Ticket::finish`]; dropped
/// unfinished (the caller stopped it), it only frees its place.
#[derive(Debug)]
pub struct Ticket {
    pub(super) shared: Arc<Shared>,
    pub(super) key: TargetKey,
    pub(super) id: u64,
    pub(super) reserved: Vec<LimitKey>,
    pub(super) trial: bool,
    pub(super) done: bool,
}

/// How a request ended, for the router to learn from.
#[derive(Debug, Clone)]
pub enum Ending {
    /// It succeeded.
    Ok(Sample),
    /// It failed.
    Failed {
        /// What kind of failure.
        class: FailureClass,
        /// The error, for the circuit's reason.
        message: String,
        /// Its figures (what arrived).
        sample: Sample,
    },
}

impl Ticket {
    /// Whether this request is its circuit's half-open trial.
    pub fn is_trial(&self) -> bool {
        self.trial
    }

    /// Records how the request ended; `tokens` is what the provider reported, replacing the
    /// estimate in the token limits.
    pub fn finish(mut self, ending: Ending, tokens: Option<u64>, now: Instant) {
        self.done = true;
        let settings = {
            let compiled = self
                .shared
                .compiled
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            compiled.config.breaker
        };
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(tokens) = tokens {
            for scope in &self.reserved {
                if let Some(w) = state.limits.get_mut(scope) {
                    w.settle(self.id, tokens);
                }
            }
        }
        let entry = state.targets.entry(self.key.clone()).or_default();
        entry.in_flight = entry.in_flight.saturating_sub(1);
        match ending {
            Ending::Ok(sample) => {
                entry.stats.record(&sample);
                entry.breaker.succeeded(&settings);
            }
            Ending::Failed {
                class,
                message,
                sample,
            } => {
                // A rate limit says nothing of the target's speed or success: the request
                // was never answered, so its figures stay out of the target's.
                if !matches!(class, FailureClass::RateLimited { .. }) {
                    entry.stats.record(&Sample {
                        ok: false,
                        ..sample
                    });
                }
                match class.trip(&message) {
                    Some(trip) => entry.breaker.failed(trip, &settings, now),
                    // The request was at fault, not the target: a trial that ends this way
                    // proves nothing, so the next request gets to try.
                    None => entry.breaker.abandon(),
                }
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = state.targets.get_mut(&self.key) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
            if self.trial {
                entry.breaker.abandon();
            }
        }
    }
}
