//! Conversations as the Chat screen sees them: columns (one model each), turns (the user's
//! messages, branching when edited), answers (one per column per turn, several when
//! regenerated), their numbers, and the events that stream them.

use serde::{Deserialize, Serialize};

use crate::chat::ToolCall;
use crate::error::ErrorInfo;
use crate::ids::{AnswerId, ColumnId, ConversationId, TurnId};
use crate::money::Usd;
use crate::openrouter::ProviderPreferences;
use crate::provider::ProviderId;
use crate::sampling::SamplingParams;

/// The parameters a column sends with every request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ModelParams {
    /// Temperature, output cap and reasoning effort; snake_case inside this otherwise
    /// camelCase struct, as everywhere they are set (see `SamplingParams`).
    #[serde(flatten)]
    pub sampling: SamplingParams,
    /// A system prompt for this column.
    pub system: Option<String>,
    /// Send through this route (its fallbacks, breakers and limits) instead of straight to
    /// the column's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub route: Option<String>,
    /// A task type tag for the routing rules (`code`, `summarize`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub task: Option<String>,
    /// OpenRouter's provider preferences for this column (sort, max price); other providers
    /// ignore them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub openrouter: Option<ProviderPreferences>,
}

/// One model in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnSpec {
    /// Which provider.
    pub provider: ProviderId,
    /// The model id as that provider names it.
    pub model: String,
    /// Its parameters.
    pub params: ModelParams,
}

/// Where an answer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    /// Still arriving.
    Streaming,
    /// Complete.
    Complete,
    /// Stopped by the user; what arrived is kept.
    Cancelled,
    /// The provider failed; what arrived is kept.
    Failed,
    /// The app stopped mid-stream (crash, kill, power); what arrived is kept.
    Interrupted,
}

/// The numbers shown on an answer. Cost is an exact decimal string; `None` means unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AnswerStats {
    /// Input tokens.
    pub prompt_tokens: u32,
    /// Output tokens (reasoning included).
    pub completion_tokens: u32,
    /// Output tokens spent reasoning.
    pub reasoning_tokens: u32,
    /// Input tokens read from cache.
    pub cached_tokens: u32,
    /// What it cost.
    pub cost: Option<Usd>,
    /// `provider` (exact), `estimate`, `unknown`, `not_billed` (the provider refused it and
    /// billed nothing) or `not_sent` (refused before sending, by a budget say).
    pub cost_source: String,
    /// Time to first token, ms.
    pub ttft_ms: Option<u32>,
    /// Total time, ms.
    pub latency_ms: Option<u32>,
    /// Output tokens per second after the first token.
    pub tokens_per_second: Option<f64>,
    /// The upstream provider that served (OpenRouter's `provider`, e.g. "Anthropic").
    pub served_by: Option<String>,
    /// The model that served.
    pub model: Option<String>,
    /// Our provider the request went to, when one was sent (a rule or a route may have sent
    /// it elsewhere than the column's own). Stats recorded before this field read as unknown
    /// (`serde(default)`), yet the UI always receives it (`specta(optional = false)`).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional = false))]
    pub provider: Option<ProviderId>,
    /// That provider's name as people know it (a custom server's own name).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional = false))]
    pub provider_name: Option<String>,
    /// The route that sent it, if one did.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional = false))]
    pub route: Option<String>,
    /// How many requests were sent for this answer (failover and retries each send one;
    /// 0: refused before anything was sent).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional = false))]
    pub attempts: u32,
    /// OpenRouter served it with the person's own provider key (BYOK): `cost` is OpenRouter's
    /// fee, and the provider billed `upstream_cost` to their own account.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub is_byok: bool,
    /// For a BYOK answer, what the provider charged the person's own account; shown apart and
    /// never counted in spend or budgets (OpenRouter did not charge it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub upstream_cost: Option<Usd>,
}

/// One answer of one column to one turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AnswerView {
    /// Its id.
    pub id: AnswerId,
    /// The column it belongs to.
    pub column_id: ColumnId,
    /// The turn it answers.
    pub turn_id: TurnId,
    /// The text.
    pub content: String,
    /// Reasoning text.
    pub reasoning: String,
    /// Tool calls it made.
    pub tool_calls: Vec<ToolCall>,
    /// Where it stands.
    pub status: AnswerStatus,
    /// Why it failed.
    pub error: Option<ErrorInfo>,
    /// Its numbers (from its ledger row).
    pub stats: AnswerStats,
    /// Which attempt this is (1 = first; regenerating adds attempts, older ones are kept).
    pub attempt: u32,
    /// How many attempts exist for this turn and column.
    pub attempts: u32,
    /// The user's thumb on it, kept with it.
    pub thumb: Option<Thumb>,
    /// Picked as the best answer of its turn in a side-by-side vote.
    pub best: bool,
    /// Web pages the answer cites (OpenRouter's web search `url_citation` annotations).
    pub citations: Vec<Citation>,
}

/// A thumb on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Thumb {
    /// A good answer.
    Up,
    /// A poor answer.
    Down,
}

impl Thumb {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }

    /// From its stored form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "up" => Some(Self::Up),
            "down" => Some(Self::Down),
            _ => None,
        }
    }
}

/// A source an answer cites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// The page.
    pub url: String,
    /// Its title, when the provider gave one.
    #[serde(default)]
    pub title: Option<String>,
}

