//! The table behind a chart, as CSV: exact amounts as decimal text, never floats.

use switchboard_core::SpendReport;

/// `key,label,cost_usd,unknown_cost_requests,requests,prompt_tokens,completion_tokens,
/// reasoning_tokens,cached_tokens`, one line per row, then a `total` line.
pub fn spend_csv(report: &SpendReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; the csv crate quotes labels with commas or quotes.
    let _ = w.write_record([
        "key",
        "label",
        "cost_usd",
        "unknown_cost_requests",
        "requests",
        "prompt_tokens",
        "completion_tokens",
        "reasoning_tokens",
        "cached_tokens",
    ]);
    for r in &report.rows {
        let _ = w.write_record([
            r.key.clone(),
            r.label.clone(),
            r.cost.to_string(),
            r.unknown_requests.to_string(),
            r.requests.to_string(),
            r.prompt_tokens.to_string(),
            r.completion_tokens.to_string(),
            r.reasoning_tokens.to_string(),
            r.cached_tokens.to_string(),
        ]);
    }
    let sum = |f: fn(&switchboard_core::SpendRow) -> u64| report.rows.iter().map(f).sum::<u64>();
    let _ = w.write_record([
        "total".to_owned(),
        String::new(),
        report.total.to_string(),
        report.unknown_requests.to_string(),
        sum(|r| r.requests).to_string(),
        sum(|r| r.prompt_tokens).to_string(),
        sum(|r| r.completion_tokens).to_string(),
        sum(|r| r.reasoning_tokens).to_string(),
        sum(|r| r.cached_tokens).to_string(),
    ]);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
