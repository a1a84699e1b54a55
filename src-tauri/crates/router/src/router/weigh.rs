//! Weighing one target for one request: why it is excluded, if it is, and the figures the
//! strategies compare; and the decision's one-line summary.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use switchboard_core::{BuiltinProvider, ProviderId};

use super::{Context, LimitKey, LimitRef, State, TargetState};
use crate::breaker::Admission;
use crate::config::{RouterConfig, Target};
use crate::decision::{Candidate, Decision, Delegation, Exclusion};
use crate::fixed::push_integer;
use crate::request::{RouteRequest, TargetRef};
use crate::select::Figures;
use crate::text::Text;

/// Output tokens assumed for a cost or latency prediction when neither the request's cap nor
/// the target's history says more.
const DEFAULT_OUTPUT_TOKENS: f64 = 500.0;
/// The request's output cap is an upper bound, not an expectation; cap what is assumed from it.
const MAX_ASSUMED_OUTPUT_TOKENS: f64 = 1_000.0;

pub(super) fn limit_scopes(provider: &ProviderId, key_label: Option<&str>) -> Vec<LimitKey> {
    let mut scopes = vec![(provider.clone(), None)];
    if let Some(label) = key_label {
        scopes.push((provider.clone(), Some(label.to_owned())));
    }
    scopes
}

pub(super) fn limit_label(scope: &LimitKey, config: &RouterConfig) -> String {
    let limit = config
        .limits
        .iter()
        .find(|l| l.provider == scope.0 && l.key == scope.1);
    let mut parts = Vec::new();
    if let Some(l) = limit {
        if let Some(rpm) = l.rpm {
            parts.push(format!("{rpm} requests/min"));
        }
        if let Some(tpm) = l.tpm {
            parts.push(format!("{tpm} tokens/min"));
        }
    }
    let who = match &scope.1 {
        Some(key) => format!("{} key \"{key}\"", scope.0),
        None => scope.0.to_string(),
    };
    format!("{who}: {}", parts.join(", "))
}

/// Where a decision writes its candidates' reasons.
#[derive(Debug, Default)]
pub(super) struct Whys {
    /// Where a reason is written before it is copied into its own text.
    pub(super) buf: String,
    /// This decision's "context too small" reasons: the request's size is the same for every
    /// target and a route's targets often share a window, so each pair is written once.
    too_small: Vec<(u64, u64, Text)>,
}

impl Whys {
    /// Forgets the last decision's reasons.
    pub(super) fn start(&mut self) {
        self.too_small.clear();
    }

    fn of(&mut self, e: &Exclusion) -> Text {
        let Exclusion::ContextTooSmall { needed, window } = *e else {
            return e.why(&mut self.buf);
        };
        if let Some((.., why)) = self
            .too_small
            .iter()
            .find(|(n, w, _)| (*n, *w) == (needed, window))
        {
            return why.clone();
        }
        let why = e.why(&mut self.buf);
        self.too_small.push((needed, window, why.clone()));
        why
    }
}

/// One target weighed for one request: its exclusion, if any, and the figures strategies use.
pub(super) fn weigh(
    target: &Arc<Target>,
    req: &RouteRequest,
    ctx: &Context<'_>,
    state: &State,
    config: &RouterConfig,
    direct: bool,
    whys: &mut Whys,
) -> (Candidate, Figures) {
    let empty = TargetState::default();
    let ts = state
        .targets
        .get(&TargetRef(&target.provider, &target.model))
        .unwrap_or(&empty);
    let facts = ctx.catalogue.get(&target.provider, &target.model);
    let expected_out = ts.stats.ewma_output_tokens.unwrap_or_else(|| {
        req.max_output_tokens.map_or(DEFAULT_OUTPUT_TOKENS, |m| {
            f64::from(m).min(MAX_ASSUMED_OUTPUT_TOKENS)
        })
    });
    let cost = facts.and_then(|f| {
        Some(req.prompt_tokens as f64 * f.prompt_price? + expected_out * f.completion_price?)
    });
    let latency_ms = ts.stats.ewma_ttft_ms.map(|ttft| {
        ttft + ts
            .stats
            .ewma_tokens_per_s
            .map_or(0.0, |tps| expected_out / tps.max(0.1) * 1_000.0)
    });
    let success = ts.stats.success_estimate();
    let mut exclusion = None;
    if let Some(f) = facts {
        if let Some(window) = f.context_length
            && req.context_needed() > window
        {
            exclusion = Some(Exclusion::ContextTooSmall {
                needed: req.context_needed(),
                window,
            });
        } else if let Some(m) = req.modalities.iter().find(|m| !f.modalities.contains(m)) {
            exclusion = Some(Exclusion::MissingModality { modality: *m });
        } else if let Some(c) = req
            .capabilities
            .iter()
            .find(|c| !f.capabilities.contains(c))
        {
            exclusion = Some(Exclusion::MissingCapability { capability: *c });
        }
    }
    if exclusion.is_none()
        && let Some(message) = budget_message(ctx, target)
    {
        exclusion = Some(Exclusion::OverBudget {
            message: message.clone(),
        });
    }
    if exclusion.is_none()
        && !direct
        && let Admission::No { retry_in, reason } = ts.breaker.admission(ctx.now)
    {
        exclusion = Some(Exclusion::CircuitOpen {
            reason,
            retry_in_ms: millis(retry_in),
        });
    }
    if exclusion.is_none()
        && let Some(max) = target.max_concurrency
        && ts.in_flight >= max
    {
        exclusion = Some(Exclusion::Busy {
            in_flight: ts.in_flight,
            max,
        });
    }
    if exclusion.is_none() && !state.limits.is_empty() {
        let tokens = req.prompt_tokens + expected_out as u64;
        let label = key_label(ctx, &target.provider);
        // The provider's limit, then its key's: `limit_scopes`' order, borrowed.
        for key in std::iter::once(None).chain(label.map(Some)) {
            if let Some(w) = state.limits.get(&LimitRef(&target.provider, key)) {
                let wait = w.wait(ctx.now, tokens);
                if !wait.is_zero() {
                    let scope = (target.provider.clone(), key.map(str::to_owned));
                    exclusion = Some(Exclusion::RateLimited {
                        limit: limit_label(&scope, config),
                        wait_ms: millis(wait),
                    });
                    break;
                }
            }
        }
    }
    // An eligible candidate's `why` is its place, written once the strategy has ranked it.
    let why = exclusion
        .as_ref()
        .map_or_else(Text::default, |e| whys.of(e));
    let candidate = Candidate {
        target: Arc::clone(target),
        exclusion,
        why: why.into(),
        rank: None,
        predicted_cost: cost,
        ttft_ms: ts.stats.ewma_ttft_ms,
        tokens_per_second: ts.stats.ewma_tokens_per_s,
        success,
        in_flight: ts.in_flight,
        circuit: ts.breaker.state(),
        known: facts.is_some(),
    };
    let figures = Figures {
        weight: target.weight,
        in_flight: ts.in_flight,
        cost,
        latency_ms,
        success,
    };
    (candidate, figures)
}

