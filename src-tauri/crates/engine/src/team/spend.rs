//! What the team's keys spent over a range of UTC days, from OpenRouter's own figures.
//!
//! `GET /activity?api_key_hash=` gives each key's spend per day, model and endpoint over the
//! last 30 finished UTC days; today is not in it yet, so today's figure is the key's own
//! `usage_daily` from the key list, without a breakdown by model. Days older than the
//! activity's window are missing, not zero, and [`TeamSpend::covered_from`] says where the
//! window starts.

use std::collections::BTreeMap;

use futures_util::{StreamExt, TryStreamExt, stream};
use jiff::civil::Date;
use switchboard_core::{DateRange, KeySpend, TeamKey, TeamSpend, TeamSpendRow, Usd};
use switchboard_providers::Endpoint;
use switchboard_providers::openrouter_api::{ActivityItem, fetch_activity, list_keys};

use super::management_failure;
use crate::{Engine, EngineError};

/// How many finished days `GET /activity` keeps.
const ACTIVITY_DAYS: i64 = 30;

/// The longest range asked for at once: a year of days.
const MAX_DAYS: i32 = 366;

/// Activity requests in flight at once: one per key, without flooding OpenRouter.
const PARALLEL: usize = 4;

/// Today's date in UTC, the calendar OpenRouter counts by.
pub(super) fn utc_today() -> Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

/// The first day `GET /activity` still covers on `today`.
pub(super) fn covered_from(today: Date) -> Date {
    today
        .checked_sub(jiff::Span::new().days(ACTIVITY_DAYS))
        .unwrap_or(today)
}

/// Midnight UTC at the start of `date`, Unix ms.
pub(super) fn utc_midnight_ms(date: Date) -> Result<i64, EngineError> {
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| EngineError::invalid(format!("{date} cannot be used: {e}")))
}

/// The range's days, checked: real dates, in order, not after today, at most a year.
pub(super) fn checked_range(range: &DateRange, today: Date) -> Result<(Date, Date), EngineError> {
    let day = |text: &str| -> Result<Date, EngineError> {
        text.trim()
            .parse()
            .map_err(|_| EngineError::invalid(format!("\"{text}\" is not a date like 2026-11-24.")))
    };
    let (since, until) = (day(&range.since)?, day(&range.until)?);
    if since > until {
        return Err(EngineError::invalid(
            "The first day of the range is after its last day; swap them.",
        ));
    }
    if until > today {
        return Err(EngineError::invalid(format!(
            "The range ends after today ({today}, UTC); nothing has been spent then yet."
        )));
    }
    let days = since.until(until).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if days >= MAX_DAYS {
        return Err(EngineError::invalid(
            "Pick a range of at most a year; OpenRouter keeps only the last 30 days anyway.",
        ));
    }
    Ok((since, until))
}

impl Engine {
    /// The team's keys and their spend between `since` and `until`.
    pub(super) async fn team_figures(
        &self,
        since: Date,
        until: Date,
        today: Date,
    ) -> Result<(Vec<TeamKey>, TeamSpend), EngineError> {
        let endpoint = self.management_endpoint().await?;
        let keys = list_keys(&self.inner.http, &endpoint)
            .await
            .map_err(management_failure)?;
        let activity = self.activity_of(&endpoint, &keys).await?;
        let spend = team_spend(&keys, &activity, since, until, today);
        Ok((keys, spend))
    }

    /// Each key's activity, fetched a few at a time. Each fetch owns what it uses: futures
    /// that borrow a closure's argument are not `Send` for every lifetime, which Tauri's
    /// commands need.
    async fn activity_of(
        &self,
        endpoint: &Endpoint,
        keys: &[TeamKey],
    ) -> Result<Vec<(String, Vec<ActivityItem>)>, EngineError> {
        let fetches = keys.iter().map(|key| {
            let (http, endpoint, hash) =
                (self.inner.http.clone(), endpoint.clone(), key.hash.clone());
            async move {
                let items = fetch_activity(&http, &endpoint, Some(&hash)).await?;
                Ok::<_, switchboard_providers::ProviderError>((hash, items))
            }
        });
        let fetches: Vec<_> = fetches.collect();
        stream::iter(fetches)
            .buffered(PARALLEL)
            .try_collect()
            .await
            .map_err(management_failure)
    }
}

