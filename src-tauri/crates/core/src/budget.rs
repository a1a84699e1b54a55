//! Budgets and spend reports: what the user allows, and what was spent, by period and by scope.

use serde::{Deserialize, Serialize};

use crate::money::Usd;

/// What a budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BudgetScope {
    /// Every request.
    Global,
    /// One provider's requests (`scope_value` = its id).
    Provider,
    /// One model's requests (`scope_value` = the model id as requested).
    Model,
    /// One agent's requests (`scope_value` = its name).
    Agent,
    /// One conversation's requests (`scope_value` = its id).
    Conversation,
}

impl BudgetScope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Provider => "provider",
            Self::Model => "model",
            Self::Agent => "agent",
            Self::Conversation => "conversation",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "global" => Self::Global,
            "provider" => Self::Provider,
            "model" => Self::Model,
            "agent" => Self::Agent,
            "conversation" => Self::Conversation,
            _ => return None,
        })
    }
}

/// The window a budget's spend is counted over, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    /// Since local midnight.
    Day,
    /// Since Monday, local midnight.
    Week,
    /// Since the first of the month, local midnight.
    Month,
    /// Ever.
    All,
}

impl BudgetPeriod {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::All => "all",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "day" => Self::Day,
            "week" => Self::Week,
            "month" => Self::Month,
            "all" => Self::All,
            _ => return None,
        })
    }

    /// "a day", "a week"…, for messages.
    pub fn per(self) -> &'static str {
        match self {
            Self::Day => "a day",
            Self::Week => "a week",
            Self::Month => "a month",
            Self::All => "in all",
        }
    }
}

/// A spending limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Its id (a UUID); empty when creating.
    pub id: String,
    /// The user's name for it.
    pub name: String,
    /// What it counts.
    pub scope: BudgetScope,
    /// Which provider, model, agent or conversation (none for global).
    pub scope_value: Option<String>,
    /// Over what window.
    pub period: BudgetPeriod,
    /// The limit.
    pub limit: Usd,
    /// Percentages of the limit at which to alert, e.g. `[50, 80, 100]`.
    pub alerts: Vec<u8>,
    /// Block requests that would go past the limit (else only alert).
    pub hard: bool,
}

impl Budget {
    /// `"Daily OpenRouter" ($5.00 a day for provider openrouter)`, for messages.
    pub fn describe(&self) -> String {
        let what = match (&self.scope, &self.scope_value) {
            (BudgetScope::Global, _) | (_, None) => "everything".to_owned(),
            (scope, Some(v)) => format!("{} {v}", scope.as_str()),
        };
        format!(
            "\"{}\" (${} {} for {what})",
            self.name,
            self.limit.human(),
            self.period.per()
        )
    }
}

/// A budget and where it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus {
    /// The budget.
    pub budget: Budget,
    /// Spent in the current period (known costs).
    pub spent: Usd,
    /// Held for requests in flight (their worst-case cost).
    pub reserved: Usd,
    /// Requests in the period whose cost is unknown (not in `spent`).
    pub unknown_requests: u64,
    /// When the period began, Unix ms (0 for all-time).
    pub period_start_ms: i64,
    /// `spent / limit`, for bars (display only).
    pub fraction: f64,
    /// A hard budget that is spent: new requests in its scope are refused.
    pub exhausted: bool,
}

/// A budget crossed one of its alert thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BudgetAlert {
    /// The budget.
    pub budget: Budget,
    /// The threshold crossed, percent.
    pub threshold: u8,
    /// Spent in the period.
    pub spent: Usd,
    /// A sentence for a notification.
    pub message: String,
}

/// How a spend report groups requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SpendGrouping {
    /// Local calendar day (`2026-11-24`).
    Day,
    /// ISO week starting Monday (`2026-W47`, the Monday's date in the key).
    Week,
    /// Calendar month (`2026-11`).
    Month,
    /// The model asked for.
    Model,
    /// Our provider id.
    Provider,
    /// The agent.
    Agent,
    /// The conversation.
    Conversation,
}

impl SpendGrouping {
    /// The name, as serialized: for chart titles and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Model => "model",
            Self::Provider => "provider",
            Self::Agent => "agent",
            Self::Conversation => "conversation",
        }
    }

    /// Whether rows are periods of time (charted in time order) rather than categories.
    pub fn is_time(self) -> bool {
        matches!(self, Self::Day | Self::Week | Self::Month)
    }
}

/// One group's spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SpendRow {
    /// The day, week, month, model, provider, agent or conversation (`(none)` when unset).
    pub key: String,
    /// A label for people (a conversation's title; otherwise the key).
    pub label: String,
    /// The exact sum of known costs.
    pub cost: Usd,
    /// Requests whose cost is unknown (never counted as zero).
    pub unknown_requests: u64,
    /// Requests.
    pub requests: u64,
    /// Input tokens.
    pub prompt_tokens: u64,
    /// Output tokens.
    pub completion_tokens: u64,
    /// Output tokens spent reasoning.
    pub reasoning_tokens: u64,
    /// Input tokens read from cache.
    pub cached_tokens: u64,
}

/// A spend report: rows and their exact total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SpendReport {
    /// How rows are grouped.
    pub grouping: SpendGrouping,
    /// From, Unix ms (inclusive).
    pub since_ms: Option<i64>,
    /// Until, Unix ms (exclusive).
    pub until_ms: Option<i64>,
    /// The exact sum of every row's cost.
    pub total: Usd,
    /// Requests of unknown cost in the range.
    pub unknown_requests: u64,
    /// Time groupings oldest first; categories by cost, highest first.
    pub rows: Vec<SpendRow>,
}

/// What a column's next request will cost, estimated before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CostPrediction {
    /// The column, when it exists already.
    pub column_id: Option<String>,
    /// Prompt tokens: the conversation so far on the displayed path plus the new message.
    pub prompt_tokens: u64,
    /// How they were counted: `o200k_base`, `cl100k_base` (exact for OpenAI models), or
    /// `about 4 characters per token` (others publish no tokenizer we can run offline).
    pub counted_with: String,
    /// The prompt at the model's input price.
    pub input_cost: Option<Usd>,
    /// The output allowance the bound assumes: max tokens, else the model's output cap.
    pub max_output_tokens: Option<u64>,
    /// The most the request can cost: the prompt plus the whole output allowance.
    pub max_cost: Option<Usd>,
    /// Where the router would send it, when that is not simply the column's own model (a
    /// rule or a route sends it elsewhere); the prices above are that target's.
    pub routed_to: Option<RoutedTo>,
}

/// Where a request goes when a route or rule sends it somewhere other than its column's model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoutedTo {
    /// The provider.
    pub provider: crate::provider::ProviderId,
    /// Its name as people know it.
    pub provider_name: String,
    /// The model.
    pub model: String,
    /// The route that chose it.
    pub route: Option<String>,
    /// The rule that chose the route, if one did.
    pub rule: Option<String>,
}

/// A column to predict the cost for: an existing one (its id gives its context) or one not
/// saved yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PredictColumn {
    /// The column's id, when the conversation has it.
    pub id: Option<String>,
    /// Its model and parameters.
    pub spec: crate::conversation::ColumnSpec,
}
