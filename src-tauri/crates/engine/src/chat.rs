//! Sending one chat request through a provider, and accounting for it in the ledger.
//!
//! Every request lands in the ledger, whatever its outcome: tokens by kind, cost and where the
//! cost came from, which provider and key served it, time to first token and total latency.
//! A failure mid-answer keeps what arrived.

use std::time::Instant;

use futures_util::StreamExt;
use serde::Serialize;
use switchboard_core::{
    BuiltinProvider, ChatRequest, Citation, Delta, ErrorInfo, FinishReason, ProviderError,
    ProviderId, ProviderKind, ToolCall, Usage, Usd,
};
use switchboard_providers::Endpoint;
use switchboard_providers::openrouter_api::{self, CatalogueModel};
use switchboard_providers::price_table;
use switchboard_store::{CostSource, LedgerEntry, Outcome};
use tokio_util::sync::CancellationToken;

use crate::routing::{RouteEvent, Sink};
use crate::{Engine, EngineError};

/// Everything that came back for one request, complete or not.
#[derive(Debug, Clone, Serialize)]
pub struct ChatOutcome {
    /// The answer text (what arrived, if the request failed midway).
    pub content: String,
    /// Reasoning text.
    pub reasoning: String,
    /// Structured reasoning pieces, kept to send back on a later turn.
    pub reasoning_details: Vec<serde_json::Value>,
    /// Whole tool calls.
    pub tool_calls: Vec<ToolCall>,
    /// Web pages the answer cites.
    pub citations: Vec<Citation>,
    /// Why generation stopped, when it said.
    pub finish_reason: Option<FinishReason>,
    /// Tokens by kind.
    pub usage: Usage,
    /// The cost recorded (None = unknown).
    pub cost: Option<Usd>,
    /// Where the cost came from.
    pub cost_source: CostSource,
    /// Our provider id.
    pub provider: ProviderId,
    /// The upstream provider that served (OpenRouter's `provider`).
    pub served_by: Option<String>,
    /// The model that served (the requested one when the provider did not say).
    pub model: String,
    /// The provider's generation id.
    pub generation_id: Option<String>,
    /// Time to the first token, ms.
    pub ttft_ms: Option<u64>,
    /// Total time, ms.
    pub latency_ms: u64,
    /// Why it failed, if it did.
    pub error: Option<ErrorInfo>,
    /// True when the caller stopped it (what arrived is kept; the ledger says `cancelled`).
    pub cancelled: bool,
    /// The provider's `Retry-After` on a 429, ms.
    #[serde(skip)]
    pub retry_after_ms: Option<u64>,
    /// Whether any answer (text, reasoning or a tool call) arrived before it ended; after
    /// that a failure is not failed over.
    #[serde(skip)]
    pub answered: bool,
    /// The ledger row written for it.
    pub ledger_id: String,
    /// Why its ledger row could not be written (a full disk, say), when it could not: the
    /// answer is still returned, and the caller must say plainly that it went unrecorded.
    pub unrecorded: Option<ErrorInfo>,
}

/// The ledger row an attempt settles: reserved as `pending` by the router before the request
/// is sent, or written when it ends for a request sent outside the router.
#[derive(Debug, Clone)]
pub(crate) struct LedgerSlot {
    pub(crate) id: String,
    pub(crate) created_ms: i64,
    pub(crate) bound: Option<Usd>,
}

impl LedgerSlot {
    pub(crate) fn new(bound: Option<Usd>) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            created_ms: switchboard_store::now_unix_ms(),
            bound,
        }
    }
}

