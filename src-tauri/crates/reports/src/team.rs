//! The team's spend (OpenRouter's own figures for the keys a management key made) as a chart
//! and a CSV, drawn and written the way the ledger's spend reports are: the same bars, axes and
//! palettes, the same exact amounts and spreadsheet-safe cells.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use switchboard_core::{SpendGrouping, SpendReport, SpendRow, TeamSpend, TeamSpendRow, Usd};

use crate::chart::{ChartView, draw_report};
use crate::money::money_scan;
use crate::table::inert;
use crate::{ChartTheme, ReportError};

/// What the bars of a team spend chart stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TeamChart {
    /// One bar per key, costliest first.
    Key,
    /// One bar per model, costliest first.
    Model,
    /// One bar per UTC day, oldest first.
    Day,
}

impl TeamChart {
    /// The name, as serialized: for chart titles and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Model => "model",
            Self::Day => "day",
        }
    }
}

/// The bar for today's spend where OpenRouter has not split it by model yet.
const TODAY_LABEL: &str = "today (not yet by model)";

/// Draws `spend` as an SVG document of `width` × `height` pixels, one bar per key, model or
/// day, in `theme`'s colours. The title's total is OpenRouter's credits, rounded by the app's
/// scan rule; the table beside the chart shows it exactly.
pub fn team_spend_svg(
    spend: &TeamSpend,
    by: TeamChart,
    theme: ChartTheme,
    width: u32,
    height: u32,
) -> Result<String, ReportError> {
    let title = format!(
        "Team spend by {}: {} in all",
        by.as_str(),
        money_scan(spend.total)
    );
    draw_report(
        &team_report(spend, by),
        ChartView::Cost,
        theme,
        (width, height),
        title,
    )
}

/// `date,key,key_hash,model,requests,usage_usd,byok_usage_usd,prompt_tokens,
/// completion_tokens,reasoning_tokens`, one line per key, model and day as OpenRouter reports
/// them, then a `total` line. An empty model is today's spend, which OpenRouter gives only as
/// the key's total so far; an empty request count is one OpenRouter did not count.
pub fn team_spend_csv(spend: &TeamSpend) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; the csv crate quotes cells with commas or quotes.
    let _ = w.write_record([
        "date",
        "key",
        "key_hash",
        "model",
        "requests",
        "usage_usd",
        "byok_usage_usd",
        "prompt_tokens",
        "completion_tokens",
        "reasoning_tokens",
    ]);
    for r in &spend.rows {
        let _ = w.write_record([
            inert(&r.date).into_owned(),
            inert(&r.key_name).into_owned(),
            inert(&r.key_hash).into_owned(),
            inert(r.model.as_deref().unwrap_or_default()).into_owned(),
            r.requests.map(|n| n.to_string()).unwrap_or_default(),
            r.usage.to_string(),
            r.byok_usage.to_string(),
            r.prompt_tokens.to_string(),
            r.completion_tokens.to_string(),
            r.reasoning_tokens.to_string(),
        ]);
    }
    let sum = |f: fn(&TeamSpendRow) -> u64| spend.rows.iter().map(f).sum::<u64>();
    let _ = w.write_record([
        "total".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        spend.requests.to_string(),
        spend.total.to_string(),
        spend.byok_total.to_string(),
        sum(|r| r.prompt_tokens).to_string(),
        sum(|r| r.completion_tokens).to_string(),
        sum(|r| r.reasoning_tokens).to_string(),
    ]);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The rows summed per key, model or day, as the spend chart draws them: days oldest first,
/// keys and models costliest first (then by name, so equal bars keep one order).
fn team_report(spend: &TeamSpend, by: TeamChart) -> SpendReport {
    let mut groups: Vec<SpendRow> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in &spend.rows {
        let (key, label) = match by {
            TeamChart::Key => (r.key_hash.clone(), r.key_name.clone()),
            TeamChart::Model => match &r.model {
                Some(model) => (model.clone(), model.clone()),
                None => (String::new(), TODAY_LABEL.to_owned()),
            },
            TeamChart::Day => (r.date.clone(), r.date.clone()),
        };
        let at = *index.entry(key.clone()).or_insert_with(|| {
            groups.push(empty_row(key, label));
            groups.len() - 1
        });
        let g = &mut groups[at];
        g.cost += r.usage;
        g.requests += r.requests.unwrap_or(0);
        g.prompt_tokens += r.prompt_tokens;
        g.completion_tokens += r.completion_tokens;
        g.reasoning_tokens += r.reasoning_tokens;
    }
    let grouping = if by == TeamChart::Day {
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        SpendGrouping::Day
    } else {
        groups.sort_by(|a, b| b.cost.cmp(&a.cost).then_with(|| a.label.cmp(&b.label)));
        // Any category grouping: the chart lays categories out as rows, biggest on top.
        SpendGrouping::Model
    };
    SpendReport {
        grouping,
        since_ms: None,
        until_ms: None,
        total: groups.iter().map(|g| g.cost).sum(),
        unknown_requests: 0,
        rows: groups,
    }
}

