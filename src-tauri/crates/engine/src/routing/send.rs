//! Sending a request through the router: waiting for a target, failing over before the
//! first token, reserving budgets, and recording every attempt.

use std::time::{Duration, Instant};

use switchboard_core::{
    BuiltinProvider, ChatRequest, Delta, ErrorCode, ErrorInfo, Part, ProviderId, ReasoningOptions,
    Usd,
};
use switchboard_router::{
    Attempt, Capability, Catalogue, Decision, Ending, Exclusion, FailoverPlan, FailureClass,
    Modality, RouteRequest, Sample, Signal, Step, Target,
};
use tokio_util::sync::CancellationToken;

use super::MAX_WAIT;
use crate::budgets::SpendScope;
use crate::chat::{ChatOutcome, LedgerSlot, RouteTag};
use crate::{Engine, EngineError};

/// What happened to a routed request.
#[derive(Debug, Clone)]
pub struct RoutedOutcome {
    /// The decision it started from.
    pub decision: Decision,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// The last attempt's full outcome (`None` if nothing was sent).
    pub outcome: Option<ChatOutcome>,
}

impl RoutedOutcome {
    /// The last attempt's outcome, taken out (the decision and attempts stay for the caller
    /// to show), or, when nothing answered, an [`EngineError::Unroutable`] listing every
    /// attempt's error in order.
    pub fn take_outcome(&mut self) -> Result<ChatOutcome, EngineError> {
        self.outcome.take().ok_or_else(|| {
            let errors: Vec<&ErrorInfo> = self
                .attempts
                .iter()
                .filter_map(|a| a.error.as_ref())
                .collect();
            if let [first, rest @ ..] = errors.as_slice()
                && rest.iter().all(|e| e.code == first.code)
            {
                // One failure, or the same kind at every target: say it with its own code.
                let mut info = (*first).clone();
                if !rest.is_empty() {
                    let why: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                    info.message = why.join("; ");
                }
                return EngineError::Attempts(info);
            }
            let why: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            EngineError::Unroutable {
                summary: format!("No target took the request: {}", why.join("; ")),
            }
        })
    }
}

/// Progress of a routed request.
#[derive(Debug)]
pub enum RouteEvent<'a> {
    /// An attempt starts at this target.
    Attempt {
        /// 1-based.
        n: u32,
        /// Where.
        target: &'a Target,
        /// Its ledger row (pending until the attempt ends).
        ledger_id: &'a str,
    },
    /// Held back: rate limit, concurrency or a `Retry-After`.
    Waiting {
        /// For how long, ms.
        ms: u64,
        /// Why.
        reason: String,
    },
    /// A piece of the answer.
    Delta(&'a Delta),
}

