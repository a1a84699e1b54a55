//! OpenRouter team mode: the keys an admin's management key mints for the team, the guardrails
//! that bound them, what the team spent, and how that compares with what this machine booked.
//!
//! Money is exact ([`Usd`], a decimal string on the wire). Dates are UTC calendar days
//! (`YYYY-MM-DD`), the days OpenRouter counts usage and resets limits by; timestamps are
//! OpenRouter's own ISO 8601 text, passed through. Secrets appear once, in
//! [`CreatedTeamKey::secret`], and nowhere else.

use serde::{Deserialize, Serialize};

use crate::Usd;

/// When a key's limit or a guardrail's budget starts again (midnight UTC; weeks on Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LimitReset {
    /// Every day.
    Daily,
    /// Every Monday.
    Weekly,
    /// On the first of each month.
    Monthly,
}

impl LimitReset {
    /// OpenRouter's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// The reset OpenRouter names `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "daily" => Some(Self::Daily),
            "weekly" => Some(Self::Weekly),
            "monthly" => Some(Self::Monthly),
            _ => None,
        }
    }
}

/// Spend over OpenRouter's periods (UTC days, weeks from Monday, calendar months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeyUsage {
    /// Today (UTC).
    pub today: Usd,
    /// This week.
    pub week: Usd,
    /// This month.
    pub month: Usd,
    /// Since the key was made.
    pub total: Usd,
}

/// One of the team's OpenRouter keys, as the management API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamKey {
    /// OpenRouter's id for the key (64 hex characters); never the key itself.
    pub hash: String,
    /// The name the admin gave it.
    pub name: String,
    /// OpenRouter's masked form of the key, e.g. `sk-or-v1-0e6...1c96`.
    pub label: String,
    /// Whether it is switched off.
    pub disabled: bool,
    /// Its own spending limit; `None` is no limit.
    pub limit: Option<Usd>,
    /// What is left under the limit.
    pub limit_remaining: Option<Usd>,
    /// When the limit starts again; `None` is never.
    pub limit_reset: Option<LimitReset>,
    /// Whether BYOK spend counts against the limit.
    pub include_byok_in_limit: bool,
    /// OpenRouter credits spent with it.
    pub usage: KeyUsage,
    /// What BYOK requests through it cost on the providers' own accounts.
    pub byok_usage: KeyUsage,
    /// When it was made (ISO 8601, UTC).
    pub created_at: Option<String>,
    /// When it stops working (ISO 8601, UTC); `None` is never.
    pub expires_at: Option<String>,
    /// Whether this machine has the key saved (as OpenRouter's key in Settings).
    pub on_this_machine: bool,
}

/// A new key for a team member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamKeyDraft {
    /// A name people recognize it by, e.g. the member's name.
    pub name: String,
    /// A spending limit, above zero; `None` is no limit.
    pub limit: Option<Usd>,
    /// When the limit starts again; `None` is never.
    pub limit_reset: Option<LimitReset>,
    /// Whether BYOK spend counts against the limit.
    pub include_byok_in_limit: bool,
    /// When the key stops working (ISO 8601, e.g. `2027-01-01T00:00:00Z`); `None` is never.
    pub expires_at: Option<String>,
}

/// What to do with a key's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LimitChange {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Remove it.
    NoLimit,
    /// Set it to `usd` (above zero).
    Amount {
        /// The new limit.
        usd: Usd,
    },
}

/// What to do with when a key's limit resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ResetChange {
    /// Leave it as it is.
    #[default]
    Keep,
    /// The limit never resets.
    Never,
    /// The limit resets every `period`.
    Every {
        /// The period.
        period: LimitReset,
    },
}

/// Changes to a key; what is left out stays as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamKeyChange {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub name: Option<String>,
    /// Switch the key off (`true`) or on again (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub disabled: Option<bool>,
    /// The spending limit.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub limit: LimitChange,
    /// When the limit resets.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub limit_reset: ResetChange,
    /// Whether BYOK spend counts against the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub include_byok_in_limit: Option<bool>,
}

/// A key just made: the only time its secret is known. OpenRouter never shows it again, and
/// Switchboard keeps no copy unless it is saved in Settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreatedTeamKey {
    /// The key as listed from now on.
    pub key: TeamKey,
    /// The key itself (`sk-or-v1-…`), to hand to the member.
    pub secret: String,
}

