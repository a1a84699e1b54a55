//! The task loop: model turns and tool calls until the model answers without calling a tool,
//! the step cap is reached, the budget is spent, or the user stops it. Whatever happened is in
//! the report, also when it ends early.

mod prompt;
mod schema;

pub(crate) use schema::schema_error;
mod turns;

use std::future::Future;

use switchboard_core::{ChatRequest, Delta, ErrorCode, ErrorInfo, Message, Role, Usd};
use tokio_util::sync::CancellationToken;

use crate::tools::Toolbox;
use crate::{
    AgentError, AgentSpec, AgentTarget, Memory, Model, Plan, Stage, Step, StepKind, Task,
    TaskReport, escalation_ladder,
};

/// Asks the user whether a side-effecting tool call may run.
pub trait Approver: Send + Sync {
    /// `true` to run it.
    fn approve(&self, tool: &str, args: &serde_json::Value) -> impl Future<Output = bool> + Send;
}

/// Progress of a task, for live traces.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// A step starts: `label` is the model (or route) or the tool.
    Started {
        /// Its 0-based index among the report's steps.
        index: usize,
        /// What kind.
        kind: crate::StepKind,
        /// Model or tool.
        label: &'a str,
    },
    /// A piece of a model step's answer.
    Delta(&'a Delta),
    /// A step finished (successfully or not).
    Finished(&'a Step),
    /// A tool call waits for the user's approval.
    Approval {
        /// The tool.
        tool: &'a str,
        /// Its arguments.
        args: &'a serde_json::Value,
    },
}

/// Runs `task` with `spec`'s agent. Memory gets the task and its result (summarizing older
/// turns first when over the window).
///
/// The step cap counts every model call of the task's plan (failed ones and those of every
/// stage or rung included), not the memory summary. A task that ends early (step cap, budget,
/// a refused or failed call, the user stopping it) leaves memory as it was apart from a
/// summary already folded: its partial text is not an answer the agent gave.
#[allow(clippy::too_many_arguments)]
pub async fn run_task(
    spec: &AgentSpec,
    task: &Task,
    memory: &mut Memory,
    model: &impl Model,
    tools: &Toolbox,
    approver: &impl Approver,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(RunEvent<'_>) + Send),
) -> TaskReport {
    let mut run = Run {
        spec,
        model,
        tools,
        approver,
        cancel,
        on_event,
        steps: Vec::new(),
        cost: Usd::ZERO,
        tokens: 0,
        model_turns: 0,
        last_text: String::new(),
    };
    let outcome = run.execute(task, memory).await;
    let (result, error) = match outcome {
        Ok(answer) => {
            memory.push(Role::User, prompt::memory_text(task));
            memory.push(Role::Assistant, answer.clone());
            (answer, None)
        }
        Err(why) => (run.last_text, Some(why)),
    };
    TaskReport {
        result,
        cost_usd: run.cost,
        tokens: run.tokens,
        steps: run.steps,
        error,
    }
}

/// One task in progress: what it may use and what it has spent so far.
struct Run<'a, M, A> {
    spec: &'a AgentSpec,
    model: &'a M,
    tools: &'a Toolbox,
    approver: &'a A,
    cancel: &'a CancellationToken,
    on_event: &'a mut (dyn FnMut(RunEvent<'_>) + Send),
    steps: Vec<Step>,
    cost: Usd,
    tokens: u64,
    /// Model calls made by the plan, against `spec.max_steps`.
    model_turns: u32,
    /// The latest non-empty assistant text: the partial result when the task ends early.
    last_text: String,
}

/// Why a tool loop ended without an answer.
enum Halt {
    /// A model call failed; the plan may try another model.
    Failed(AgentError),
    /// The task ends here (step cap, budget, a refusal, the user), whatever the plan.
    Stop(ErrorInfo),
}

