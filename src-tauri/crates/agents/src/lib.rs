//! Switchboard's agents: a task in, a result and what it cost out.
//!
//! It owns what an agent is (its spec, the templates it can start from), the task loop (model
//! turns, tool calls, approvals, a step cap and a per-task budget), conversation memory (a
//! token-budgeted window, summaries of older turns, pinned facts), the multi-model and
//! cost-aware plans, and the tools (calculator, clock, a folder the user chose, HTTP GET when
//! allowed, and MCP servers over stdio).
//!
//! It does not send requests or store anything itself: model calls go through [`Model`],
//! which the engine implements on its router (so rules, failover, rate limits and budgets apply
//! to agents as to chats), and the engine persists specs, memory and runs.

mod error;
mod event;
mod memory;
mod model;
mod plan;
mod run;
mod spec;
mod task;
mod templates;
pub mod tools;
mod validate;

pub use error::AgentError;
pub use event::{AgentEvent, RunView};
pub use memory::{Memory, MemoryTurn};
pub use model::{Model, ModelCall, ModelReply};
pub use plan::{Rung, escalation_ladder};
pub use run::{Approver, RunEvent, run_task};
pub use spec::{AgentSpec, AgentTarget, McpEnv, McpServer, MemoryPolicy, Plan, Stage, ToolGrant};
pub use task::{Step, StepKind, Task, TaskReport};
pub use templates::{Template, templates};
pub use validate::MAX_STEPS;
