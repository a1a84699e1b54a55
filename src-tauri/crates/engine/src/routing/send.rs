//! What a routed send is made of (its outcome, the request as each target takes it, its
//! worst case and pending ledger row, the names people know providers by); the send itself,
//! step by step, is in `routed.rs`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use switchboard_core::{
    BuiltinProvider, ChatRequest, ErrorInfo, Part, ProviderId, ReasoningOptions, Usd,
};
use switchboard_router::{
    Attempt, Capability, Catalogue, Decision, Modality, RouteRequest, Signal, Target,
};
use tokio_util::sync::CancellationToken;

use crate::budgets::SpendScope;
use crate::chat::{ChatOutcome, LedgerSlot};
use crate::{Engine, EngineError};

/// The longest what request outcomes taught the router waits before it is written.
const LEARN_FLUSH: Duration = Duration::from_secs(2);

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

impl Engine {
    /// Records a person's verdict for the smart strategy and keeps what was learned at once.
    pub(crate) async fn learn(&self, task: Option<&str>, target: &Target, signal: Signal) {
        let router = &self.inner.routing.router;
        router.learn(task, &target.provider, &target.model, signal);
        if let Err(e) = self.save_learned().await {
            tracing::warn!(error = %e, "could not keep what the router learned");
        }
    }

    /// Records how a request went for the smart strategy. What was learned is written at
    /// most once per [`LEARN_FLUSH`] (and when the engine closes): at hundreds of requests a
    /// second, one write of the whole learned table per request would be the busiest thing
    /// the database does, for figures that lose nothing by landing two seconds later.
    pub(crate) fn learn_from_request(&self, task: Option<&str>, target: &Target, signal: Signal) {
        let routing = &self.inner.routing;
        routing
            .router
            .learn(task, &target.provider, &target.model, signal);
        if routing.learned_unsaved.swap(true, Ordering::AcqRel) {
            return; // a write is already due
        }
        // A weak handle: a due write never keeps a closed engine alive; closing writes it.
        let engine = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            tokio::time::sleep(LEARN_FLUSH).await;
            let Some(inner) = engine.upgrade() else {
                return;
            };
            let engine = Engine { inner };
            if engine
                .inner
                .routing
                .learned_unsaved
                .swap(false, Ordering::AcqRel)
                && let Err(e) = engine.save_learned().await
            {
                tracing::warn!(error = %e, "could not keep what the router learned");
            }
        });
    }

    async fn save_learned(&self) -> Result<(), EngineError> {
        let learned = self.inner.routing.router.learned();
        self.blocking(move |inner| super::write_learned(&inner.store, &learned))
            .await
    }

    /// The most `target` can cost for `route`. When a hard budget applies and the price is
    /// not known, the prices are fetched first; a request whose worst case is still unknown
    /// under a hard budget is refused (a budget that reserves nothing holds nothing).
    pub(super) async fn worst_case(
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
        let name = self.routing().provider_name(&target.provider).await;
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
        match self.models().catalogue(true).await {
            Ok(c) => !c.from_cache,
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch prices for a budget check");
                false
            }
        }
    }

    pub(super) async fn any_hard_budget(&self) -> bool {
        self.budgets_seen()
            .await
            .is_ok_and(|budgets| budgets.iter().any(|b| b.hard))
    }
}

impl crate::Routing<'_> {
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
}

/// The pending ledger row of an attempt about to be sent.
pub(super) fn pending_row(
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
        client: route.client_id.clone(),
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

pub(super) fn apply_overrides(request: &mut ChatRequest, decision: &Decision) {
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

/// The request as this target takes it: its model, its OpenRouter `provider` preferences
/// and, for the first target of an OpenRouter-decides route, the `models[]` fallbacks and
/// `provider.sort`. The request's own preferences (a column's sort and max price, a private
/// conversation's zero data retention, a local API client's object) are set over the target's
/// key by key, so a private conversation stays private whichever target serves it.
pub(super) fn target_request(
    request: &mut ChatRequest,
    target: &Target,
    decision: &Decision,
    lead: bool,
) {
    request.model = target.model.clone();
    request.routing.models.clear();
    let asked = request.routing.provider.take();
    let mut prefs = match target.openrouter.clone() {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    if lead
        && target.provider.builtin() == Some(BuiltinProvider::OpenRouter)
        && let Some(d) = &decision.delegation
    {
        if !d.models.is_empty() {
            request.routing.models = std::iter::once(target.model.clone())
                .chain(d.models.iter().cloned())
                .collect();
        }
        if let Some(sort) = &d.sort {
            prefs.insert("sort".to_owned(), serde_json::Value::String(sort.clone()));
        }
    }
    if let Some(serde_json::Value::Object(asked)) = asked {
        prefs.extend(asked);
    }
    request.routing.provider = (!prefs.is_empty()).then_some(serde_json::Value::Object(prefs));
}

/// Waits, or returns true at once if `cancel` fires first.
pub(super) async fn sleep_or_cancel(wait: Duration, cancel: &CancellationToken) -> bool {
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

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
