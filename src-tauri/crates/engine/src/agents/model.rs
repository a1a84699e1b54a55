//! Agents' model calls, sent through the router like every chat request.

use switchboard_agents::{AgentError, AgentEvent, AgentTarget, Model, ModelCall, ModelReply, Rung};
use switchboard_core::{Delta, ErrorCode, ErrorInfo, Message, Role, Usd};
use switchboard_router::{Arm, ModelFacts, RouteRequest, expected_quality};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::routing::{RouteEvent, describe};
use crate::{Engine, EngineError};

/// Output tokens assumed for a call's predicted cost when it sets no cap: a typical agent turn,
/// so candidates compare on a realistic call rather than on their maximum output.
const TYPICAL_OUTPUT: u64 = 800;

/// The fewest output tokens worth sending a call for: below this a budget-capped call would
/// end mid-sentence and waste what it costs.
const MIN_USEFUL_OUTPUT: u64 = 64;

/// [`Model`] on the engine's router, for one run.
pub(super) struct RouterModel<'a> {
    pub(super) engine: &'a Engine,
    pub(super) cancel: &'a CancellationToken,
    pub(super) events: &'a mpsc::Sender<AgentEvent>,
}

impl RouterModel<'_> {
    /// The route request for a call, and the request with its model filled in. The rest is
    /// left to `describe`, the send's own, so budget fitting asks the router about exactly
    /// the request that will be sent.
    fn route_for(call: &mut ModelCall) -> RouteRequest {
        let mut route = RouteRequest {
            task: call.task_type.clone(),
            agent: Some(call.agent.clone()),
            ..RouteRequest::default()
        };
        match &call.target {
            AgentTarget::Model { provider, model } => {
                call.request.model.clone_from(model);
                route.provider = Some(provider.clone());
                route.model = Some(model.clone());
            }
            AgentTarget::Route { route: name } => route.route = Some(name.clone()),
        }
        describe(route, &call.request)
    }

    /// Caps the call's output so its worst case fits what is left of the task's budget, and
    /// refuses it when even its prompt would not. Prices come from the target the router
    /// would choose first; a failover target that is dearer can still overshoot by one call,
    /// the same bound hard budgets give.
    async fn fit_budget(
        &self,
        route: &RouteRequest,
        call: &mut ModelCall,
        left: Usd,
    ) -> Result<(), AgentError> {
        let target = match (&route.provider, &route.model) {
            (Some(p), Some(m)) => Some((p.clone(), m.clone())),
            _ => self
                .engine
                .routing()
                .explain(route.clone())
                .await
                .ok()
                .and_then(|d| {
                    d.order
                        .first()
                        .map(|t| (t.provider.clone(), t.model.clone()))
                }),
        };
        let Some((provider, model)) = target else {
            return Ok(());
        };
        let catalogue = self.engine.router_catalogue().await;
        let Some(facts) = catalogue.get(&provider, &model) else {
            return Ok(()); // unknown prices: the hard budgets still hold it
        };
        let refuse = |m: String| AgentError::refused(ErrorInfo::new(ErrorCode::BudgetExceeded, m));
        match output_cap(left, route.prompt_tokens, facts) {
            Ok(None) => {}
            Ok(Some(cap)) => {
                call.request.max_tokens = Some(call.request.max_tokens.map_or(cap, |m| m.min(cap)));
            }
            Err(Unaffordable::Prompt(prompt)) => {
                return Err(refuse(format!(
                    "this task's budget has {} left, less than the next step's prompt alone on \
                     {model} ({}); raise the agent's per-task budget to go on",
                    left.human(),
                    prompt.human()
                )));
            }
            Err(Unaffordable::Answer) => {
                return Err(refuse(format!(
                    "this task's budget has {} left: not enough for a useful answer from {model}; \
                     raise the agent's per-task budget to go on",
                    left.human()
                )));
            }
        }
        Ok(())
    }
}

/// Why a call does not fit what is left of the budget.
#[derive(Debug, PartialEq)]
enum Unaffordable {
    /// Its prompt alone costs this, all that is left or more.
    Prompt(Usd),
    /// What is left after the prompt pays for fewer than [`MIN_USEFUL_OUTPUT`] tokens.
    Answer,
}

/// The output cap for a call whose prompt is `prompt_tokens` on a model with `facts`, when
/// `left` is what the task may still spend: the tokens the budget pays for after the prompt,
/// and never more than the model generates or its context leaves after the prompt (a cap over
/// those makes the router refuse the model as too small). `None` when the prices are unknown
/// or output is free: then the budget does not cap the call.
fn output_cap(
    left: Usd,
    prompt_tokens: u64,
    facts: &ModelFacts,
) -> Result<Option<u32>, Unaffordable> {
    let (Some(input), Some(output)) = (facts.prompt_usd, facts.completion_usd) else {
        return Ok(None);
    };
    let prompt = input.times(prompt_tokens);
    let room = left.minus(prompt);
    if room.is_negative() || room == Usd::default() {
        return Err(Unaffordable::Prompt(prompt));
    }
    if output == Usd::default() {
        return Ok(None);
    }
    // Floor division by a price: f64 is fine for a token count, and one token less is safe.
    let paid_for = (room.to_f64_lossy() / output.to_f64_lossy()).floor() as u64;
    let paid_for = paid_for.saturating_sub(1);
    if paid_for < MIN_USEFUL_OUTPUT {
        return Err(Unaffordable::Answer);
    }
    // A context the prompt already fills is left for the router to refuse with that reason.
    let context_room = facts
        .context_length
        .map(|context| context.saturating_sub(prompt_tokens))
        .filter(|room| *room > 0);
    let cap = [Some(paid_for), facts.max_output, context_room]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(paid_for);
    Ok(Some(u32::try_from(cap).unwrap_or(u32::MAX)))
}