impl Engine {
    /// Sends `request` where the router decides, failing over before the first token as the
    /// route's policy says. After the first token a failure is final: the partial answer is
    /// kept and nothing is sent again. Each attempt is its own ledger row.
    pub async fn chat_routed(
        &self,
        route: RouteRequest,
        mut request: ChatRequest,
        cancel: &CancellationToken,
        mut on_event: impl FnMut(RouteEvent<'_>) + Send,
    ) -> Result<RoutedOutcome, EngineError> {
        let route = describe(route, &request);
        let request_id = uuid::Uuid::now_v7().to_string();
        let mut waited = Duration::ZERO;
        let (decision, mut catalogue) = loop {
            // Read afresh while waiting; the attempts then weigh costs with the facts the
            // decision was made on rather than reading the catalogue again for each.
            let catalogue = self.router_catalogue().await;
            let d = self.decide_route(&route, &catalogue, true).await?;
            if let Some(message) = &d.blocked {
                return Err(EngineError::invalid(format!(
                    "blocked by rule \"{}\": {message}",
                    d.rule.as_deref().unwrap_or_default()
                )));
            }
            if !d.order.is_empty() {
                break (d, catalogue);
            }
            match d.soonest_wait_ms().map(Duration::from_millis) {
                Some(wait) if waited + wait <= MAX_WAIT => {
                    on_event(RouteEvent::Waiting {
                        ms: millis(wait),
                        reason: d.summary.clone(),
                    });
                    if sleep_or_cancel(wait, cancel).await {
                        return Err(EngineError::invalid("stopped while waiting for a target"));
                    }
                    waited += wait;
                }
                _ => {
                    let mut budgets = d.candidates.iter().filter_map(|c| match &c.exclusion {
                        Some(Exclusion::OverBudget { message }) => Some(message.clone()),
                        _ => None,
                    });
                    if let Some(message) = budgets.next()
                        && d.candidates
                            .iter()
                            .all(|c| matches!(c.exclusion, Some(Exclusion::OverBudget { .. })))
                    {
                        return Err(EngineError::OverBudget { message });
                    }
                    return Err(EngineError::Unroutable { summary: d.summary });
                }
            }
        };
        apply_overrides(&mut request, &decision);
        let router = &self.inner.routing.router;
        let mut plan = FailoverPlan::new(decision.failover);
        let mut attempts = Vec::new();
        let mut last = None;
        let mut refused = None;
        let mut i = 0;
        while i < decision.order.len() {
            let target = &decision.order[i];
            let choice = match self.next_key(target.provider.clone()).await {
                Ok(choice) => choice,
                Err(e) => {
                    attempts.push(Attempt::skipped(target, e.info()));
                    i += 1;
                    continue;
                }
            };
            let key4 = choice.ledger_label.as_deref().map(last_four);
            let tokens = route.prompt_tokens + u64::from(request.max_tokens.unwrap_or(500));
            let held = router.begin_as(
                target,
                key4.as_deref(),
                tokens,
                Instant::now(),
                !decision.direct,
            );
            let ticket = match held {
                Ok(ticket) => ticket,
                Err(hold) => {
                    let has_next = i + 1 < decision.order.len();
                    if has_next || hold.wait.is_zero() || waited + hold.wait > MAX_WAIT {
                        attempts.push(Attempt::skipped(
                            target,
                            ErrorInfo::new(ErrorCode::RateLimited, hold.reason),
                        ));
                        if !has_next {
                            break;
                        }
                        i += 1;
                        continue;
                    }
                    on_event(RouteEvent::Waiting {
                        ms: millis(hold.wait),
                        reason: hold.reason,
                    });
                    if sleep_or_cancel(hold.wait, cancel).await {
                        break;
                    }
                    waited += hold.wait;
                    continue;
                }
            };
            let n = u32::try_from(attempts.len() + 1).unwrap_or(u32::MAX);
            // Reserve the worst case against the hard budgets, as this request's pending
            // ledger row, before anything is sent.
            let scope = spend_scope(target, &route);
            let slot = match self
                .worst_case(&mut catalogue, target, &route, &scope)
                .await
            {
                Ok(bound) => LedgerSlot::new(bound),
                Err(e) => {
                    attempts.push(Attempt::skipped(target, e.info()));
                    refused.get_or_insert(e);
                    i += 1;
                    continue;
                }
            };
            let pending = pending_row(&slot, target, &choice, &decision, &route, &request_id, n);
            if let Err(e) = self.reserve(pending, scope).await {
                drop(ticket);
                attempts.push(Attempt::skipped(target, e.info()));
                refused.get_or_insert(e);
                i += 1;
                continue;
            }
            on_event(RouteEvent::Attempt {
                n,
                target,
                ledger_id: &slot.id,
            });
            let mut sent = request.clone();
            target_request(&mut sent, target, &decision, i == 0);
            let tag = RouteTag {
                route: decision.route.clone(),
                request_id: request_id.clone(),
                attempt: n,
                conversation: route.conversation.clone(),
                agent: route.agent.clone(),
            };
            let started = Instant::now();
            let outcome = self
                .attempt(
                    target.provider.clone(),
                    (choice.endpoint, choice.ledger_label),
                    sent,
                    cancel,
                    |d| on_event(RouteEvent::Delta(d)),
                    (slot, Some(&tag)),
                )
                .await?;
            // The ledger row is settled (its hold released): the spend can be weighed.
            self.check_budget_alerts(spend_scope(target, &route)).await;
            let sample = Sample {
                ok: outcome.error.is_none(),
                ttft_ms: outcome.ttft_ms,
                output_tokens: outcome.usage.completion_tokens,
                latency_ms: outcome.latency_ms,
                cost: outcome.cost,
            };
            let used = outcome.usage.prompt_tokens + outcome.usage.completion_tokens;
            let used = (used > 0).then_some(used);
            attempts.push(Attempt {
                provider: target.provider.clone(),
                model: target.model.clone(),
                outcome: if outcome.cancelled {
                    "cancelled"
                } else if outcome.error.is_some() {
                    "error"
                } else {
                    "ok"
                }
                .to_owned(),
                error: outcome.error.clone(),
                ms: millis(started.elapsed()),
            });
            let Some(error) = outcome.error.clone() else {
                if outcome.cancelled {
                    drop(ticket); // a stopped request says nothing about the target
                } else {
                    ticket.finish(Ending::Ok(sample), used, Instant::now());
                    self.learn(route.task.as_deref(), target, Signal::Completed)
                        .await;
                }
                last = Some(outcome);
                break;
            };
            let retry_after = outcome.retry_after_ms.map(Duration::from_millis);
            let class = match FailureClass::of(error.code, retry_after) {
                // What the provider sent cannot be read and never will be (an HTML page for a
                // wrong base URL, an event over the size cap): asking again only pays again.
                FailureClass::Transient if !error.retryable => FailureClass::Fatal,
                class => class,
            };
            // A refused key is set aside; while the provider has another, the same target is
            // tried again with it (the target is not at fault, so its circuit is untouched).
            if error.code == ErrorCode::Auth
                && !outcome.answered
                && let Some(label) = choice.key
                && self
                    .refuse_key(target.provider.clone(), label, error.message.clone())
                    .await
                    .unwrap_or(false)
            {
                drop(ticket);
                last = Some(outcome);
                continue;
            }
            ticket.finish(
                Ending::Failed {
                    class,
                    message: error.message.clone(),
                    sample,
                },
                used,
                Instant::now(),
            );
            // Only an answer that went wrong says something about the model's quality: a
            // rate limit, a refused key or an outage before the first token does not.
            if outcome.answered && class != FailureClass::Fatal {
                self.learn(route.task.as_deref(), target, Signal::Failed)
                    .await;
            }
            let answered = outcome.answered;
            last = Some(outcome);
            if answered || cancel.is_cancelled() {
                break; // after the first token: keep what arrived, show the error
            }
            let (wait, next) = match plan.after_failure(class, i + 1 < decision.order.len()) {
                Step::Stop => break,
                Step::Retry(wait) => (wait, i),
                Step::Next(wait) => (wait, i + 1),
            };
            if !wait.is_zero() {
                on_event(RouteEvent::Waiting {
                    ms: millis(wait),
                    reason: format!("{}; trying again", error.message),
                });
            }
            if sleep_or_cancel(wait, cancel).await {
                break;
            }
            i = next;
        }
        if last.is_none()
            && let Some(refusal) = refused
        {
            // Nothing was sent and a budget is why: say so plainly, with its own code.
            return Err(refusal);
        }
        Ok(RoutedOutcome {
            decision,
            attempts,
            outcome: last,
        })
    }

    /// Records an outcome for the smart strategy and keeps what was learned.
    pub(crate) async fn learn(&self, task: Option<&str>, target: &Target, signal: Signal) {
        let router = &self.inner.routing.router;
        router.learn(task, &target.provider, &target.model, signal);
        let learned = router.learned();
        let saved = self
            .blocking(move |inner| {
                let json = serde_json::to_string(&learned).map_err(|e| EngineError::Internal {
                    context: format!("what the router learned does not serialize: {e}"),
                })?;
                Ok(inner.store.put_setting(super::LEARNED, &json)?)
            })
            .await;
        if let Err(e) = saved {
            tracing::warn!(error = %e, "could not keep what the router learned");
        }
    }

    /// The most `target` can cost for `route`. When a hard budget applies and the price is
    /// not known, the prices are fetched first; a request whose worst case is still unknown
    /// under a hard budget is refused (a budget that reserves nothing holds nothing).
    async fn worst_case(
        &self,
        catalogue: &mut std::sync::Arc<Catalogue>,
        target: &Target,
        route: &RouteRequest,
        scope: &SpendScope,
    ) -> Result<Option<Usd>, EngineError> {
        if let Some(bound) = cost_bound(catalogue, target, route) {
            return Ok(Some(bound));
        }
        let Some(budget) = self.hard_budget_over(scope.clone()).await else {
            return Ok(None);
        };
        if self.refresh_prices(&target.provider).await {
            *catalogue = self.router_catalogue().await;
            if let Some(bound) = cost_bound(catalogue, target, route) {
                return Ok(Some(bound));
            }
        }
        let name = self.provider_name(&target.provider).await;
        Err(EngineError::OverBudget {
            message: format!(
                "The price of {} on {name} is not known, so hard budget {} cannot tell \
                 what this request could cost, and it was not sent. Give the model a price \
                 (Models, or Settings for a local server; $0 if it is free), choose a model \
                 with a known price, or make the budget soft.",
                target.model,
                budget.describe(),
            ),
        })
    }

    /// Fetches `provider`'s prices afresh where it publishes them (OpenRouter's catalogue);
    /// whether anything was fetched.
    async fn refresh_prices(&self, provider: &ProviderId) -> bool {
        if provider.builtin() != Some(BuiltinProvider::OpenRouter) {
            return false;
        }
        match self.models(true).await {
            Ok(c) => !c.from_cache,
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch prices for a budget check");
                false
            }
        }
    }

