//! One tool loop: model turns and the tool calls they ask for, until an answer or a stop.

use std::time::Instant;

use switchboard_core::{
    ChatRequest, ErrorCode, ErrorInfo, Message, ReasoningOptions, Role, ToolCall, Usd,
};

use super::{Approver, Halt, Run, RunEvent, model_id, prompt, stopped};
use crate::{AgentError, AgentTarget, Model, ModelReply, Step, StepKind};

/// How much of a tool's arguments and result a step's detail keeps.
const DETAIL_CHARS: usize = 500;

/// A tool call's outcome as the model will read it.
struct ToolOutcome {
    /// Fed back to the model.
    result: String,
    /// For the step, when the call did not run or failed.
    error: Option<String>,
}

impl ToolOutcome {
    fn failed(result: String) -> Self {
        Self {
            error: Some(result.clone()),
            result,
        }
    }
}

impl<M: Model, A: Approver> Run<'_, M, A> {
    /// Model turns on `target` from `messages` until it answers without calling a tool (and,
    /// when `final_answer` and the agent has an output schema, with JSON that matches it: an
    /// answer that does not is sent back with what is wrong, while turns are left).
    pub(super) async fn tool_loop(
        &mut self,
        target: &AgentTarget,
        mut messages: Vec<Message>,
        stage: Option<&str>,
        final_answer: bool,
    ) -> Result<String, Halt> {
        let spec = self.spec;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Halt::Stop(stopped()));
            }
            if self.model_turns >= spec.max_steps {
                return Err(Halt::Stop(self.step_cap_reached()));
            }
            if let Some(budget) = spec.budget_usd
                && self.cost >= budget
            {
                // The spend is exact: rounded to cents it could read as the budget itself.
                return Err(Halt::Stop(ErrorInfo::new(
                    ErrorCode::BudgetExceeded,
                    format!(
                        "the budget of ${} for this task is spent (${})",
                        budget.human(),
                        self.cost
                    ),
                )));
            }
            self.model_turns += 1;
            let request = self.request(target, messages.clone());
            let reply = match self
                .call_model(
                    StepKind::Model,
                    target,
                    request,
                    spec.task_type.as_deref(),
                    stage,
                )
                .await
            {
                Ok(reply) => reply,
                Err(AgentError::Model {
                    error,
                    refused: true,
                }) => return Err(Halt::Stop(error)),
                Err(AgentError::Stopped) => return Err(Halt::Stop(stopped())),
                Err(error) => return Err(Halt::Failed(error)),
            };
            let text = reply.message.joined_text();
            if !text.trim().is_empty() {
                self.last_text.clone_from(&text);
            }
            if reply.message.tool_calls.is_empty() {
                let verdict = match &spec.output_schema {
                    Some(schema) if final_answer => super::schema::check(schema, &text),
                    _ => Ok(()),
                };
                let Err(why) = verdict else {
                    return Ok(text);
                };
                if self.model_turns >= spec.max_steps {
                    // The model's answer cannot be read as the output the agent promises.
                    return Err(Halt::Stop(ErrorInfo::new(
                        ErrorCode::Decode,
                        format!("{why}, and no step is left to fix it"),
                    )));
                }
                messages.push(reply.message);
                messages.push(Message::text(
                    Role::User,
                    format!("{why}. Answer again with only the corrected JSON."),
                ));
                continue;
            }
            // No turn is left to read the results, so running the tools (some of which change
            // things) would act on the model's behalf without it ever seeing what happened.
            if self.model_turns >= spec.max_steps {
                return Err(Halt::Stop(self.step_cap_reached()));
            }
            let calls = reply.message.tool_calls.clone();
            messages.push(reply.message);
            for call in &calls {
                if self.cancel.is_cancelled() {
                    return Err(Halt::Stop(stopped()));
                }
                let result = self.tool_step(call, stage).await?;
                let mut answer = Message::text(Role::Tool, result);
                answer.tool_call_id = Some(call.id.clone());
                messages.push(answer);
            }
        }
    }

    /// The step cap is the task's budget in model turns: it ends the task as a spent budget
    /// does, and the fix is the same kind (raise the agent's limit), so it shares the code.
    fn step_cap_reached(&self) -> ErrorInfo {
        ErrorInfo::new(
            ErrorCode::BudgetExceeded,
            format!(
                "reached the step cap of {} model turns before the agent finished",
                self.spec.max_steps
            ),
        )
    }

    /// A request with the agent's parameters and tools.
    fn request(&self, target: &AgentTarget, messages: Vec<Message>) -> ChatRequest {
        let params = &self.spec.params;
        let mut request = ChatRequest::new(model_id(target), messages);
        request.tools = self.tools.specs();
        request.temperature = params.temperature;
        request.max_tokens = params.max_tokens;
        request.reasoning = params.reasoning_effort.map(|effort| ReasoningOptions {
            effort: Some(effort),
            ..ReasoningOptions::default()
        });
        request
    }

    /// One model call as a step: events, deltas, cost and the user's stop all handled here.
    /// The stop surfaces as [`AgentError::Stopped`].
    pub(super) async fn call_model(
        &mut self,
        kind: StepKind,
        target: &AgentTarget,
        request: ChatRequest,
        task_type: Option<&str>,
        stage: Option<&str>,
    ) -> Result<ModelReply, AgentError> {
        let label = target.label();
        self.emit(RunEvent::Started {
            index: self.steps.len(),
            kind,
            label: &label,
        });
        let call = crate::ModelCall {
            target: target.clone(),
            request,
            task_type: task_type.map(str::to_owned),
            agent: self.spec.name.clone(),
            budget_left: self.budget_left(),
        };
        let started = Instant::now();
        let outcome = {
            let on_event = &mut *self.on_event;
            let mut forward = |delta: &_| on_event(RunEvent::Delta(delta));
            let send = self.model.send(call, &mut forward);
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => Err(AgentError::Stopped),
                outcome = send => outcome,
            }
        };
        let step = match &outcome {
            Ok(reply) => {
                let mut detail = prompt::excerpt(&reply.message.joined_text(), DETAIL_CHARS);
                if !reply.message.tool_calls.is_empty() {
                    let names: Vec<&str> = reply
                        .message
                        .tool_calls
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    detail.push_str(&format!(" [calls {}]", names.join(", ")));
                }
                Step {
                    kind,
                    model: Some(reply.model.clone()),
                    tool: None,
                    cost_usd: reply.cost,
                    tokens: reply.usage.prompt_tokens + reply.usage.completion_tokens,
                    ms: reply.ms,
                    stage: stage.map(str::to_owned),
                    detail: detail.trim().to_owned(),
                    error: None,
                }
            }
            Err(error) => Step {
                kind,
                model: Some(label),
                tool: None,
                cost_usd: Usd::ZERO,
                tokens: 0,
                ms: elapsed_ms(started),
                stage: stage.map(str::to_owned),
                detail: String::new(),
                error: Some(error.to_string()),
            },
        };
        self.finish(step);
        outcome
    }

    /// One tool call as a step; returns what the model is told. Only the user's stop ends the
    /// loop: every other failure is the tool's result, so the model can carry on.
    async fn tool_step(&mut self, call: &ToolCall, stage: Option<&str>) -> Result<String, Halt> {
        self.emit(RunEvent::Started {
            index: self.steps.len(),
            kind: StepKind::Tool,
            label: &call.name,
        });
        let started = Instant::now();
        let outcome = self.run_tool(call).await;
        let was_stopped = outcome.is_none();
        let outcome =
            outcome.unwrap_or_else(|| ToolOutcome::failed(AgentError::Stopped.to_string()));
        self.finish(Step {
            kind: StepKind::Tool,
            model: None,
            tool: Some(call.name.clone()),
            cost_usd: Usd::ZERO,
            tokens: 0,
            ms: elapsed_ms(started),
            stage: stage.map(str::to_owned),
            detail: format!(
                "{} → {}",
                prompt::excerpt(&call.arguments, DETAIL_CHARS),
                prompt::excerpt(&outcome.result, DETAIL_CHARS)
            ),
            error: outcome.error,
        });
        if was_stopped {
            return Err(Halt::Stop(stopped()));
        }
        Ok(outcome.result)
    }

    /// Finds, checks, approves and runs the tool; `None` when the user stopped the task.
    async fn run_tool(&mut self, call: &ToolCall) -> Option<ToolOutcome> {
        let tools = self.tools;
        let Some(tool) = tools.get(&call.name) else {
            return Some(ToolOutcome::failed(format!(
                "error: no tool named {}",
                call.name
            )));
        };
        // Models send "" for a call without arguments as often as "{}".
        let raw = call.arguments.trim();
        let parsed = if raw.is_empty() {
            Ok(serde_json::Value::Object(serde_json::Map::new()))
        } else {
            serde_json::from_str(raw)
        };
        let args = match parsed {
            Ok(args) => args,
            Err(e) => {
                return Some(ToolOutcome::failed(format!(
                    "error: the arguments are not valid JSON ({e}); send them as a JSON object"
                )));
            }
        };
        if tool.needs_approval(&args) {
            self.emit(RunEvent::Approval {
                tool: &call.name,
                args: &args,
            });
            let approved = tokio::select! {
                biased;
                () = self.cancel.cancelled() => return None,
                approved = self.approver.approve(&call.name, &args) => approved,
            };
            if !approved {
                return Some(ToolOutcome {
                    result: "the user declined this call".into(),
                    error: Some("declined by the user".into()),
                });
            }
            tool.approved(&args);
        }
        let result = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return None,
            result = tool.call(args) => result,
        };
        Some(match result {
            Ok(result) => ToolOutcome {
                result,
                error: None,
            },
            Err(e) => ToolOutcome::failed(format!("error: {e}")),
        })
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
