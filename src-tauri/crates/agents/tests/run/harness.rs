//! A scripted model, simple tools and approvers, and a runner that records every event.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use switchboard_agents::tools::{Tool, ToolFuture, Toolbox};
use switchboard_agents::{
    AgentError, AgentSpec, AgentTarget, Approver, Memory, Model, ModelCall, ModelReply, RunEvent,
    Rung, Task, TaskReport, run_task,
};
use switchboard_core::{
    BuiltinProvider, Delta, ErrorCode, ErrorInfo, Message, Role, ToolCall, ToolSpec, Usage, Usd,
};
use tokio_util::sync::CancellationToken;

pub(crate) fn usd(amount: &str) -> Usd {
    Usd::parse(amount).unwrap()
}

pub(crate) fn target(model: &str) -> AgentTarget {
    AgentTarget::Model {
        provider: BuiltinProvider::OpenRouter.id(),
        model: model.into(),
    }
}

/// An agent on `openrouter/m1` with a calm temperature and room for ten turns.
pub(crate) fn spec() -> AgentSpec {
    AgentSpec {
        name: "tester".into(),
        description: String::new(),
        template: None,
        system_prompt: "You test things.".into(),
        target: target("m1"),
        params: switchboard_core::SamplingParams {
            temperature: Some(0.2),
            max_tokens: Some(500),
            reasoning_effort: None,
        },
        tools: Vec::new(),
        memory: Default::default(),
        budget_usd: None,
        max_steps: 10,
        task_type: Some("code".into()),
        plan: Default::default(),
        output_schema: None,
    }
}

pub(crate) fn task() -> Task {
    Task {
        title: "Count".into(),
        description: "Count twice, then say done.".into(),
        inputs: [("unit".to_owned(), "apples".to_owned())].into(),
    }
}

/// A final answer.
pub(crate) fn answer(
    text: &str,
    cost: &str,
    prompt_tokens: u64,
    completion_tokens: u64,
) -> ModelReply {
    reply(
        Message::text(Role::Assistant, text),
        cost,
        prompt_tokens,
        completion_tokens,
    )
}

/// A turn that calls tools: `(id, name, arguments)`.
pub(crate) fn calls(text: &str, calls: &[(&str, &str, &str)], cost: &str) -> ModelReply {
    let mut message = Message::text(Role::Assistant, text);
    message.tool_calls = calls
        .iter()
        .map(|(id, name, arguments)| ToolCall {
            id: (*id).into(),
            name: (*name).into(),
            arguments: (*arguments).into(),
        })
        .collect();
    reply(message, cost, 10, 5)
}

fn reply(message: Message, cost: &str, prompt_tokens: u64, completion_tokens: u64) -> ModelReply {
    ModelReply {
        message,
        usage: Usage {
            prompt_tokens,
            completion_tokens,
            ..Usage::default()
        },
        cost: usd(cost),
        // Filled with the call's target by the script, so steps show who was asked.
        model: String::new(),
        ms: 7,
    }
}

/// A failed model call: a retryable one as a provider's 5xx, the other as a 400.
pub(crate) fn failure(message: &str, retryable: bool) -> AgentError {
    let code = if retryable {
        ErrorCode::Upstream
    } else {
        ErrorCode::BadRequest
    };
    AgentError::model(ErrorInfo::new(code, message))
}

/// What the report says stopped the task, in words.
pub(crate) fn said(report: &TaskReport) -> Option<&str> {
    report.error.as_ref().map(|e| e.message.as_str())
}

/// A run as its snapshot holds it: the events as [`run`] renders them, then the report.
/// A step's wall time is the one thing that changes between runs (tools and failed calls are
/// timed for real), so every step's `ms` reads `[ms]`; insta's redactions would need its
/// `redactions` feature, and a parser with it, for this one field.
pub(crate) fn trace(report: &TaskReport, events: &[String]) -> serde_json::Value {
    let mut report = serde_json::to_value(report).unwrap();
    for step in report["steps"].as_array_mut().into_iter().flatten() {
        step["ms"] = "[ms]".into();
    }
    serde_json::json!({ "events": events, "report": report })
}

/// What `appraise` was asked: candidates, task type, prompt tokens, output cap.
pub(crate) type Appraisal = (Vec<AgentTarget>, Option<String>, u64, Option<u32>);

/// A model that plays back replies in order and records every call. With nothing left to
/// play it never answers, like a stalled provider.
#[derive(Default)]
pub(crate) struct Script {
    replies: Mutex<VecDeque<Result<ModelReply, AgentError>>>,
    calls: Mutex<Vec<ModelCall>>,
    rungs: Mutex<Vec<Rung>>,
    appraisals: Mutex<Vec<Appraisal>>,
}

impl Script {
    pub(crate) fn new(replies: Vec<Result<ModelReply, AgentError>>) -> Self {
        Self {
            replies: Mutex::new(replies.into()),
            ..Self::default()
        }
    }

    pub(crate) fn with_rungs(self, rungs: Vec<Rung>) -> Self {
        *self.rungs.lock().unwrap() = rungs;
        self
    }

    pub(crate) fn calls(&self) -> Vec<ModelCall> {
        self.calls.lock().unwrap().clone()
    }

    pub(crate) fn appraisals(&self) -> Vec<Appraisal> {
        self.appraisals.lock().unwrap().clone()
    }

    pub(crate) fn left(&self) -> usize {
        self.replies.lock().unwrap().len()
    }
}