    /// How a person knows `provider`: a built-in's name, a custom provider's own name (never
    /// its internal id).
    pub async fn provider_name(&self, provider: &ProviderId) -> String {
        if let Some(b) = provider.builtin() {
            return b.display_name().to_owned();
        }
        let id = provider.clone();
        self.blocking(move |inner| {
            Ok(inner
                .store
                .custom_providers()?
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| c.name))
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| provider.to_string())
    }

    pub(super) async fn any_hard_budget(&self) -> bool {
        self.blocking(|inner| Ok(inner.store.budgets()?.iter().any(|b| b.hard)))
            .await
            .unwrap_or(false)
    }
}

/// The pending ledger row of an attempt about to be sent.
fn pending_row(
    slot: &LedgerSlot,
    target: &Target,
    choice: &crate::keys::KeyChoice,
    decision: &Decision,
    route: &RouteRequest,
    request_id: &str,
    attempt: u32,
) -> switchboard_store::LedgerEntry {
    switchboard_store::LedgerEntry {
        id: slot.id.clone(),
        created_ms: slot.created_ms,
        provider_id: target.provider.to_string(),
        model: target.model.clone(),
        served_model: None,
        served_by: None,
        generation_id: None,
        key_label: choice.ledger_label.clone(),
        usage: switchboard_core::Usage::default(),
        cost: None,
        cost_source: switchboard_store::CostSource::Unknown,
        ttft_ms: None,
        latency_ms: None,
        outcome: switchboard_store::Outcome::Pending,
        finish_reason: None,
        error_code: None,
        route: decision.route.clone(),
        request_id: Some(request_id.to_owned()),
        attempt: Some(attempt),
        conversation_id: route.conversation.clone(),
        agent: route.agent.clone(),
        bound: slot.bound,
    }
}