impl std::fmt::Debug for CreatedTeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedTeamKey")
            .field("key", &self.key)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// The management key saved on this machine, as far as the UI may know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ManagementKeyStatus {
    /// Whether one is saved.
    pub saved: bool,
    /// `••••` and its last four characters.
    pub masked: Option<String>,
    /// True when the same key is also set as OpenRouter's key for chatting, where it cannot
    /// work: put an inference key there.
    pub used_for_chat: bool,
}

/// Zero data retention required per model group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ZdrRule {
    /// Anthropic's models.
    pub anthropic: bool,
    /// OpenAI's models.
    pub openai: bool,
    /// Google's models.
    pub google: bool,
    /// Every other model.
    pub other: bool,
}

/// A guardrail: what the keys and members it is assigned to may use and spend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Guardrail {
    /// OpenRouter's id for it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// The budget per key and per member; `None` is no budget.
    pub budget: Option<Usd>,
    /// When the budget starts again.
    pub budget_reset: Option<LimitReset>,
    /// Whether BYOK spend counts against the budget.
    pub include_byok_in_budget: bool,
    /// The models allowed; empty allows every model.
    pub allowed_models: Vec<String>,
    /// The providers allowed; empty allows every provider.
    pub allowed_providers: Vec<String>,
    /// Zero data retention required.
    pub zdr: ZdrRule,
    /// The keys it is assigned to, by hash.
    pub key_hashes: Vec<String>,
    /// The organization members it is assigned to, by OpenRouter user id.
    pub member_user_ids: Vec<String>,
    /// When it was made (ISO 8601).
    pub created_at: Option<String>,
}

/// A new guardrail, or every setting of one being changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GuardrailDraft {
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// A budget per key and per member, above zero; `None` is no budget.
    pub budget: Option<Usd>,
    /// When the budget starts again.
    pub budget_reset: Option<LimitReset>,
    /// Whether BYOK spend counts against the budget.
    pub include_byok_in_budget: bool,
    /// The models allowed (`author/slug`); empty allows every model.
    pub allowed_models: Vec<String>,
    /// The providers allowed (`openai`, `anthropic`…); empty allows every provider.
    pub allowed_providers: Vec<String>,
    /// Zero data retention required.
    pub zdr: ZdrRule,
}

/// Keys and members to assign a guardrail to, or to take it from. A key or member holds at
/// most one guardrail: assigning replaces the one it had.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct GuardrailTargets {
    /// Keys, by hash.
    pub key_hashes: Vec<String>,
    /// Organization members, by OpenRouter user id.
    pub member_user_ids: Vec<String>,
}

/// UTC calendar days from `since` to `until`, both included (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DateRange {
    /// The first day.
    pub since: String,
    /// The last day.
    pub until: String,
}

/// What one key spent on one model on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamSpendRow {
    /// The key's hash.
    pub key_hash: String,
    /// The key's name.
    pub key_name: String,
    /// The UTC day.
    pub date: String,
    /// The model; `None` for today, which OpenRouter gives only as the key's total so far.
    pub model: Option<String>,
    /// Requests; `None` where OpenRouter does not count them (today).
    pub requests: Option<u64>,
    /// OpenRouter credits spent.
    pub usage: Usd,
    /// What BYOK requests cost on the providers' own accounts.
    pub byok_usage: Usd,
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// Reasoning tokens.
    pub reasoning_tokens: u64,
}

/// One key's spend over the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeySpend {
    /// The key's hash.
    pub key_hash: String,
    /// The key's name.
    pub key_name: String,
    /// OpenRouter credits spent.
    pub usage: Usd,
    /// What BYOK requests cost on the providers' own accounts.
    pub byok_usage: Usd,
    /// Requests counted (today's are not).
    pub requests: u64,
}

/// What the team's keys spent over a range of days, from OpenRouter's own figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TeamSpend {
    /// The days asked for.
    pub range: DateRange,
    /// Per key, per model, per day; oldest day first.
    pub rows: Vec<TeamSpendRow>,
    /// Per key, costliest first.
    pub by_key: Vec<KeySpend>,
    /// OpenRouter credits spent by every key.
    pub total: Usd,
    /// BYOK cost on the providers' own accounts, by every key.
    pub byok_total: Usd,
    /// Requests counted.
    pub requests: u64,
    /// The first day OpenRouter's activity covers (it keeps the last 30 finished UTC days);
    /// days before it in the range are missing, not zero.
    pub covered_from: String,
}

