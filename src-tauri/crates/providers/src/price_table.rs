//! Prices for DIRECT OpenAI and Anthropic use, where no answer says what it cost.
//!
//! OpenRouter reports `usage.cost` and lists prices in its catalogue; OpenAI and Anthropic do
//! neither, so a cost there can only be estimated from a bundled table. The table is a subset of
//! LiteLLM's `model_prices_and_context_window.json` (see `data/README.md` for its provenance and
//! how it was cut), with every price kept as the decimal text the source wrote, so nothing is
//! lost to floats. It is parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use switchboard_core::{BuiltinProvider, Usd};

use crate::openrouter_api::{Price, Pricing};

/// Credit line for the bundled prices, to show wherever they are used.
pub const ATTRIBUTION: &str =
    "Prices from LiteLLM's model_prices_and_context_window.json (MIT), litellm 1.100.0";

/// The bundled table (data/README.md says where it came from).
const TABLE_JSON: &str = include_str!("../data/litellm-prices.json");

/// A model's list price from the bundled table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TablePrice {
    /// Per-token prices; only prompt, completion and the cache prices are ever set.
    pub pricing: Pricing,
    /// The model's input context window, in tokens.
    pub context_window: Option<u64>,
}

/// The list price of `model` when used directly at `provider`, if the table knows it.
///
/// Lookup order: the exact id; the id without a date suffix (`gpt-4o-2024-08-06` → `gpt-4o`,
/// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`), since a dated snapshot nobody priced
/// separately is billed like its alias; then both again without the provider's own prefix
/// (`openai/gpt-4o`, `anthropic/claude-…`). Only that provider's entries are searched, and
/// OpenRouter always gets `None`: its answers and catalogue carry their own prices.
pub fn direct_price(provider: BuiltinProvider, model: &str) -> Option<TablePrice> {
    let (entries, prefix) = match provider {
        BuiltinProvider::OpenAi => (&table().openai, "openai/"),
        BuiltinProvider::Anthropic => (&table().anthropic, "anthropic/"),
        BuiltinProvider::OpenRouter => return None,
    };
    let model = model.trim();
    let unprefixed = model.strip_prefix(prefix);
    [
        Some(model),
        strip_date(model),
        unprefixed,
        unprefixed.and_then(strip_date),
    ]
    .into_iter()
    .flatten()
    .find_map(|id| entries.get(id))
    .cloned()
}

/// Every model in the bundled table for a direct provider, sorted by id (for the model picker).
pub fn models(provider: BuiltinProvider) -> Vec<(String, TablePrice)> {
    let entries = match provider {
        BuiltinProvider::OpenAi => &table().openai,
        BuiltinProvider::Anthropic => &table().anthropic,
        BuiltinProvider::OpenRouter => return Vec::new(),
    };
    let mut all: Vec<_> = entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// The id without a trailing `-YYYY-MM-DD` (OpenAI) or `-YYYYMMDD` (Anthropic) date.
///
/// Four-digit suffixes (`gpt-4-0613`) are left alone: they are too easily something else.
fn strip_date(model: &str) -> Option<&str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (head, day) = model.rsplit_once('-')?;
    if day.len() == 8 && digits(day) {
        return (!head.is_empty()).then_some(head);
    }
    // `…-2024-08-06`: the last three dash-separated parts are 4, 2 and 2 digits.
    let (head, month) = head.rsplit_once('-')?;
    let (head, year) = head.rsplit_once('-')?;
    let dated = year.len() == 4 && month.len() == 2 && day.len() == 2;
    (dated && digits(year) && digits(month) && digits(day) && !head.is_empty()).then_some(head)
}

/// The parsed table, per provider; built once.
struct Table {
    openai: HashMap<String, TablePrice>,
    anthropic: HashMap<String, TablePrice>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(TABLE_JSON))
}

