//! The router's configuration as data: routes of targets, rules that choose them, breaker and
//! rate-limit settings. The same types are stored in SQLite (as JSON), shown and edited in the
//! UI, and written to and read from a TOML file, so their field names are the file's keys
//! (snake_case, as TOML files are written).

use serde::{Deserialize, Serialize};
use switchboard_core::{ProviderId, SamplingParams};

/// Everything the router is told by the user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Named sets of targets.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Evaluated top to bottom; the first enabled rule that matches decides.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// When a target's circuit opens and how it recovers.
    #[serde(default)]
    pub breaker: BreakerSettings,
    /// Requests and tokens per minute, per provider or per key.
    #[serde(default)]
    pub limits: Vec<RateLimit>,
    /// Health checks.
    #[serde(default)]
    pub health: HealthSettings,
}

/// A set of targets, a strategy to order them and a policy for failing over between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Unique; what rules, the CLI (`--route`) and chats name.
    pub name: String,
    /// How the first target is chosen (the rest follow as fallbacks).
    #[serde(default)]
    pub strategy: Strategy,
    /// For [`Strategy::Openrouter`]: OpenRouter's `provider.sort` (`price`, `throughput`,
    /// `latency`); unset lets OpenRouter balance by price and uptime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openrouter_sort: Option<String>,
    /// For [`Strategy::Smart`]: how much cost counts against quality, from 0 (quality only)
    /// upward; 1 lets a target that costs as much as the dearest lose a whole quality scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_weight: Option<f64>,
    /// Where requests may go, in the user's order of preference.
    pub targets: Vec<Target>,
    /// What happens when a target fails.
    #[serde(default)]
    pub failover: Failover,
}

/// One place a request can go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// `openrouter`, `openai`, `anthropic` or `custom:<uuid>`.
    pub provider: ProviderId,
    /// The model id as that provider names it.
    pub model: String,
    /// Relative share for [`Strategy::Weighted`].
    #[serde(default = "one")]
    pub weight: u32,
    /// Requests this target may have in flight at once; more wait or go elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// OpenRouter `provider` preferences (`order`, `only`, `ignore`, `sort`,
    /// `data_collection`…), passed through as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openrouter: Option<serde_json::Value>,
}

fn one() -> u32 {
    1
}

/// How a route orders its targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The order written.
    #[default]
    Priority,
    /// Each request starts one further down the list.
    RoundRobin,
    /// Random, in proportion to each target's weight.
    Weighted,
    /// The target with the fewest requests in flight.
    LeastBusy,
    /// The lowest predicted cost of this request (its tokens times each target's prices).
    LowestCost,
    /// The fastest by moving averages of time to first token and throughput, choosing between
    /// two random targets so traffic does not herd onto one.
    LowestLatency,
    /// Success rate weighed with latency and cost.
    Performance,
    /// One request to OpenRouter with the other targets as its `models[]` fallbacks and
    /// `openrouter_sort` as `provider.sort`: OpenRouter decides.
    Openrouter,
    /// Learns which target answers each task type well (from failures, thumbs and votes in
    /// comparisons) and weighs that against cost with `cost_weight`: Thompson sampling.
    Smart,
}

impl Strategy {
    /// Every strategy, in the order the UI lists them.
    pub const ALL: [Self; 9] = [
        Self::Priority,
        Self::RoundRobin,
        Self::Weighted,
        Self::LeastBusy,
        Self::LowestCost,
        Self::LowestLatency,
        Self::Performance,
        Self::Openrouter,
        Self::Smart,
    ];

    /// Its name in files and on the wire (what serde writes), without serializing: the
    /// decision's summary names it on every request.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Priority => "priority",
            Self::RoundRobin => "round_robin",
            Self::Weighted => "weighted",
            Self::LeastBusy => "least_busy",
            Self::LowestCost => "lowest_cost",
            Self::LowestLatency => "lowest_latency",
            Self::Performance => "performance",
            Self::Openrouter => "openrouter",
            Self::Smart => "smart",
        }
    }
}