impl Engine {
    /// One request to one provider, settled into its ledger row `slot` (with its route and
    /// attempt number when the router sent it).
    #[tracing::instrument(skip_all, fields(provider = %provider, model = %request.model), err(Debug))]
    pub(crate) async fn attempt(
        &self,
        provider: ProviderId,
        (endpoint, key_label): (Endpoint, Option<String>),
        request: ChatRequest,
        cancel: &CancellationToken,
        sink: Option<&Sink>,
        (slot, tag): (LedgerSlot, Option<&RouteTag>),
    ) -> Result<ChatOutcome, EngineError> {
        if endpoint.key.is_none() && endpoint.kind != ProviderKind::Custom {
            let var = provider.builtin().map_or("", BuiltinProvider::key_env_var);
            return Err(EngineError::NoKey {
                provider: provider.to_string(),
                var,
            });
        }
        let client = switchboard_providers::chat_provider(self.inner.http.clone(), endpoint);

        let started = Instant::now();
        let mut out = Accumulated::default();
        let mut stream = client.chat(request.clone());
        let mut cancelled = false;
        loop {
            let item = tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    cancelled = true;
                    break;
                }
                // The reader left while the provider is quiet (thinking, or sending only
                // keep-alives): noticed now, not at the next delta, which may be minutes off.
                () = reader_gone(sink) => {
                    cancelled = true;
                    break;
                }
                item = stream.next() => item,
            };
            let Some(item) = item else { break };
            match item {
                Ok(delta) => {
                    if out.ttft_ms.is_none()
                        && matches!(
                            delta,
                            Delta::Text { .. } | Delta::Reasoning { .. } | Delta::ToolCall { .. }
                        )
                    {
                        out.ttft_ms = Some(elapsed_ms(started));
                    }
                    // A non-streamed answer arrives whole and settles at once: a note would
                    // land after the settle and change nothing, at the cost of a write.
                    if let Delta::Meta {
                        generation_id: Some(generation),
                        ..
                    } = &delta
                        && request.stream
                        && out.generation_id.is_none()
                    {
                        self.note_generation(&slot.id, generation);
                    }
                    if let Some(sink) = sink
                        && !sink.send(RouteEvent::Delta(delta.clone())).await
                    {
                        // The reader left (a client disconnected): stop paying for an
                        // answer nobody reads; what arrived is still recorded.
                        out.absorb(delta);
                        cancelled = true;
                        break;
                    }
                    out.absorb(delta);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the provider failed");
                    if let ProviderError::RateLimited {
                        retry_after: Some(wait),
                        ..
                    } = &err
                    {
                        out.retry_after_ms = u64::try_from(wait.as_millis()).ok();
                    }
                    out.error = Some(err.info());
                    break;
                }
            }
        }
        let latency_ms = elapsed_ms(started);
        let model = out.model.clone().unwrap_or_else(|| request.model.clone());
        let answered = out.ttft_ms.is_some();
        let (cost, cost_source) = if not_billed(out.error.as_ref(), answered, &out.usage) {
            (Some(Usd::ZERO), CostSource::NotBilled)
        } else {
            self.cost_of(&provider, &model, &out.usage).await
        };
        let mut outcome = ChatOutcome {
            ledger_id: slot.id.clone(),
            content: out.content,
            reasoning: out.reasoning,
            reasoning_details: out.reasoning_details,
            tool_calls: out.tool_calls,
            citations: out.citations,
            finish_reason: out.finish,
            usage: out.usage,
            cost,
            cost_source,
            provider: provider.clone(),
            served_by: out.served_by,
            model,
            generation_id: out.generation_id,
            ttft_ms: out.ttft_ms,
            latency_ms,
            error: out.error,
            cancelled,
            retry_after_ms: out.retry_after_ms,
            answered,
            unrecorded: None,
        };
        let entry = LedgerEntry {
            id: outcome.ledger_id.clone(),
            created_ms: slot.created_ms,
            provider_id: provider.to_string(),
            model: request.model,
            served_model: Some(outcome.model.clone()),
            served_by: outcome.served_by.clone(),
            generation_id: outcome.generation_id.clone(),
            key_label,
            usage: outcome.usage.clone(),
            cost: outcome.cost,
            cost_source: outcome.cost_source,
            ttft_ms: outcome.ttft_ms,
            latency_ms: Some(latency_ms),
            outcome: if outcome.error.is_some() {
                Outcome::Error
            } else if cancelled {
                Outcome::Cancelled
            } else {
                Outcome::Ok
            },
            finish_reason: outcome
                .finish_reason
                .as_ref()
                .map(|f| f.as_str().to_owned()),
            error_code: outcome
                .error
                .as_ref()
                .and_then(|e| serde_json::to_value(e.code).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
            route: tag.and_then(|t| t.route.clone()),
            request_id: tag.map(|t| t.request_id.clone()),
            attempt: tag.map(|t| t.attempt),
            conversation_id: tag.and_then(|t| t.conversation.clone()),
            agent: tag.and_then(|t| t.agent.clone()),
            bound: slot.bound,
        };
        // The provider has answered (and perhaps billed): a failure to write the row must not
        // also lose the answer. The caller gets both and says so.
        if let Err(e) = self
            .blocking(move |inner| Ok(inner.store.settle_request(&entry)?))
            .await
        {
            tracing::error!(error = %e, "an answered request could not be recorded");
            outcome.unrecorded = Some(e.info());
        }
        Ok(outcome)
    }

    /// Notes a request's generation id on its pending row as soon as it is known, so a crash
    /// before it settles can still be reconciled. Not awaited: the stream does not wait on
    /// the disk, and a note that lands after the row settled changes nothing.
    fn note_generation(&self, ledger_id: &str, generation_id: &str) {
        let engine = self.clone();
        let (id, generation) = (ledger_id.to_owned(), generation_id.to_owned());
        tokio::spawn(async move {
            let noted = engine
                .blocking(move |inner| Ok(inner.store.note_generation(&id, &generation)?))
                .await;
            if let Err(e) = noted {
                tracing::warn!(error = %e, "could not note a generation id");
            }
        });
    }

    /// The cost of `usage`: the provider's own figure, else an estimate from the cached
    /// OpenRouter catalogue or the bundled price table, else unknown.
    async fn cost_of(
        &self,
        provider: &ProviderId,
        model: &str,
        usage: &Usage,
    ) -> (Option<Usd>, CostSource) {
        if let Some(cost) = usage.cost {
            return (Some(cost), CostSource::Provider);
        }
        if usage.prompt_tokens == 0 && usage.completion_tokens == 0 {
            return (None, CostSource::Unknown);
        }
        let pricing = match provider.builtin() {
            Some(BuiltinProvider::OpenRouter) => self
                .cached_models()
                .await
                .ok()
                .flatten()
                .and_then(|models| {
                    crate::catalogue::listed(&models, model).map(|m| m.pricing.clone())
                }),
            Some(b @ (BuiltinProvider::OpenAi | BuiltinProvider::Anthropic)) => {
                price_table::direct_price(b, model).map(|p| p.pricing)
            }
            // A custom server publishes no prices: the one the user gave, if any.
            None => self.user_pricing(provider, model).await,
        };
        match pricing.and_then(|p| openrouter_api::estimate_cost(&p, usage)) {
            Some(cost) => (Some(cost), CostSource::Estimate),
            None => (None, CostSource::Unknown),
        }
    }

    /// The cached OpenRouter catalogue, if one was ever fetched.
    pub(crate) async fn cached_models(&self) -> Result<Option<Vec<CatalogueModel>>, EngineError> {
        self.blocking(|inner| {
            let Some(cached) = inner.store.catalogue(OPENROUTER)? else {
                return Ok(None);
            };
            match serde_json::from_str(&cached.models_json) {
                Ok(models) => Ok(Some(models)),
                Err(e) => {
                    // A cache written by another version: treat as absent; a refresh rewrites it.
                    tracing::warn!(%e, "cached catalogue unreadable; ignoring it");
                    Ok(None)
                }
            }
        })
        .await
    }
}