/// A likely reason OpenRouter's figure and this machine's differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReconcileCause {
    /// The key was also used from another machine or tool.
    RequestsElsewhere,
    /// BYOK requests: OpenRouter's fee, and the provider's own charge, are booked apart.
    ByokFees,
    /// Requests still running or whose cost OpenRouter has not settled yet.
    StillSettling,
    /// Some local costs are estimates from prices, not what OpenRouter charged.
    LocalEstimates,
    /// Some local requests have no known cost and are not in the local figure.
    UnknownLocalCosts,
}

/// OpenRouter's figure against this machine's ledger for one key used here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeyReconciliation {
    /// The key's hash.
    pub key_hash: String,
    /// The key's name.
    pub key_name: String,
    /// What OpenRouter says the key spent over the range.
    pub openrouter: Usd,
    /// What this machine's ledger booked for the key over the same days.
    pub local: Usd,
    /// `openrouter - local`: above zero, OpenRouter counted more.
    pub difference: Usd,
    /// Whether the two agree (within a hundredth of a cent).
    pub matches: bool,
    /// Requests this machine sent with the key.
    pub local_requests: u64,
    /// Of those, still in flight.
    pub pending_requests: u64,
    /// Of those, with no known cost.
    pub unknown_cost_requests: u64,
    /// Of those, with an estimated cost.
    pub estimated_requests: u64,
    /// BYOK cost OpenRouter reports for the key over the range.
    pub byok_usage: Usd,
    /// Likely causes of the difference, likeliest first; empty when they match.
    pub causes: Vec<ReconcileCause>,
    /// The difference and its likely causes, in plain words.
    pub explanation: String,
}

/// OpenRouter's figures against this machine's for the keys used here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    /// The days compared.
    pub range: DateRange,
    /// One entry per team key saved on this machine.
    pub keys: Vec<KeyReconciliation>,
    /// OpenRouter's total for those keys.
    pub openrouter_total: Usd,
    /// This machine's total for them.
    pub local_total: Usd,
    /// `openrouter_total - local_total`.
    pub difference: Usd,
    /// A summary in plain words.
    pub explanation: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_left_out_keep_what_the_key_has() {
        let change: TeamKeyChange = serde_json::from_str(r#"{"disabled":true}"#).unwrap();
        assert_eq!(change.limit, LimitChange::Keep);
        assert_eq!(change.limit_reset, ResetChange::Keep);
        assert_eq!(change.name, None);
        let set: TeamKeyChange =
            serde_json::from_str(r#"{"limit":{"kind":"amount","usd":"2.5"},"limitReset":{"kind":"every","period":"weekly"}}"#)
                .unwrap();
        assert_eq!(
            set.limit,
            LimitChange::Amount {
                usd: Usd::parse("2.5").unwrap()
            }
        );
        assert_eq!(
            set.limit_reset,
            ResetChange::Every {
                period: LimitReset::Weekly
            }
        );
    }

    #[test]
    fn a_created_keys_secret_never_shows_in_debug() {
        let created = CreatedTeamKey {
            key: TeamKey {
                hash: "ab".repeat(32),
                name: "Ada".into(),
                label: "sk-or-v1-abc...wxyz".into(),
                disabled: false,
                limit: None,
                limit_remaining: None,
                limit_reset: None,
                include_byok_in_limit: false,
                usage: KeyUsage::default(),
                byok_usage: KeyUsage::default(),
                created_at: None,
                expires_at: None,
                on_this_machine: false,
            },
            secret: "sk-or-v1-very-secret-0000".into(),
        };
        assert!(!format!("{created:?}").contains("very-secret"));
        let json = serde_json::to_value(&created).unwrap();
        assert_eq!(json["secret"], "sk-or-v1-very-secret-0000", "shown once");
        assert_eq!(json["key"]["onThisMachine"], false, "camelCase");
    }

    #[test]
    fn resets_read_openrouters_words() {
        for r in [LimitReset::Daily, LimitReset::Weekly, LimitReset::Monthly] {
            assert_eq!(LimitReset::parse(r.as_str()), Some(r));
        }
        assert_eq!(LimitReset::parse("yearly"), None);
    }
}
