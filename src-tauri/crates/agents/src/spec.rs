//! What an agent is, as data: stored by the engine, edited in the Agents screen.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use switchboard_core::{ProviderId, SamplingParams, Usd};

/// Where an agent's model calls go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AgentTarget {
    /// One model at one provider (the router still applies breakers, limits and budgets).
    Model {
        /// The provider.
        provider: ProviderId,
        /// The model id as the provider names it.
        model: String,
    },
    /// A route by name: the router picks the target and fails over.
    Route {
        /// The route's name.
        route: String,
    },
}

impl AgentTarget {
    /// Short text for traces: `openrouter/openai/gpt-4o-mini` or `route code`.
    pub fn label(&self) -> String {
        match self {
            Self::Model { provider, model } => format!("{provider}/{model}"),
            Self::Route { route } => format!("route {route}"),
        }
    }
}

/// A tool the user has granted the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToolGrant {
    /// Arithmetic.
    Calculator,
    /// The current date and time.
    Clock,
    /// Listing and reading files inside one folder the user chose (never outside it).
    ReadFiles {
        /// The folder.
        root: PathBuf,
    },
    /// HTTP GET; off unless granted. Never reaches a loopback, private, link-local or other
    /// non-public address unless `hosts` lists that exact address.
    HttpGet {
        /// Hosts it may fetch from without asking: `docs.rs` (ports 80 and 443 only),
        /// `example.com:8080` (that port), or an IP address (the only way to allow a private
        /// one).
        #[serde(default)]
        hosts: Vec<String>,
        /// Also any other public host, once the user approves it (once per host in a task;
        /// the CLI declines unless run with `--yes`). Specs saved before this field read as
        /// `false`, and an empty `hosts` without it also asks per host: it used to mean any
        /// host, and is no longer allowed silently.
        #[serde(default)]
        any_public_host: bool,
    },
    /// Every tool of one configured MCP server.
    Mcp {
        /// The server's name (see [`McpServer`]).
        server: String,
    },
}

/// An MCP server started over stdio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct McpServer {
    /// A name unique among servers.
    pub name: String,
    /// The program.
    pub command: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Environment variables it is started with, on top of the few it inherits (see
    /// `tools/mcp.rs`). Their values are secrets (tokens, mostly): the engine keeps them in
    /// the OS keychain, never in the stored config or a listing.
    #[serde(default)]
    pub env: Vec<McpEnv>,
    /// Tools that may run without asking. Only the user's list counts: a server's own
    /// `readOnlyHint` is its claim about itself, which an untrusted server can make falsely.
    #[serde(default)]
    pub trusted_tools: Vec<String>,
    /// Seconds one tool call may take before it counts as hung; `None` is
    /// [`McpServer::DEFAULT_CALL_TIMEOUT_SECS`]. Per server because some tools (a build, a crawl)
    /// legitimately take minutes while most answer at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_timeout_secs: Option<u32>,
}

/// One environment variable of an [`McpServer`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct McpEnv {
    /// Its name, e.g. `GITHUB_TOKEN`.
    pub name: String,
    /// Its value. Travels only inward: in a save, a new value (absent keeps the stored one),
    /// and from the engine to the server it starts. Never in a listing or a stored config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The stored value masked (`••••abcd`), in listings; absent when none is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

impl McpEnv {
    /// A variable with its value, as a save or a start carries it.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
            masked: None,
        }
    }
}

/// The value is a secret: `Debug` (logs, panics) shows only whether there is one.
impl std::fmt::Debug for McpEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpEnv")
            .field("name", &self.name)
            .field("value", &self.value.as_ref().map(|_| "[REDACTED]"))
            .field("masked", &self.masked)
            .finish()
    }
}

impl McpServer {
    /// A call's limit when the server sets none.
    pub const DEFAULT_CALL_TIMEOUT_SECS: u32 = 120;
    /// The longest limit a server may set: an hour; past that a call is not a tool call.
    pub const MAX_CALL_TIMEOUT_SECS: u32 = 3600;
}

/// How much of the conversation an agent keeps in its prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct MemoryPolicy {
    /// Tokens of past turns (summary included) that go into each prompt.
    pub window_tokens: u32,
    /// The most recent turns always kept word for word.
    pub keep_recent: u32,
    /// Who writes the summaries; `None` means the agent's own target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summarize_with: Option<AgentTarget>,
}

impl Default for MemoryPolicy {
    fn default() -> Self {
        Self {
            window_tokens: 6_000,
            keep_recent: 4,
            summarize_with: None,
        }
    }
}

/// One step of a multi-model plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Stage {
    /// Shown in traces, e.g. "draft", "review".
    pub name: String,
    /// Who does it.
    pub target: AgentTarget,
    /// What this stage is told, on top of the agent's system prompt; it sees the previous
    /// stage's output.
    pub instruction: String,
    /// Tried when `target` fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<AgentTarget>,
}

/// How the agent uses models.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plan {
    /// Every step on the agent's target.
    #[default]
    Single,
    /// Stages in order on their own models (a cheap draft, a strong review).
    Staged {
        /// In order.
        stages: Vec<Stage>,
    },
    /// The cheapest candidate whose learned quality for the task type meets `quality_bar`
    /// and whose predicted cost fits the remaining budget; on failure, the next one up.
    CostAware {
        /// The models it may use.
        candidates: Vec<AgentTarget>,
        /// 0..1: the smallest expected success rate acceptable.
        quality_bar: f64,
    },
}

/// An agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AgentSpec {
    /// Unique; how the CLI and rules name it.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The template it started from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Its instructions.
    pub system_prompt: String,
    /// Where its calls go.
    pub target: AgentTarget,
    /// Sampling parameters for every call the agent makes.
    #[serde(default)]
    pub params: SamplingParams,
    /// Tools it may use.
    #[serde(default)]
    pub tools: Vec<ToolGrant>,
    /// Conversation memory.
    #[serde(default)]
    pub memory: MemoryPolicy,
    /// The most one task may cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<Usd>,
    /// The most model turns one task may take.
    pub max_steps: u32,
    /// The task type tag for rules and the smart router, e.g. "code", "summarize".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_type: Option<String>,
    /// How models are used.
    #[serde(default)]
    pub plan: Plan,
    /// When set, the final result must be JSON valid against this schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<serde_json::Value>,
}
