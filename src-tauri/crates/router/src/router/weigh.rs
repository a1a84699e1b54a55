//! Weighing one target for one request: why it is excluded, if it is, and the figures the
//! strategies compare; and the decision's one-line summary.

use std::time::Duration;

use switchboard_core::{BuiltinProvider, ProviderId};

use super::{Context, LimitKey, State, TargetState};
use crate::breaker::Admission;
use crate::config::{RouterConfig, Target};
use crate::decision::{Candidate, Decision, Delegation, Exclusion};
use crate::request::RouteRequest;
use crate::select::Figures;

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

/// One target weighed for one request: its exclusion, if any, and the figures strategies use.
pub(super) fn weigh(
    target: &Target,
    req: &RouteRequest,
    ctx: &Context<'_>,
    state: &State,
    config: &RouterConfig,
    direct: bool,
) -> (Candidate, Figures) {
    let key = (target.provider.clone(), target.model.clone());
    let empty = TargetState::default();
    let ts = state.targets.get(&key).unwrap_or(&empty);
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
        && let Some(message) = ctx.over_budget.get(&key)
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
    if exclusion.is_none() {
        let tokens = req.prompt_tokens + expected_out as u64;
        let label = ctx.key_labels.get(&target.provider).map(String::as_str);
        for scope in limit_scopes(&target.provider, label) {
            if let Some(w) = state.limits.get(&scope) {
                let wait = w.wait(ctx.now, tokens);
                if !wait.is_zero() {
                    exclusion = Some(Exclusion::RateLimited {
                        limit: limit_label(&scope, config),
                        wait_ms: millis(wait),
                    });
                    break;
                }
            }
        }
    }
    let why = exclusion
        .as_ref()
        .map(Exclusion::describe)
        .unwrap_or_default();
    let candidate = Candidate {
        target: target.clone(),
        exclusion,
        why,
        rank: None,
        predicted_cost: cost,
        ttft_ms: ts.stats.ewma_ttft_ms,
        tokens_per_second: ts.stats.ewma_tokens_per_s,
        success,
        in_flight: ts.in_flight,
        circuit: ts.breaker.view(ctx.now).state,
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

/// The OpenRouter strategy: the first eligible OpenRouter target is sent with the other
/// OpenRouter targets as `models[]`; targets at other providers stay as our own fallbacks.
pub(super) fn delegate(decision: &mut Decision, sort: Option<String>) {
    let is_or = |t: &Target| t.provider.builtin() == Some(BuiltinProvider::OpenRouter);
    let Some(first) = decision.order.iter().position(is_or) else {
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
    let by = match (&d.rule, &d.route) {
        (Some(rule), Some(route)) => format!("rule \"{rule}\" → route \"{route}\""),
        (None, Some(route)) => format!("route \"{route}\""),
        (Some(rule), None) => format!("rule \"{rule}\""),
        (None, None) => "the model asked for".to_owned(),
    };
    let excluded = d
        .candidates
        .iter()
        .filter(|c| c.exclusion.is_some())
        .count();
    match d.chosen() {
        Some(t) => format!(
            "{by} ({}): {} {} chosen; {} fallback(s), {excluded} excluded",
            crate::decision::serde_name(&d.strategy),
            t.provider,
            t.model,
            d.order.len() - 1
        ),
        None => {
            let reasons: Vec<String> = d
                .candidates
                .iter()
                .map(|c| format!("{} {}: {}", c.target.provider, c.target.model, c.why))
                .collect();
            format!(
                "{by}: no target can take this request ({})",
                reasons.join("; ")
            )
        }
    }
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
