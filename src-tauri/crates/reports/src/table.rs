//! The table behind a chart, as CSV: exact amounts as decimal text, never floats.

use std::borrow::Cow;

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
            inert(&r.key).into_owned(),
            inert(&r.label).into_owned(),
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

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is read as a formula, so it gets a leading `'` (OWASP's advice for CSV
/// injection). Model ids and conversation titles come from upstreams and users, so any of
/// them may start that way. Numbers are left alone: `-5` is a number, not a formula.
pub(crate) fn inert(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-12`, `+0.5`, `-1.5e-3`: a plain decimal number, which spreadsheets read as a number.
/// Hand-written because it is four lines and a parser would also accept `-inf` and `NaN`.
fn is_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (mantissa, exponent) = unsigned
        .split_once(['e', 'E'])
        .map_or((unsigned, None), |(m, e)| (m, Some(e)));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}
