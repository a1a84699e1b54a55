//! The one door agents have to models. The engine implements it on its router; tests implement
//! it with a script.

use std::future::Future;

use switchboard_core::{ChatRequest, Delta, Message, Usage, Usd};

use crate::{AgentError, AgentTarget, Rung};

/// One model call an agent wants made.
#[derive(Debug, Clone)]
pub struct ModelCall {
    /// Where to send it: a model or a route (the router decides the rest).
    pub target: AgentTarget,
    /// The request; its `model` is filled by whoever sends it.
    pub request: ChatRequest,
    /// The task type tag the router's rules and smart strategy see.
    pub task_type: Option<String>,
    /// The agent's name, for rules, budgets and the ledger.
    pub agent: String,
    /// At most this much may be spent on this call (what is left of the task's budget).
    pub budget_left: Option<Usd>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct ModelReply {
    /// The assistant's message: its text and any tool calls.
    pub message: Message,
    /// Token counts and the provider's cost when it said.
    pub usage: Usage,
    /// The cost: exact when the provider said, else estimated from the catalogue's prices.
    pub cost: Usd,
    /// The model that served it.
    pub model: String,
    /// Wall time, ms.
    pub ms: u64,
}

/// Sends model calls. `on_delta` sees the answer as it streams, for live traces.
pub trait Model: Send + Sync {
    /// Makes one call.
    fn send(
        &self,
        call: ModelCall,
        on_delta: &mut (dyn FnMut(&Delta) + Send),
    ) -> impl Future<Output = Result<ModelReply, AgentError>> + Send;

    /// Appraises candidates for the cost-aware plan: expected quality for `task_type` and the
    /// predicted cost of a call with `prompt_tokens` in and at most `max_tokens` out.
    fn appraise(
        &self,
        candidates: &[AgentTarget],
        task_type: Option<&str>,
        prompt_tokens: u64,
        max_tokens: Option<u32>,
    ) -> impl Future<Output = Vec<Rung>> + Send;
}