impl Model for Script {
    fn send(
        &self,
        call: ModelCall,
        on_delta: &mut (dyn FnMut(&Delta) + Send),
    ) -> impl Future<Output = Result<ModelReply, AgentError>> + Send {
        let label = call.target.label();
        self.calls.lock().unwrap().push(call);
        let next = self.replies.lock().unwrap().pop_front();
        if let Some(Ok(reply)) = &next {
            let text = reply.message.joined_text();
            if !text.is_empty() {
                on_delta(&Delta::Text { text });
            }
        }
        async move {
            match next {
                Some(Ok(mut reply)) => {
                    reply.model = label;
                    Ok(reply)
                }
                Some(Err(error)) => Err(error),
                None => std::future::pending().await,
            }
        }
    }

    fn appraise(
        &self,
        candidates: &[AgentTarget],
        task_type: Option<&str>,
        prompt_tokens: u64,
        max_tokens: Option<u32>,
    ) -> impl Future<Output = Vec<Rung>> + Send {
        self.appraisals.lock().unwrap().push((
            candidates.to_vec(),
            task_type.map(str::to_owned),
            prompt_tokens,
            max_tokens,
        ));
        let rungs = self.rungs.lock().unwrap().clone();
        async move { rungs }
    }
}

/// Counts its calls: "count is N". With side effects the user must approve each call.
pub(crate) struct Counter {
    pub(crate) name: &'static str,
    pub(crate) side_effects: bool,
    pub(crate) count: Arc<AtomicUsize>,
}

impl Counter {
    pub(crate) fn boxed(
        name: &'static str,
        side_effects: bool,
    ) -> (Box<dyn Tool>, Arc<AtomicUsize>) {
        let count = Arc::new(AtomicUsize::new(0));
        let tool = Self {
            name,
            side_effects,
            count: count.clone(),
        };
        (Box::new(tool), count)
    }
}

impl Tool for Counter {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.name.into(),
            description: Some("Adds one and says the count.".into()),
            parameters: serde_json::json!({"type": "object", "properties": {}}),
        }
    }

    fn side_effects(&self) -> bool {
        self.side_effects
    }

    fn call(&self, _args: serde_json::Value) -> ToolFuture<'_> {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(format!("count is {n}")) })
    }
}

/// Asks once per `key` argument, as http_get asks once per new host; answers with the key.
pub(crate) struct OncePerKey {
    pub(crate) approved: Mutex<Vec<String>>,
}

fn key_of(args: &serde_json::Value) -> String {
    args["key"].as_str().unwrap_or_default().to_owned()
}

impl Tool for OncePerKey {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "per_key".into(),
            description: None,
            parameters: serde_json::json!({"type": "object"}),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn needs_approval(&self, args: &serde_json::Value) -> bool {
        !self.approved.lock().unwrap().contains(&key_of(args))
    }

    fn approved(&self, args: &serde_json::Value) {
        self.approved.lock().unwrap().push(key_of(args));
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move { Ok(format!("fetched {}", key_of(&args))) })
    }
}

/// Always fails, as a tool whose disk is full would.
pub(crate) struct Broken;

impl Tool for Broken {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "broken".into(),
            description: None,
            parameters: serde_json::json!({"type": "object"}),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn call(&self, _args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async { Err(AgentError::tool("broken", "disk full")) })
    }
}

pub(crate) fn toolbox(tools: Vec<Box<dyn Tool>>) -> Toolbox {
    Toolbox::from_tools(tools)
}

/// Says yes, no, or never answers; remembers what it was asked.
pub(crate) struct Asker {
    answer: Option<bool>,
    pub(crate) asked: Mutex<Vec<(String, serde_json::Value)>>,
}

impl Asker {
    pub(crate) fn yes() -> Self {
        Self::new(Some(true))
    }

    pub(crate) fn no() -> Self {
        Self::new(Some(false))
    }

    /// Never answers, like a user away from the screen.
    pub(crate) fn away() -> Self {
        Self::new(None)
    }

    fn new(answer: Option<bool>) -> Self {
        Self {
            answer,
            asked: Mutex::new(Vec::new()),
        }
    }
}

impl Approver for Asker {
    fn approve(&self, tool: &str, args: &serde_json::Value) -> impl Future<Output = bool> + Send {
        self.asked
            .lock()
            .unwrap()
            .push((tool.to_owned(), args.clone()));
        let answer = self.answer;
        async move {
            match answer {
                Some(answer) => answer,
                None => std::future::pending().await,
            }
        }
    }
}

/// Checks at compile time that a task can run on a spawned (multi-threaded) task.
fn sendable<F: Future + Send>(future: F) -> F {
    future
}

/// Runs a task and returns its report and every event, rendered as one line each.
/// [`run`] with empty memory, no tools, a user who approves, and no stop: the common case.
pub(crate) async fn run_plain(spec: &AgentSpec, model: &Script) -> (TaskReport, Vec<String>) {
    run(
        spec,
        &mut Memory::default(),
        model,
        &toolbox(Vec::new()),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await
}

pub(crate) async fn run(
    spec: &AgentSpec,
    memory: &mut Memory,
    model: &Script,
    tools: &Toolbox,
    approver: &Asker,
    cancel: &CancellationToken,
) -> (TaskReport, Vec<String>) {
    let mut events = Vec::new();
    let mut record = |event: RunEvent<'_>| {
        events.push(match event {
            RunEvent::Started { index, kind, label } => format!("start {index} {kind:?} {label}"),
            RunEvent::Delta(Delta::Text { text }) => format!("delta {text}"),
            RunEvent::Delta(other) => format!("delta {other:?}"),
            RunEvent::Finished(step) => format!("finish {:?}", step.kind),
            RunEvent::Approval { tool, args } => format!("approval {tool} {args}"),
        });
    };
    let report = sendable(run_task(
        spec,
        &task(),
        memory,
        model,
        tools,
        approver,
        cancel,
        &mut record,
    ))
    .await;
    (report, events)
}
