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
    /// One client key's requests through the local API (`scope_value` = the key's id).
    Client,
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
            Self::Client => "client",
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
            "client" => Self::Client,
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
    /// Which provider, model, agent, conversation or client key (none for global).
    pub scope_value: Option<String>,
    /// How people know `scope_value` where it is an id: a custom provider's or a client key's
    /// name. Filled in when budgets are read; ignored when one is saved.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub scope_label: Option<String>,
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
    /// `"Daily OpenRouter" ($5.00 a day for provider openrouter)`, for messages. A custom
    /// provider and a client key are named by their names, never their ids.
    pub fn describe(&self) -> String {
        let what = match (&self.scope, &self.scope_value) {
            (BudgetScope::Global, _) | (_, None) => "everything".to_owned(),
            (_, Some(v)) => self.scope_shown(v),
        };
        format!(
            "\"{}\" (${} {} for {what})",
            self.name,
            self.limit.human(),
            self.period.per()
        )
    }

    /// `provider Desk Ollama`, `client claude-code`, `model a/b`: the scope with its value
    /// as people know it. An id that means nothing to a person (a removed custom provider's,
    /// an unknown client key's) is not shown.
    fn scope_shown(&self, value: &str) -> String {
        let scope = self.scope.as_str();
        if let Some(label) = &self.scope_label {
            return format!("{scope} {label}");
        }
        match self.scope {
            BudgetScope::Provider
                if value
                    .parse::<crate::ProviderId>()
                    .is_ok_and(|p| p.builtin().is_none()) =>
            {
                "a removed provider".to_owned()
            }
            BudgetScope::Client => "a removed client key".to_owned(),
            _ => format!("{scope} {value}"),
        }
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
    /// The client key that sent it through the local API (the app and the CLI send with none).
    Client,
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
            Self::Client => "client",
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
    /// The day, week, month, model, provider, agent, conversation or client key id (`(none)`
    /// when unset).
    pub key: String,
    /// A label for people (a conversation's title, a custom provider's or client key's name;
    /// otherwise the key).
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
    pub column_id: Option<crate::ids::ColumnId>,
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
    pub id: Option<crate::ids::ColumnId>,
    /// Its model and parameters.
    pub spec: crate::conversation::ColumnSpec,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(scope: BudgetScope, value: &str, label: Option<&str>) -> Budget {
        Budget {
            id: "b".into(),
            name: "Cap".into(),
            scope,
            scope_value: Some(value.into()),
            scope_label: label.map(Into::into),
            period: BudgetPeriod::Day,
            limit: Usd::parse("5").unwrap(),
            alerts: vec![],
            hard: true,
        }
    }

    #[test]
    fn a_budget_names_custom_providers_and_client_keys_never_their_ids() {
        let custom = "custom:0192f0c1-0000-7000-8000-000000000001";
        assert_eq!(
            budget(BudgetScope::Provider, custom, Some("Desk Ollama")).describe(),
            "\"Cap\" ($5.00 a day for provider Desk Ollama)"
        );
        assert_eq!(
            budget(BudgetScope::Provider, custom, None).describe(),
            "\"Cap\" ($5.00 a day for a removed provider)",
            "an id without its name means nothing to a person"
        );
        assert_eq!(
            budget(BudgetScope::Provider, "openrouter", None).describe(),
            "\"Cap\" ($5.00 a day for provider openrouter)"
        );
        assert_eq!(
            budget(BudgetScope::Client, "0192f0c1-id", Some("claude-code")).describe(),
            "\"Cap\" ($5.00 a day for client claude-code)"
        );
        assert_eq!(
            budget(BudgetScope::Client, "0192f0c1-id", None).describe(),
            "\"Cap\" ($5.00 a day for a removed client key)"
        );
        assert_eq!(
            budget(BudgetScope::Model, "a/b", None).describe(),
            "\"Cap\" ($5.00 a day for model a/b)"
        );
    }

    #[test]
    fn scopes_and_groupings_round_trip_their_stored_names() {
        for scope in [
            BudgetScope::Global,
            BudgetScope::Provider,
            BudgetScope::Model,
            BudgetScope::Agent,
            BudgetScope::Conversation,
            BudgetScope::Client,
        ] {
            assert_eq!(BudgetScope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()), "serde agrees");
        }
        assert_eq!(SpendGrouping::Client.as_str(), "client");
        assert!(!SpendGrouping::Client.is_time());
    }
}