impl crate::Routing<'_> {
    /// The provider id named by `name`: `openrouter`, `openai`, `anthropic`, a custom
    /// provider's name (case-insensitive) or its id.
    pub async fn resolve_provider(&self, name: &str) -> Result<ProviderId, EngineError> {
        let name = name.trim().to_owned();
        self.blocking(move |inner| {
            if let Ok(id) = name.to_ascii_lowercase().parse::<ProviderId>()
                && id.builtin().is_some()
            {
                return Ok(id);
            }
            let customs = inner.store.custom_providers()?;
            if let Some(c) = customs
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&name) || c.id.as_str() == name)
            {
                return Ok(c.id.clone());
            }
            Err(EngineError::UnknownProvider { id: name })
        })
        .await
    }
}

pub(crate) const OPENROUTER: &str = "openrouter";

/// Whether an attempt cost nothing: the provider refused it with an HTTP error (a rate limit,
/// a refused key, no credits, a bad request, a 5xx) before any answer, and reported no usage.
/// Providers bill tokens processed; such a refusal is $0, not an unknown cost.
fn not_billed(error: Option<&ErrorInfo>, answered: bool, usage: &Usage) -> bool {
    use switchboard_core::ErrorCode;
    let refused = error.is_some_and(|e| {
        matches!(
            e.code,
            ErrorCode::RateLimited
                | ErrorCode::Auth
                | ErrorCode::NoCredits
                | ErrorCode::KeyLimitReached
                | ErrorCode::GuardrailBlocked
                | ErrorCode::ManagementKeyUsed
                | ErrorCode::KeyDisabled
                | ErrorCode::KeyExpired
                | ErrorCode::Moderation
                | ErrorCode::BadRequest
                | ErrorCode::Upstream
        )
    });
    refused
        && !answered
        && usage.cost.is_none()
        && usage.prompt_tokens == 0
        && usage.completion_tokens == 0
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The running sum of a stream's deltas.
#[derive(Default)]
struct Accumulated {
    content: String,
    reasoning: String,
    reasoning_details: Vec<serde_json::Value>,
    tool_calls: Vec<ToolCall>,
    usage: Usage,
    finish: Option<FinishReason>,
    model: Option<String>,
    served_by: Option<String>,
    generation_id: Option<String>,
    ttft_ms: Option<u64>,
    error: Option<ErrorInfo>,
    retry_after_ms: Option<u64>,
    citations: Vec<Citation>,
}

/// How the router labels an attempt in the ledger.
#[derive(Debug, Clone)]
pub(crate) struct RouteTag {
    pub(crate) route: Option<String>,
    pub(crate) request_id: String,
    pub(crate) attempt: u32,
    pub(crate) conversation: Option<String>,
    pub(crate) agent: Option<String>,
}

impl Accumulated {
    fn absorb(&mut self, delta: Delta) {
        match delta {
            Delta::Meta {
                generation_id,
                model,
                served_by,
            } => {
                self.generation_id = self.generation_id.take().or(generation_id);
                self.model = self.model.take().or(model);
                self.served_by = self.served_by.take().or(served_by);
            }
            Delta::Text { text } => self.content.push_str(&text),
            Delta::Reasoning { text } => self.reasoning.push_str(&text),
            Delta::ReasoningDetails { details } => self.reasoning_details.extend(details),
            Delta::ToolCall { call } => self.tool_calls.push(call),
            Delta::Usage { usage } => self.usage = usage,
            Delta::Finish { reason } => {
                self.finish.get_or_insert(reason);
            }
            Delta::Citations { citations } => {
                for c in citations {
                    if !self.citations.iter().any(|known| known.url == c.url) {
                        self.citations.push(c);
                    }
                }
            }
        }
    }
}

/// Resolves when `sink`'s reader is gone; never without a sink.
async fn reader_gone(sink: Option<&Sink>) {
    match sink {
        Some(sink) => sink.closed().await,
        None => std::future::pending().await,
    }
}