/// A target's request as budgets see it.
pub(super) fn spend_scope(target: &Target, route: &RouteRequest) -> SpendScope {
    SpendScope {
        provider: Some(target.provider.clone()),
        model: Some(target.model.clone()),
        agent: route.agent.clone(),
        conversation: route.conversation.clone(),
    }
}

/// The most a request to `target` can cost: its prompt at the input price plus the whole
/// output allowance (the request's max tokens, else the model's output cap, else 4,096) at the
/// output price. `None` when a price is unknown.
pub(super) fn cost_bound(
    catalogue: &Catalogue,
    target: &Target,
    route: &RouteRequest,
) -> Option<Usd> {
    let facts = catalogue.get(&target.provider, &target.model)?;
    let output = route
        .max_output_tokens
        .map(u64::from)
        .or(facts.max_output)
        .unwrap_or(4_096);
    Some(facts.prompt_usd?.times(route.prompt_tokens) + facts.completion_usd?.times(output))
}

/// Fills in what the router needs to know from the request itself: a token estimate,
/// attachments, tools. Chats and agents both describe their requests here, so the router
/// sees them the same way.
pub(crate) fn describe(mut route: RouteRequest, request: &ChatRequest) -> RouteRequest {
    if route.prompt_tokens == 0 {
        let text: usize = request
            .messages
            .iter()
            .flat_map(|m| {
                m.parts
                    .iter()
                    .map(|p| match p {
                        Part::Text { text } => text.len(),
                        // Providers bill an image at roughly a thousand tokens; as text it is
                        // ~4k bytes.
                        Part::Image { .. } => 4_000,
                    })
                    // Replayed tool calls (agents) are prompt too.
                    .chain(
                        m.tool_calls
                            .iter()
                            .map(|c| c.arguments.len() + c.name.len()),
                    )
            })
            .sum();
        // About four bytes a token; usage gives the real count afterwards.
        route.prompt_tokens = (text as u64).div_ceil(4);
    }
    route.max_output_tokens = route.max_output_tokens.or(request.max_tokens);
    let has_image = request
        .messages
        .iter()
        .flat_map(|m| &m.parts)
        .any(|p| matches!(p, Part::Image { .. }));
    if has_image && !route.modalities.contains(&Modality::Image) {
        route.modalities.push(Modality::Image);
    }
    if !request.tools.is_empty() && !route.capabilities.contains(&Capability::Tools) {
        route.capabilities.push(Capability::Tools);
    }
    if request.reasoning.is_some() && !route.capabilities.contains(&Capability::Reasoning) {
        route.capabilities.push(Capability::Reasoning);
    }
    route
}