impl Halt {
    fn into_info(self) -> ErrorInfo {
        match self {
            Self::Failed(e) => e.info(),
            Self::Stop(why) => why,
        }
    }
}

/// The user's stop, as a report says it.
fn stopped() -> ErrorInfo {
    AgentError::Stopped.info()
}

impl<M: Model, A: Approver> Run<'_, M, A> {
    /// The task, start to end: `Ok` with the answer, or `Err` with why it ended early.
    async fn execute(&mut self, task: &Task, memory: &mut Memory) -> Result<String, ErrorInfo> {
        if self.cancel.is_cancelled() {
            return Err(stopped());
        }
        self.tidy_memory(memory).await?;
        let history = memory.messages();
        let spec = self.spec;
        match &spec.plan {
            Plan::Single => {
                let messages = prompt::conversation(
                    prompt::system(spec, None, true),
                    &history,
                    prompt::task_message(task, None),
                );
                self.tool_loop(&spec.target, messages, None, true)
                    .await
                    .map_err(Halt::into_info)
            }
            Plan::Staged { stages } => self.staged(stages, task, &history).await,
            Plan::CostAware {
                candidates,
                quality_bar,
            } => {
                self.cost_aware(candidates, *quality_bar, task, &history)
                    .await
            }
        }
    }

    /// Folds the oldest turns into the summary when memory is over its window. A failed
    /// summary is recorded and skipped: memory stays whole, just longer than the window, which
    /// is better than losing turns or failing the user's task over housekeeping.
    async fn tidy_memory(&mut self, memory: &mut Memory) -> Result<(), ErrorInfo> {
        let spec = self.spec;
        let Some(n) = memory.overflow(&spec.memory) else {
            return Ok(());
        };
        let target = spec.memory.summarize_with.as_ref().unwrap_or(&spec.target);
        let mut request = ChatRequest::new(model_id(target), prompt::summary_request(memory, n));
        // Half the window leaves room for the turns kept; a bound also lets the engine check
        // the call's worst case against the budget.
        request.max_tokens = Some((spec.memory.window_tokens / 2).clamp(256, 2_048));
        match self
            .call_model(StepKind::Summary, target, request, Some("summarize"), None)
            .await
        {
            Ok(reply) => {
                let summary = reply.message.joined_text();
                if summary.trim().is_empty() {
                    tracing::warn!(agent = %spec.name, "memory summary came back empty; not folded");
                } else {
                    memory.fold(n, summary.trim().to_owned());
                }
                Ok(())
            }
            Err(AgentError::Stopped) => Err(stopped()),
            Err(error) => {
                tracing::warn!(agent = %spec.name, %error, "memory summary failed; not folded");
                Ok(())
            }
        }
    }

    /// Stages in order, each seeing the previous one's output; a stage whose model fails in a
    /// way worth retrying reruns on its fallback.
    async fn staged(
        &mut self,
        stages: &[Stage],
        task: &Task,
        history: &[Message],
    ) -> Result<String, ErrorInfo> {
        if stages.is_empty() {
            return Err(
                AgentError::Invalid("this agent's staged plan has no stages".into()).info(),
            );
        }
        let spec = self.spec;
        let mut previous: Option<(&str, String)> = None;
        for (i, stage) in stages.iter().enumerate() {
            let last = i + 1 == stages.len();
            let messages = prompt::conversation(
                prompt::system(spec, Some(&stage.instruction), last),
                history,
                prompt::task_message(task, previous.as_ref().map(|(n, o)| (*n, o.as_str()))),
            );
            let name = Some(stage.name.as_str());
            let output = match self
                .tool_loop(&stage.target, messages.clone(), name, last)
                .await
            {
                Ok(output) => output,
                Err(Halt::Failed(error)) => match &stage.fallback {
                    Some(fallback) if error.retryable() => {
                        self.escalate(&stage.target, fallback, &error.to_string(), name);
                        self.tool_loop(fallback, messages, name, last)
                            .await
                            .map_err(Halt::into_info)?
                    }
                    _ => return Err(error.info()),
                },
                Err(Halt::Stop(why)) => return Err(why),
            };
            previous = Some((stage.name.as_str(), output));
        }
        Ok(previous.map(|(_, output)| output).unwrap_or_default())
    }

    /// The cheapest good-enough candidate first, then up the ladder on each failure or empty
    /// answer.
    async fn cost_aware(
        &mut self,
        candidates: &[AgentTarget],
        quality_bar: f64,
        task: &Task,
        history: &[Message],
    ) -> Result<String, ErrorInfo> {
        let spec = self.spec;
        let messages = prompt::conversation(
            prompt::system(spec, None, true),
            history,
            prompt::task_message(task, None),
        );
        let appraise = self.model.appraise(
            candidates,
            spec.task_type.as_deref(),
            prompt::estimate(&messages, &self.tools.specs()),
            spec.params.max_tokens,
        );
        let rungs = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(stopped()),
            rungs = appraise => rungs,
        };
        let ladder = escalation_ladder(rungs, quality_bar, self.budget_left());
        if ladder.is_empty() {
            return Err(AgentError::Invalid(
                "this agent's cost-aware plan has no candidate models".into(),
            )
            .info());
        }
        // The ladder is never empty here, so the loop sets it before it is read.
        let mut why = ErrorInfo::new(ErrorCode::Internal, String::new());
        for (i, rung) in ladder.iter().enumerate() {
            why = match self
                .tool_loop(&rung.target, messages.clone(), None, true)
                .await
            {
                Ok(answer) if !answer.trim().is_empty() => return Ok(answer),
                // An empty answer is the provider's failure to answer, and another try (or a
                // better model) may well give one: `Upstream`, which is retryable.
                Ok(_) => ErrorInfo::new(ErrorCode::Upstream, "it answered with nothing"),
                Err(Halt::Failed(error)) => error.info(),
                Err(Halt::Stop(why)) => return Err(why),
            };
            if let Some(next) = ladder.get(i + 1) {
                self.escalate(&rung.target, &next.target, &why.message, None);
            }
        }
        if ladder.len() > 1 {
            // The last failure's code and retryability stand for the whole ladder.
            why.message = format!(
                "all {} candidate models failed; the last: {}",
                ladder.len(),
                why.message
            );
        }
        Err(why)
    }

    /// Records switching from a failed model to the next one.
    fn escalate(&mut self, from: &AgentTarget, to: &AgentTarget, why: &str, stage: Option<&str>) {
        let label = to.label();
        self.emit(RunEvent::Started {
            index: self.steps.len(),
            kind: StepKind::Escalation,
            label: &label,
        });
        self.finish(Step {
            kind: StepKind::Escalation,
            model: Some(label.clone()),
            tool: None,
            cost_usd: Usd::ZERO,
            tokens: 0,
            ms: 0,
            stage: stage.map(str::to_owned),
            detail: format!("{} failed ({why}); trying {label}", from.label()),
            error: None,
        });
    }

    /// What is left of the task's budget, if it has one.
    fn budget_left(&self) -> Option<Usd> {
        self.spec.budget_usd.map(|budget| budget - self.cost)
    }

    fn emit(&mut self, event: RunEvent<'_>) {
        (self.on_event)(event);
    }

    /// Adds a finished step to the report and its totals.
    fn finish(&mut self, step: Step) {
        self.cost += step.cost_usd;
        self.tokens += step.tokens;
        self.steps.push(step);
        if let Some(step) = self.steps.last() {
            (self.on_event)(RunEvent::Finished(step));
        }
    }
}

/// The request's `model`: the id for a model target; empty for a route, whose model the
/// engine picks.
fn model_id(target: &AgentTarget) -> String {
    match target {
        AgentTarget::Model { model, .. } => model.clone(),
        AgentTarget::Route { .. } => String::new(),
    }
}