impl crate::Team<'_> {
    /// What each team key spent per model per day over `range` (UTC days, both included), with
    /// totals, from OpenRouter's figures.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn spend(&self, range: DateRange) -> Result<TeamSpend, EngineError> {
        let today = utc_today();
        let (since, until) = checked_range(&range, today)?;
        Ok(self.team_figures(since, until, today).await?.1)
    }
}

/// Rows per key, model and day between `since` and `until`: finished days from the activity,
/// today from each key's `usage_daily`; then totals.
pub(super) fn team_spend(
    keys: &[TeamKey],
    activity: &[(String, Vec<ActivityItem>)],
    since: Date,
    until: Date,
    today: Date,
) -> TeamSpend {
    let (first, last, today_text) = (since.to_string(), until.to_string(), today.to_string());
    let name_of = |hash: &str| {
        keys.iter()
            .find(|k| k.hash == hash)
            .map(|k| k.name.clone())
            .unwrap_or_default()
    };
    // (day, key name, key hash, model): oldest day first, then by key and model.
    let mut rows: BTreeMap<(String, String, String, Option<String>), TeamSpendRow> =
        BTreeMap::new();
    for (hash, items) in activity {
        let name = name_of(hash);
        // Today is counted from the key list below; an activity row for it would count twice.
        let in_range =
            |d: &str| d >= first.as_str() && d <= last.as_str() && d < today_text.as_str();
        for item in items.iter().filter(|i| in_range(&i.date)) {
            let id = (
                item.date.clone(),
                name.clone(),
                hash.clone(),
                Some(item.model.clone()),
            );
            let row = rows.entry(id).or_insert_with(|| TeamSpendRow {
                key_hash: hash.clone(),
                key_name: name.clone(),
                date: item.date.clone(),
                model: Some(item.model.clone()),
                requests: Some(0),
                usage: Usd::ZERO,
                byok_usage: Usd::ZERO,
                prompt_tokens: 0,
                completion_tokens: 0,
                reasoning_tokens: 0,
            });
            row.requests = Some(row.requests.unwrap_or(0).saturating_add(item.requests));
            row.usage += item.usage;
            row.byok_usage += item.byok_usage;
            row.prompt_tokens = row.prompt_tokens.saturating_add(item.prompt_tokens);
            row.completion_tokens = row.completion_tokens.saturating_add(item.completion_tokens);
            row.reasoning_tokens = row.reasoning_tokens.saturating_add(item.reasoning_tokens);
        }
    }
    if since <= today && today <= until {
        for row in keys.iter().filter_map(|k| today_row(k, &today_text)) {
            let id = (
                row.date.clone(),
                row.key_name.clone(),
                row.key_hash.clone(),
                None,
            );
            rows.insert(id, row);
        }
    }
    totals(
        rows.into_values().collect(),
        DateRange {
            since: first,
            until: last,
        },
        covered_from(today),
    )
}

/// Today's spend by `key` so far (its `usage_daily`), without a breakdown by model; `None`
/// when it spent nothing.
fn today_row(key: &TeamKey, today: &str) -> Option<TeamSpendRow> {
    let (usage, byok) = (key.usage.today, key.byok_usage.today);
    (usage != Usd::ZERO || byok != Usd::ZERO).then(|| TeamSpendRow {
        key_hash: key.hash.clone(),
        key_name: key.name.clone(),
        date: today.to_owned(),
        model: None,
        requests: None,
        usage,
        byok_usage: byok,
        prompt_tokens: 0,
        completion_tokens: 0,
        reasoning_tokens: 0,
    })
}