/// Parses the bundled JSON. It is checked by the tests, so a failure here means a broken build
/// artefact; it is logged and leaves the table empty (no estimates) rather than crashing the app.
fn parse_table(json: &str) -> Table {
    let raw: RawTable = match serde_json::from_str(json) {
        Ok(raw) => raw,
        Err(error) => {
            tracing::error!(%error, "the bundled price table does not parse; no direct prices");
            RawTable::default()
        }
    };
    Table {
        openai: convert(raw.openai),
        anthropic: convert(raw.anthropic),
    }
}

fn convert(entries: HashMap<String, RawEntry>) -> HashMap<String, TablePrice> {
    entries
        .into_iter()
        .filter_map(|(id, entry)| match entry.to_price() {
            Ok(price) => Some((id, price)),
            Err(error) => {
                tracing::error!(%id, %error, "skipping a bundled price that does not parse");
                None
            }
        })
        .collect()
}

#[derive(Default, Deserialize)]
struct RawTable {
    #[serde(default)]
    openai: HashMap<String, RawEntry>,
    #[serde(default)]
    anthropic: HashMap<String, RawEntry>,
}

/// One entry, with LiteLLM's field names and its decimal text.
#[derive(Deserialize)]
struct RawEntry {
    input_cost_per_token: String,
    output_cost_per_token: String,
    cache_read_input_token_cost: Option<String>,
    cache_creation_input_token_cost: Option<String>,
    max_input_tokens: Option<u64>,
}

impl RawEntry {
    fn to_price(&self) -> Result<TablePrice, switchboard_core::InvalidAmount> {
        let price = |text: &str| Usd::parse(text).map(Price::from_amount);
        let optional = |text: &Option<String>| match text {
            Some(text) => price(text),
            None => Ok(Price::ZERO),
        };
        Ok(TablePrice {
            pricing: Pricing {
                prompt: price(&self.input_cost_per_token)?,
                completion: price(&self.output_cost_per_token)?,
                input_cache_read: optional(&self.cache_read_input_token_cost)?,
                input_cache_write: optional(&self.cache_creation_input_token_cost)?,
                ..Pricing::FREE
            },
            context_window: self.max_input_tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_parses_completely() {
        let raw: RawTable = serde_json::from_str(TABLE_JSON).unwrap();
        let (openai, anthropic) = (raw.openai.len(), raw.anthropic.len());
        assert_eq!(
            (openai, anthropic),
            (93, 26),
            "entry counts in data/README.md"
        );
        assert_eq!(table().openai.len(), openai, "every OpenAI entry converts");
        assert_eq!(
            table().anthropic.len(),
            anthropic,
            "every Anthropic entry converts"
        );
        let variable = table()
            .openai
            .values()
            .chain(table().anthropic.values())
            .filter(|p| p.pricing.is_variable())
            .count();
        assert_eq!(variable, 0, "list prices are never variable");
    }

    #[test]
    fn dates_are_stripped_only_when_they_are_dates() {
        assert_eq!(
            strip_date("gpt-4o-2024-08-06"),
            Some("gpt-4o"),
            "OpenAI date"
        );
        assert_eq!(
            strip_date("claude-3-5-sonnet-20241022"),
            Some("claude-3-5-sonnet"),
            "Anthropic date"
        );
        assert_eq!(strip_date("gpt-4-0613"), None, "four digits are left alone");
        assert_eq!(strip_date("gpt-4o"), None, "nothing to strip");
        assert_eq!(strip_date("gpt-4o-mini"), None, "a word is not a date");
        assert_eq!(
            strip_date("2024-08-06"),
            None,
            "nothing left after stripping"
        );
        assert_eq!(strip_date("x-2024-8-06"), None, "wrong widths");
        assert_eq!(strip_date("-20241022"), None, "an empty name is no name");
    }

    #[test]
    fn a_broken_table_is_empty_not_a_crash() {
        let table = parse_table("not json");
        assert!(
            table.openai.is_empty() && table.anthropic.is_empty(),
            "empty"
        );
        let table = parse_table(
            r#"{"openai":{"good":{"input_cost_per_token":"1e-06","output_cost_per_token":"2e-06"},"bad":{"input_cost_per_token":"cheap","output_cost_per_token":"0"}}}"#,
        );
        assert_eq!(table.openai.len(), 1, "the bad entry alone is dropped");
    }
}