/// How to move on when a target fails before its first token.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Failover {
    /// When the next attempt starts.
    pub mode: FailoverMode,
    /// [`FailoverMode::Delayed`]: the fixed wait, ms.
    pub wait_ms: u32,
    /// [`FailoverMode::Gradual`]: the first backoff, ms (doubles each attempt, with jitter).
    pub base_ms: u32,
    /// [`FailoverMode::Gradual`]: the longest backoff, ms.
    pub max_ms: u32,
    /// Attempts in all, over every target and retry.
    pub max_attempts: u32,
    /// Extra tries of the same target after a 5xx, timeout or network failure.
    pub retries_per_target: u32,
    /// A `Retry-After` up to this long is waited out when no other target is left; a longer
    /// one fails the request with the time to retry.
    pub max_retry_after_ms: u32,
}

impl Default for Failover {
    fn default() -> Self {
        Self {
            mode: FailoverMode::Immediate,
            wait_ms: 1_000,
            base_ms: 500,
            max_ms: 8_000,
            max_attempts: 4,
            retries_per_target: 1,
            max_retry_after_ms: 10_000,
        }
    }
}

/// When the next attempt starts after a failure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FailoverMode {
    /// At once.
    #[default]
    Immediate,
    /// After a fixed wait.
    Delayed,
    /// After an exponential backoff with jitter, never sooner than `Retry-After`.
    Gradual,
}

/// "When a request looks like this, do that."
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Shown in the editor and the explain view.
    pub name: String,
    /// A disabled rule is skipped (and the explain view says so).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// All given conditions must hold; none given matches every request.
    #[serde(default)]
    pub when: Conditions,
    /// What to do.
    pub then: Action,
}

fn yes() -> bool {
    true
}

/// What a rule matches on. Lists match when any entry does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    /// The request's task type tag (`code`, `summarize`…), set by the user, a chat or an agent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task: Vec<String>,
    /// The requested model id; `*` matches any run of characters (`anthropic/*`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model: Vec<String>,
    /// The requested route name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<String>,
    /// At least this many estimated prompt tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_prompt_tokens: Option<u64>,
    /// At most this many estimated prompt tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_prompt_tokens: Option<u64>,
    /// The request carries any of these inputs (`image`, `file`, `audio`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// The request needs all of these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    /// The agent sending it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub agent: Vec<String>,
    /// The conversation it belongs to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conversation: Vec<String>,
    /// The name of the client key the request came with through the local API, regardless of
    /// case; `*` matches any run of characters (`claude-*`). The app's and the CLI's own
    /// requests come with none, so a rule with this condition never matches them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client: Vec<String>,
}

/// What a matching rule does: use a route (optionally setting parameters), only set
/// parameters, or block the request with a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Action {
    /// The route to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Parameters to set on the request, overriding the request's. Unknown names are refused
    /// (`SamplingParams` denies unknown fields), so a typo in the TOML is an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<SamplingParams>,
    /// Refuse the request, telling the user this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
}

/// A kind of input a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Text (every request).
    Text,
    /// Images.
    Image,
    /// Files (PDF and the like).
    File,
    /// Audio.
    Audio,
}

impl Modality {
    /// The catalogue's name for it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "text" => Some(Self::Text),
            "image" => Some(Self::Image),
            "file" => Some(Self::File),
            "audio" => Some(Self::Audio),
            _ => None,
        }
    }

    /// Its name in files and on the wire (what serde writes).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::File => "file",
            Self::Audio => "audio",
        }
    }
}

/// Something a request needs the model to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Calling tools.
    Tools,
    /// Reading images.
    Vision,
    /// Answering in JSON (`response_format`).
    Json,
    /// Reasoning (thinking) options.
    Reasoning,
}

impl Capability {
    /// Its name in files and on the wire (what serde writes).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Tools => "tools",
            Self::Vision => "vision",
            Self::Json => "json",
            Self::Reasoning => "reasoning",
        }
    }
}