/// The spend with its per-key and overall totals.
fn totals(rows: Vec<TeamSpendRow>, range: DateRange, covered: Date) -> TeamSpend {
    let mut by_key: Vec<KeySpend> = Vec::new();
    for row in &rows {
        let index = match by_key.iter().position(|k| k.key_hash == row.key_hash) {
            Some(i) => i,
            None => {
                by_key.push(KeySpend {
                    key_hash: row.key_hash.clone(),
                    key_name: row.key_name.clone(),
                    usage: Usd::ZERO,
                    byok_usage: Usd::ZERO,
                    requests: 0,
                });
                by_key.len() - 1
            }
        };
        let total = &mut by_key[index];
        total.usage += row.usage;
        total.byok_usage += row.byok_usage;
        total.requests = total.requests.saturating_add(row.requests.unwrap_or(0));
    }
    by_key.sort_by(|a, b| b.usage.cmp(&a.usage).then(a.key_name.cmp(&b.key_name)));
    TeamSpend {
        total: by_key.iter().map(|k| k.usage).sum(),
        byok_total: by_key.iter().map(|k| k.byok_usage).sum(),
        requests: by_key.iter().map(|k| k.requests).sum(),
        by_key,
        rows,
        range,
        covered_from: covered.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::KeyUsage;

    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn key(hash: &str, name: &str, today: &str) -> TeamKey {
        TeamKey {
            hash: hash.into(),
            name: name.into(),
            label: String::new(),
            disabled: false,
            limit: None,
            limit_remaining: None,
            limit_reset: None,
            include_byok_in_limit: false,
            usage: KeyUsage {
                today: usd(today),
                ..KeyUsage::default()
            },
            byok_usage: KeyUsage::default(),
            created_at: None,
            expires_at: None,
            on_this_machine: false,
        }
    }

    fn item(date: &str, model: &str, usage: &str, requests: u64) -> ActivityItem {
        ActivityItem {
            date: date.into(),
            model: model.into(),
            provider_name: Some("OpenAI".into()),
            usage: usd(usage),
            byok_usage: Usd::ZERO,
            requests,
            prompt_tokens: 10,
            completion_tokens: 20,
            reasoning_tokens: 0,
        }
    }

    #[test]
    fn rows_are_per_key_model_and_day_with_exact_totals() {
        let keys = [key("a", "Ada", "0.5"), key("b", "Bob", "0")];
        let activity = vec![
            (
                "a".to_owned(),
                vec![
                    item("2026-03-01", "m1", "0.1", 1),
                    // Another endpoint of the same model on the same day: one row.
                    item("2026-03-01", "m1", "0.2", 2),
                    item("2026-03-02", "m2", "0.000003", 1),
                    item("2026-02-01", "m1", "9", 9),
                    item("2026-03-05", "m1", "7", 7),
                ],
            ),
            ("b".to_owned(), vec![item("2026-03-02", "m1", "1", 4)]),
        ];
        let today = date("2026-03-05");
        let spend = team_spend(&keys, &activity, date("2026-03-01"), today, today);
        type Row<'a> = (&'a str, &'a str, Option<&'a str>, String, Option<u64>);
        let view: Vec<Row<'_>> = spend
            .rows
            .iter()
            .map(|r| {
                (
                    r.date.as_str(),
                    r.key_name.as_str(),
                    r.model.as_deref(),
                    r.usage.to_string(),
                    r.requests,
                )
            })
            .collect();
        assert_eq!(
            view,
            [
                ("2026-03-01", "Ada", Some("m1"), "0.3".to_owned(), Some(3)),
                (
                    "2026-03-02",
                    "Ada",
                    Some("m2"),
                    "0.000003".to_owned(),
                    Some(1)
                ),
                ("2026-03-02", "Bob", Some("m1"), "1".to_owned(), Some(4)),
                ("2026-03-05", "Ada", None, "0.5".to_owned(), None),
            ],
            "before the range left out; today from usage_daily, not the activity"
        );
        assert_eq!(spend.total, usd("1.800003"), "exact");
        assert_eq!(spend.requests, 8);
        assert_eq!(spend.by_key[0].key_name, "Bob", "costliest first");
        assert_eq!(spend.by_key[1].usage, usd("0.800003"));
        assert_eq!(spend.covered_from, "2026-02-03");
    }

    #[test]
    fn ranges_are_checked() {
        let today = date("2026-03-05");
        let range = |a: &str, b: &str| DateRange {
            since: a.into(),
            until: b.into(),
        };
        assert!(checked_range(&range("2026-03-01", "2026-03-05"), today).is_ok());
        assert!(checked_range(&range("2026-03-05", "2026-03-01"), today).is_err());
        assert!(checked_range(&range("2026-03-01", "2026-03-06"), today).is_err());
        assert!(checked_range(&range("2025-01-01", "2026-03-01"), today).is_err());
        assert!(checked_range(&range("March", "2026-03-01"), today).is_err());
        assert_eq!(
            utc_midnight_ms(date("2026-03-02")).unwrap(),
            1_772_409_600_000
        );
    }
}