fn model_error(e: EngineError) -> AgentError {
    // A budget's refusal stops the task; an unroutable request is left to fail over to the
    // plan's next model (`info` already marks it retryable).
    let refused = matches!(e, EngineError::OverBudget { .. });
    AgentError::Model {
        error: e.info(),
        refused,
    }
}

impl Model for RouterModel<'_> {
    async fn send(
        &self,
        mut call: ModelCall,
        on_delta: &mut (dyn FnMut(&Delta) + Send),
    ) -> Result<ModelReply, AgentError> {
        let route = Self::route_for(&mut call);
        if let Some(left) = call.budget_left {
            self.fit_budget(&route, &mut call, left).await?;
        }
        let events = self.events;
        let mut routed = self
            .engine
            .routing()
            .chat(route, call.request, self.cancel, |e| match e {
                RouteEvent::Delta(d) => on_delta(&d),
                RouteEvent::Waiting { ms, reason } => {
                    let _ = events.try_send(AgentEvent::Waiting { ms, reason });
                }
                RouteEvent::Attempt { .. } => {}
            })
            .await
            .map_err(model_error)?;
        let out = routed.take_outcome().map_err(model_error)?;
        if out.cancelled {
            return Err(AgentError::Stopped);
        }
        if let Some(e) = out.error {
            return Err(AgentError::model(e));
        }
        let mut message = Message::text(Role::Assistant, out.content);
        message.tool_calls = out.tool_calls;
        if !out.reasoning_details.is_empty() {
            message.reasoning_details = Some(serde_json::Value::Array(out.reasoning_details));
        }
        Ok(ModelReply {
            message,
            usage: out.usage,
            cost: out.cost.unwrap_or_default(),
            model: out.model,
            ms: out.latency_ms,
        })
    }

    async fn appraise(
        &self,
        candidates: &[AgentTarget],
        task_type: Option<&str>,
        prompt_tokens: u64,
        max_tokens: Option<u32>,
    ) -> Vec<Rung> {
        let catalogue = self.engine.router_catalogue().await;
        let learned = self.engine.inner.routing.router.learned();
        let output = max_tokens.map_or(TYPICAL_OUTPUT, u64::from);
        let predicted: Vec<Option<Usd>> = candidates
            .iter()
            .map(|c| match c {
                AgentTarget::Model { provider, model } => {
                    let f = catalogue.get(provider, model)?;
                    Some(f.prompt_usd?.times(prompt_tokens) + f.completion_usd?.times(output))
                }
                AgentTarget::Route { .. } => None,
            })
            .collect();
        let arms: Vec<Arm> = candidates
            .iter()
            .zip(&predicted)
            .map(|(c, cost)| Arm {
                evidence: match c {
                    AgentTarget::Model { provider, model } => {
                        learned.evidence(task_type, provider, model)
                    }
                    AgentTarget::Route { .. } => Default::default(),
                },
                cost: cost.map(Usd::to_f64_lossy),
            })
            .collect();
        candidates
            .iter()
            .zip(predicted)
            .zip(expected_quality(&arms))
            .map(|((target, predicted_cost), quality)| Rung {
                target: target.clone(),
                quality,
                predicted_cost,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    /// openai/gpt-4o-mini as OpenRouter lists it: $0.15/M in, $0.60/M out, 16,384 out of a
    /// 128,000-token context.
    fn cheap() -> ModelFacts {
        ModelFacts {
            context_length: Some(128_000),
            prompt_usd: Some(usd("0.00000015")),
            completion_usd: Some(usd("0.0000006")),
            max_output: Some(16_384),
            ..ModelFacts::default()
        }
    }

    #[test]
    fn a_generous_budget_on_a_cheap_model_is_capped_at_its_max_output() {
        // $0.20 pays for ~333,000 output tokens, which the router would refuse outright.
        let cap = output_cap(usd("0.20"), 1_500, &cheap()).unwrap().unwrap();
        assert_eq!(cap, 16_384, "never more than the model's max output");
    }

    #[test]
    fn the_context_left_after_the_prompt_caps_too() {
        let facts = ModelFacts {
            max_output: None,
            context_length: Some(8_000),
            ..cheap()
        };
        assert_eq!(output_cap(usd("0.20"), 5_000, &facts), Ok(Some(3_000)));
    }

    #[test]
    fn a_small_budget_caps_below_the_models_limits() {
        // $0.001 - 1,000 prompt tokens ($0.00015) = $0.00085 → 1,416 tokens, less one.
        assert_eq!(output_cap(usd("0.001"), 1_000, &cheap()), Ok(Some(1_415)));
    }

    #[test]
    fn too_little_budget_is_refused_and_unknown_prices_leave_the_call_alone() {
        assert_eq!(
            output_cap(usd("0.0001"), 1_000, &cheap()),
            Err(Unaffordable::Prompt(usd("0.00015")))
        );
        assert_eq!(
            output_cap(usd("0.00016"), 1_000, &cheap()),
            Err(Unaffordable::Answer)
        );
        let unpriced = ModelFacts {
            completion_usd: None,
            ..cheap()
        };
        assert_eq!(output_cap(usd("0.20"), 1_000, &unpriced), Ok(None));
    }
}