/// Opening and closing a target's circuit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct BreakerSettings {
    /// Consecutive failures that open the circuit.
    pub consecutive_failures: u32,
    /// Failure share over the last `window` requests that opens it (0–1).
    pub failure_rate: f64,
    /// How many recent requests the failure rate looks at (it needs a full window).
    pub window: u32,
    /// How long the circuit stays open before a trial request, ms.
    pub open_ms: u32,
    /// Each failed trial doubles the open time, up to this, ms.
    pub max_open_ms: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        Self {
            consecutive_failures: 3,
            failure_rate: 0.5,
            window: 20,
            open_ms: 30_000,
            max_open_ms: 600_000,
        }
    }
}

/// A requests-per-minute and tokens-per-minute ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// The provider it applies to.
    pub provider: ProviderId,
    /// One key: its last four characters as Settings shows them (`••••a1b2` → `a1b2`); unset
    /// = every key of the provider together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Requests per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u32>,
    /// Tokens per minute (estimated prompt plus expected output when sent, corrected by the
    /// provider's usage when the answer ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u32>,
}

/// How target health is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct HealthSettings {
    /// Probe open circuits with a one-token completion (billed). Off: probes use free
    /// endpoints (the model list or the key) and real traffic.
    pub active_probes: bool,
    /// Seconds between probes of an open circuit.
    pub probe_every_s: u32,
}

impl Default for HealthSettings {
    fn default() -> Self {
        Self {
            active_probes: false,
            probe_every_s: 60,
        }
    }
}

/// The largest configuration the router takes. Each bound is far past any real use and short
/// of what hangs a request or slows every command: a wait of `u32::MAX` ms is 49.7 days, and
/// half a million routes add seconds to each decision.
pub mod bounds {
    /// A failover wait (`wait_ms`, `base_ms`, `max_ms`, `max_retry_after_ms`), ms: ten
    /// minutes. A longer wait looks like a hang to the person waiting.
    pub const MAX_WAIT_MS: u32 = 600_000;
    /// `max_attempts` and `retries_per_target`.
    pub const MAX_ATTEMPTS: u32 = 20;
    /// How long a breaker keeps a circuit open (`open_ms`, `max_open_ms`), ms: one hour.
    pub const MAX_OPEN_MS: u32 = 3_600_000;
    /// The breaker's `consecutive_failures` and `window`.
    pub const MAX_BREAKER_COUNT: u32 = 1_000;
    /// Seconds between health probes: one day.
    pub const MAX_PROBE_EVERY_S: u32 = 86_400;
    /// Routes in a configuration.
    pub const MAX_ROUTES: usize = 1_000;
    /// Rules in a configuration.
    pub const MAX_RULES: usize = 1_000;
    /// Rate limits in a configuration.
    pub const MAX_LIMITS: usize = 1_000;
    /// Targets in one route.
    pub const MAX_TARGETS: usize = 100;
    /// Entries in one of a rule's condition lists.
    pub const MAX_LIST_ENTRIES: usize = 1_000;
    /// Characters in a name, a model id or a condition entry.
    pub const MAX_NAME_CHARS: usize = 200;
    /// Characters in a rule's block message.
    pub const MAX_MESSAGE_CHARS: usize = 2_000;
    /// Bytes in a routing file.
    pub const MAX_FILE_BYTES: usize = 1 << 20;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::serde_name;

    /// The hand-written names are what serde writes, so the explain view reads the same as the
    /// configuration file.
    #[test]
    fn names_are_the_serde_names() {
        for s in Strategy::ALL {
            assert_eq!(s.name(), serde_name(&s));
        }
        for m in [
            Modality::Text,
            Modality::Image,
            Modality::File,
            Modality::Audio,
        ] {
            assert_eq!(m.name(), serde_name(&m));
            assert_eq!(Modality::parse(m.name()), Some(m));
        }
        for c in [
            Capability::Tools,
            Capability::Vision,
            Capability::Json,
            Capability::Reasoning,
        ] {
            assert_eq!(c.name(), serde_name(&c));
        }
    }
}