/// The message of the budget `target` is over, if any. Looked up by an owned key only in a
/// large map: that costs two copies per target.
fn budget_message<'a>(ctx: &Context<'a>, target: &Target) -> Option<&'a String> {
    small_or_hashed(
        ctx.over_budget,
        |(p, m)| *p == target.provider && *m == target.model,
        |map| map.get(&(target.provider.clone(), target.model.clone())),
    )
}

/// The label of the key `provider` would use now.
fn key_label<'a>(ctx: &Context<'a>, provider: &ProviderId) -> Option<&'a str> {
    small_or_hashed(ctx.key_labels, |p| p == provider, |map| map.get(provider)).map(String::as_str)
}

/// Looks `map` up by comparing keys while it is small, else by `get`. The caller's maps hash
/// with SipHash, which costs more than comparing the few keys or budgets a person has at once.
fn small_or_hashed<'a, K, V>(
    map: &'a HashMap<K, V>,
    is: impl Fn(&K) -> bool,
    get: impl FnOnce(&'a HashMap<K, V>) -> Option<&'a V>,
) -> Option<&'a V> {
    const SCAN: usize = 8;
    if map.len() <= SCAN {
        map.iter().find(|(k, _)| is(k)).map(|(_, v)| v)
    } else {
        get(map)
    }
}

/// The OpenRouter strategy: the first eligible OpenRouter target is sent with the other
/// OpenRouter targets as `models[]`; targets at other providers stay as our own fallbacks.
pub(super) fn delegate(decision: &mut Decision, sort: Option<String>) {
    let is_or = |t: &Target| t.provider.builtin() == Some(BuiltinProvider::OpenRouter);
    let Some(first) = decision.order.iter().position(|t| is_or(t)) else {
        return;
    };
    let lead = decision.order.remove(first);
    let models: Vec<String> = decision
        .order
        .iter()
        .filter(|t| is_or(t))
        .map(|t| t.model.clone())
        .collect();
    decision.order.retain(|t| !is_or(t));
    decision.order.insert(0, lead);
    decision.delegation = Some(Delegation { models, sort });
}

pub(super) fn summarize(d: &Decision) -> String {
    // Written piece by piece into one string: it is part of every decision.
    let mut out = String::with_capacity(160);
    let mut push = |parts: &[&str]| parts.iter().for_each(|p| out.push_str(p));
    match (&d.rule, &d.route) {
        (Some(rule), Some(route)) => push(&["rule \"", rule, "\" \u{2192} route \"", route, "\""]),
        (None, Some(route)) => push(&["route \"", route, "\""]),
        (Some(rule), None) => push(&["rule \"", rule, "\""]),
        (None, None) => push(&["the model asked for"]),
    }
    let excluded = d
        .candidates
        .iter()
        .filter(|c| c.exclusion.is_some())
        .count();
    match d.chosen() {
        Some(t) => {
            push(&[
                " (",
                d.strategy.name(),
                "): ",
                t.provider.as_str(),
                " ",
                &t.model,
            ]);
            out.push_str(" chosen; ");
            push_integer(&mut out, (d.order.len() - 1) as u64);
            out.push_str(" fallback(s), ");
            push_integer(&mut out, excluded as u64);
            out.push_str(" excluded");
        }
        None => {
            let reasons: Vec<String> = d
                .candidates
                .iter()
                .map(|c| format!("{} {}: {}", c.target.provider, c.target.model, c.why))
                .collect();
            push(&[
                ": no target can take this request (",
                &reasons.join("; "),
                ")",
            ]);
        }
    }
    out
}

/// "chosen" or "fallback 2": an eligible candidate's `why`, or the start of it when the smart
/// strategy's explanation follows.
pub(super) fn place(out: &mut String, rank: usize) {
    if rank == 0 {
        out.push_str("chosen");
    } else {
        out.push_str("fallback ");
        push_integer(out, rank as u64);
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