/// A file given with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attachment {
    /// An image, sent as an image part to models that take images.
    Image {
        /// File name, for display.
        name: String,
        /// `data:image/...;base64,...`.
        data_url: String,
    },
    /// A text file, sent as context before the message.
    Text {
        /// File name, for display and as a heading in the context.
        name: String,
        /// Its text.
        text: String,
    },
}

/// One user message and every column's answer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TurnView {
    /// Its id.
    pub id: TurnId,
    /// The user's text.
    pub text: String,
    /// Files given with it.
    pub attachments: Vec<Attachment>,
    /// The answers on the displayed path, one per column that answered.
    pub answers: Vec<AnswerView>,
    /// Sibling versions of this turn (edits), in order, and which one this is (1-based).
    pub version: u32,
    /// How many versions exist.
    pub versions: u32,
    /// When it was sent, Unix ms.
    pub created_ms: i64,
}

/// A column as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnView {
    /// Its id.
    pub id: ColumnId,
    /// Position, left to right.
    pub position: u32,
    /// Provider, model and parameters.
    pub spec: ColumnSpec,
    /// False once "continue with another column" retired it.
    pub active: bool,
    /// What this column's answers cost in total (known costs only).
    pub total_cost: Usd,
    /// How many of its answers have an unknown cost.
    pub unknown_costs: u32,
}

/// A conversation as opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    /// Its id.
    pub id: ConversationId,
    /// Its title.
    pub title: String,
    /// Pinned to the top of the sidebar.
    pub pinned: bool,
    /// Private: every OpenRouter request of it asks for zero data retention and no provider
    /// that collects data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub private: bool,
    /// The columns.
    pub columns: Vec<ColumnView>,
    /// The turns on the displayed path, oldest first.
    pub turns: Vec<TurnView>,
    /// What the whole conversation cost (known costs only).
    pub total_cost: Usd,
    /// How many answers have an unknown cost.
    pub unknown_costs: u32,
}

/// A conversation in the sidebar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    /// Its id.
    pub id: ConversationId,
    /// Its title.
    pub title: String,
    /// Pinned to the top.
    pub pinned: bool,
    /// Last activity, Unix ms.
    pub updated_ms: i64,
    /// Total known cost.
    pub total_cost: Usd,
}

/// A full-text search hit. The snippet is plain text; `highlights` are byte ranges into it
/// to mark, so no markup from stored text is ever interpreted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its title.
    pub title: String,
    /// The turn that holds the hit (to open the conversation at it).
    pub turn_id: TurnId,
    /// The answer, when the hit is in one.
    pub answer_id: Option<AnswerId>,
    /// Text around the hit.
    pub snippet: String,
    /// `[start, end)` byte ranges of the matched words in `snippet`.
    pub highlights: Vec<(u32, u32)>,
}

/// One event of a send: every column's answer streams through one channel, keyed by answer.
/// Exactly one `Finished` or `Failed` per answer. Consumers ignore unknown variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ChatEvent {
    /// An answer began (its row exists, status streaming).
    Started {
        /// The answer.
        answer_id: AnswerId,
        /// Its column.
        column_id: ColumnId,
        /// The turn it answers.
        turn_id: TurnId,
    },
    /// More answer text (batched about once per frame).
    TextDelta {
        /// The answer.
        answer_id: AnswerId,
        /// The new text.
        text: String,
    },
    /// More reasoning text.
    ReasoningDelta {
        /// The answer.
        answer_id: AnswerId,
        /// The new text.
        text: String,
    },
    /// A whole tool call.
    ToolCall {
        /// The answer.
        answer_id: AnswerId,
        /// The call.
        call: ToolCall,
    },
    /// The answer is held back before it is sent (a rate limit, a busy target, a provider's
    /// `Retry-After`) or is moving to the next target; shown on the answer until text arrives.
    Waiting {
        /// The answer.
        answer_id: AnswerId,
        /// For about how long, ms.
        ms: u64,
        /// Why, for a person.
        reason: String,
    },
    /// The answer ended normally or was stopped (`status` says which).
    Finished {
        /// The answer.
        answer_id: AnswerId,
        /// `complete` or `cancelled`.
        status: AnswerStatus,
        /// Its numbers.
        stats: AnswerStats,
        /// Web pages it cites.
        citations: Vec<Citation>,
    },
    /// The answer failed; what arrived is kept.
    Failed {
        /// The answer.
        answer_id: AnswerId,
        /// Why.
        error: ErrorInfo,
        /// Its numbers so far.
        stats: AnswerStats,
    },
}

/// A model as the Chat screen's picker lists it. Prices are USD per million tokens;
/// `None` means variable (never sorted or summed as a price).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    /// Which provider serves it.
    pub provider: ProviderId,
    /// That provider's name as people know it (`OpenRouter`, a custom provider's own name):
    /// what the picker shows, never the id.
    pub provider_name: String,
    /// The model id as that provider names it.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Context window, tokens.
    pub context_length: Option<u64>,
    /// USD per million input tokens.
    pub prompt_per_million: Option<Usd>,
    /// USD per million output tokens.
    pub completion_per_million: Option<Usd>,
    /// What it takes as input (`text`, `image`, `file`, `audio`).
    pub input_modalities: Vec<String>,
    /// Whether it accepts reasoning options.
    pub supports_reasoning: bool,
}