fn empty_row(key: String, label: String) -> SpendRow {
    SpendRow {
        key,
        label,
        cost: Usd::ZERO,
        unknown_requests: 0,
        requests: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        reasoning_tokens: 0,
        cached_tokens: 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchboard_core::DateRange;

    use super::*;

    fn row(
        key: &str,
        date: &str,
        model: Option<&str>,
        usd: &str,
        requests: Option<u64>,
    ) -> TeamSpendRow {
        TeamSpendRow {
            key_hash: format!("hash-{key}"),
            key_name: key.into(),
            date: date.into(),
            model: model.map(str::to_owned),
            requests,
            usage: Usd::parse(usd).unwrap(),
            byok_usage: Usd::ZERO,
            prompt_tokens: 100,
            completion_tokens: 20,
            reasoning_tokens: 5,
        }
    }

    fn spend(rows: Vec<TeamSpendRow>) -> TeamSpend {
        TeamSpend {
            range: DateRange {
                since: "2026-11-23".into(),
                until: "2026-11-25".into(),
            },
            total: rows.iter().map(|r| r.usage).sum(),
            byok_total: Usd::parse("0.5").unwrap(),
            requests: rows.iter().filter_map(|r| r.requests).sum(),
            by_key: Vec::new(),
            rows,
            covered_from: "2026-10-26".into(),
        }
    }

    fn week() -> TeamSpend {
        spend(vec![
            row(
                "alice",
                "2026-11-23",
                Some("openai/gpt-4o-mini"),
                "0.1",
                Some(2),
            ),
            row(
                "bob",
                "2026-11-23",
                Some("anthropic/claude-sonnet-4"),
                "1.25",
                Some(1),
            ),
            row(
                "alice",
                "2026-11-24",
                Some("anthropic/claude-sonnet-4"),
                "0.20000000001",
                Some(3),
            ),
            row("alice", "2026-11-25", None, "0.05", None),
        ])
    }

    #[test]
    fn bars_sum_exactly_per_key_model_and_day() {
        let by_key = team_report(&week(), TeamChart::Key);
        let keys: Vec<(&str, String)> = by_key
            .rows
            .iter()
            .map(|r| (r.label.as_str(), r.cost.to_string()))
            .collect();
        assert_eq!(
            keys,
            [("bob", "1.25".into()), ("alice", "0.35000000001".into())],
            "costliest first, amounts exact"
        );
        assert_eq!(by_key.total, week().total, "the bars add up to the total");

        let by_model = team_report(&week(), TeamChart::Model);
        let models: Vec<&str> = by_model.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            models,
            [
                "anthropic/claude-sonnet-4",
                "openai/gpt-4o-mini",
                TODAY_LABEL
            ]
        );
        assert_eq!(by_model.rows[0].requests, 4);

        let by_day = team_report(&week(), TeamChart::Day);
        let days: Vec<&str> = by_day.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            days,
            ["2026-11-23", "2026-11-24", "2026-11-25"],
            "oldest first"
        );
        assert!(by_day.grouping.is_time(), "days are drawn as columns");
    }

    #[test]
    fn the_chart_names_what_it_compares_and_the_total() {
        let svg = team_spend_svg(&week(), TeamChart::Key, ChartTheme::Dark, 800, 360).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("Team spend by key: $1.60 in all"), "{svg}");
        let labels: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| {
                t.split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</text>"))
            })
            .map(|(text, _)| text.trim())
            .collect();
        assert!(
            labels.contains(&"alice") && labels.contains(&"bob"),
            "each key names its bar: {labels:?}"
        );
        let empty = team_spend_svg(
            &spend(Vec::new()),
            TeamChart::Day,
            ChartTheme::Light,
            800,
            360,
        )
        .unwrap();
        assert!(empty.contains("No requests in this range"), "{empty}");
    }

    #[test]
    fn the_csv_keeps_every_row_exact_and_ends_with_the_total() {
        let mut hostile = week();
        hostile.rows[1].key_name = "=HYPERLINK(\"x\")".into();
        let text = team_spend_csv(&hostile);
        let lines: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(lines.len(), 5, "four rows and the total: {text}");
        assert_eq!(lines[2][5], "0.20000000001", "exact, never a float");
        assert_eq!(lines[1][1], "'=HYPERLINK(\"x\")", "a formula is made inert");
        assert_eq!(lines[3][3], "", "today has no model yet");
        assert_eq!(lines[3][4], "", "and no request count");
        assert_eq!(
            lines[4],
            [
                "total",
                "",
                "",
                "",
                "6",
                "1.60000000001",
                "0.5",
                "400",
                "80",
                "20"
            ]
        );
    }
}