fn apply_overrides(request: &mut ChatRequest, decision: &Decision) {
    let Some(set) = &decision.set else { return };
    if let Some(t) = set.temperature {
        request.temperature = Some(t);
    }
    if let Some(m) = set.max_tokens {
        request.max_tokens = Some(m);
    }
    if let Some(effort) = set.reasoning_effort {
        let reasoning = request.reasoning.get_or_insert(ReasoningOptions {
            effort: None,
            max_tokens: None,
            exclude: false,
        });
        reasoning.effort = Some(effort);
    }
}

/// The request as this target takes it: its model, its OpenRouter preferences and, for the
/// first target of an OpenRouter-decides route, the `models[]` fallbacks and `provider.sort`.
fn target_request(request: &mut ChatRequest, target: &Target, decision: &Decision, lead: bool) {
    request.model = target.model.clone();
    request.routing.models.clear();
    request.routing.provider = target.openrouter.clone();
    if !lead || target.provider.builtin() != Some(BuiltinProvider::OpenRouter) {
        return;
    }
    if let Some(d) = &decision.delegation {
        if !d.models.is_empty() {
            request.routing.models = std::iter::once(target.model.clone())
                .chain(d.models.iter().cloned())
                .collect();
        }
        if let Some(sort) = &d.sort {
            let mut prefs = match request.routing.provider.take() {
                Some(serde_json::Value::Object(map)) => map,
                _ => serde_json::Map::new(),
            };
            prefs.insert("sort".to_owned(), serde_json::Value::String(sort.clone()));
            request.routing.provider = Some(serde_json::Value::Object(prefs));
        }
    }
}

/// Waits, or returns true at once if `cancel` fires first.
async fn sleep_or_cancel(wait: Duration, cancel: &CancellationToken) -> bool {
    if wait.is_zero() {
        return cancel.is_cancelled();
    }
    tokio::select! {
        () = cancel.cancelled() => true,
        () = tokio::time::sleep(wait) => false,
    }
}

pub(super) fn last_four(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
