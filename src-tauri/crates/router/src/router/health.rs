//! What the Routing screen shows of each target and limit, and what is learned outside of a
//! request: history from the ledger and health checks.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use switchboard_core::ProviderId;

use super::{Router, TargetKey, TargetState};
use crate::breaker::CircuitView;
use crate::smart::{Learned, Signal};
use crate::stats::{Metrics, Sample};

/// One target's health as the Routing screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TargetHealth {
    /// Provider.
    pub provider: ProviderId,
    /// Model.
    pub model: String,
    /// The routes it belongs to.
    pub routes: Vec<String>,
    /// Its circuit.
    pub circuit: CircuitView,
    /// Its figures.
    pub metrics: Metrics,
    /// Requests in flight now.
    pub in_flight: u32,
}

/// A rate limit and how much of it the last minute used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LimitUse {
    /// Provider.
    pub provider: ProviderId,
    /// Key label, for a per-key limit.
    pub key: Option<String>,
    /// Requests per minute allowed.
    pub rpm: Option<u32>,
    /// Tokens per minute allowed.
    pub tpm: Option<u32>,
    /// Requests in the last minute.
    pub requests: u32,
    /// Tokens in the last minute.
    pub tokens: u64,
}

/// The Routing screen's live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoutingHealth {
    /// Every target with its circuit and figures.
    pub targets: Vec<TargetHealth>,
    /// Every rate limit and its use.
    pub limits: Vec<LimitUse>,
}

impl Router {
    /// Every target of every route (and any other that served), with its circuit and figures.
    pub fn health(&self, now: Instant) -> Vec<TargetHealth> {
        let compiled = self.compiled();
        let state = self.state();
        let mut out: Vec<TargetHealth> = Vec::new();
        let mut seen: HashMap<TargetKey, usize> = HashMap::new();
        let empty = TargetState::default();
        let mut add = |key: TargetKey, route: Option<&str>| {
            let i = *seen.entry(key.clone()).or_insert_with(|| {
                let s = state.targets.get(&key).unwrap_or(&empty);
                out.push(TargetHealth {
                    provider: key.0.clone(),
                    model: key.1.clone(),
                    routes: Vec::new(),
                    circuit: s.breaker.view(now),
                    metrics: s.stats.view(),
                    in_flight: s.in_flight,
                });
                out.len() - 1
            });
            if let Some(r) = route
                && !out[i].routes.iter().any(|x| x == r)
            {
                out[i].routes.push(r.to_owned());
            }
        };
        for route in &compiled.config.routes {
            for t in &route.targets {
                add((t.provider.clone(), t.model.clone()), Some(&route.name));
            }
        }
        let mut others: Vec<&TargetKey> = state.targets.keys().collect();
        others.sort();
        for key in others {
            add(key.clone(), None);
        }
        out
    }

    /// Every configured rate limit and its use over the last minute.
    pub fn limits(&self, now: Instant) -> Vec<LimitUse> {
        let compiled = self.compiled();
        let state = self.state();
        compiled
            .config
            .limits
            .iter()
            .map(|l| {
                let (requests, tokens) = state
                    .limits
                    .get(&(l.provider.clone(), l.key.clone()))
                    .map(|w| w.used(now))
                    .unwrap_or_default();
                LimitUse {
                    provider: l.provider.clone(),
                    key: l.key.clone(),
                    rpm: l.rpm,
                    tpm: l.tpm,
                    requests,
                    tokens,
                }
            })
            .collect()
    }

    /// Targets whose circuit is open for a cause a free health check can see past (a 5xx,
    /// a timeout, a refused connection, a rejected key), and whose open time is not over.
    pub fn probe_due(&self, now: Instant) -> Vec<(ProviderId, String)> {
        let state = self.state();
        let mut due: Vec<(ProviderId, String)> = state
            .targets
            .iter()
            .filter(|(_, t)| t.breaker.wants_probe(now))
            .map(|(k, _)| k.clone())
            .collect();
        due.sort();
        due
    }

    /// Records a health check of `provider`/`model`.
    pub fn probed(&self, provider: &ProviderId, model: &str, ok: bool, detail: &str, now: Instant) {
        if let Some(t) = self
            .state()
            .targets
            .get_mut(&(provider.clone(), model.to_owned()))
        {
            t.breaker.probed(ok, detail, now);
        }
    }

    /// Targets and limits together, as the Routing screen shows them.
    pub fn snapshot(&self, now: Instant) -> RoutingHealth {
        RoutingHealth {
            targets: self.health(now),
            limits: self.limits(now),
        }
    }

    /// Learns from one answer of `provider`/`model` on `task` (for the smart strategy).
    pub fn learn(&self, task: Option<&str>, provider: &ProviderId, model: &str, signal: Signal) {
        self.state().learned.record(task, provider, model, signal);
    }

    /// Everything the smart strategy has learned, to keep across restarts.
    pub fn learned(&self) -> Learned {
        self.state().learned.clone()
    }

    /// Restores what the smart strategy learned before.
    pub fn restore_learned(&self, learned: Learned) {
        self.state().learned = learned;
    }

    /// Seeds a target's figures from history (the ledger), so a restart does not forget
    /// which targets are fast, cheap and reliable.
    pub fn remember(&self, provider: &ProviderId, model: &str, samples: &[Sample]) {
        let mut state = self.state();
        let entry = state
            .targets
            .entry((provider.clone(), model.to_owned()))
            .or_default();
        for s in samples {
            entry.stats.record(s);
        }
    }
}
