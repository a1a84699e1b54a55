//! What a provider says one request cost, checked before anything books it.
//!
//! `usage.cost` (and `/generation`'s `total_cost`) is booked as spend and counted against hard
//! budgets, so a value no real request can cost must not get through: a negative one would give
//! a budget headroom, an absurd one would exhaust it. Such a value is treated as unknown (the
//! engine then estimates from prices, or records the cost as unknown) and logged.

use serde_json::Value;
use switchboard_core::Usd;

/// More than any single request costs today (the priciest models are a few dollars for a full
/// context); above it a cost is broken data.
const MAX_CHARGE_USD: i64 = 1_000;

/// The largest believable cost of one request.
fn max_charge() -> Usd {
    Usd::from_pico(MAX_CHARGE_USD * 1_000_000_000_000)
}

/// A JSON `cost` as an exact amount, when it is a believable one: a JSON number (not a string:
/// every provider sends a number, so a string is a broken or imitating server), finite, not
/// negative and at most $1,000. `None` (with a warning) otherwise; `null` is simply unknown.
pub(crate) fn from_json(value: &Value, field: &str) -> Option<Usd> {
    let usd = match value {
        Value::Null => return None,
        Value::Number(n) => n.as_f64().and_then(Usd::from_json_f64),
        _ => None,
    };
    match usd {
        Some(usd) => believable(usd, field),
        None => {
            tracing::warn!(field, value = %value, "the provider's cost is not a dollar amount; it is treated as unknown");
            None
        }
    }
}

/// `usd` if one request can believably cost it (0 to $1,000), else `None` with a warning.
pub(crate) fn believable(usd: Usd, field: &str) -> Option<Usd> {
    if usd.is_negative() || usd > max_charge() {
        tracing::warn!(field, cost = %usd, "the provider's cost is negative or absurd; it is treated as unknown");
        return None;
    }
    Some(usd)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_believable_numbers_are_costs() {
        let cost = |v: Value| from_json(&v, "usage.cost").map(|c| c.to_string());
        assert_eq!(
            cost(json!(0.001866)).as_deref(),
            Some("0.001866"),
            "a real cost, exact"
        );
        assert_eq!(cost(json!(0)).as_deref(), Some("0"), "free is a cost");
        assert_eq!(
            cost(json!(1000)).as_deref(),
            Some("1000"),
            "the bound itself"
        );
        for bad in [
            json!(-1),
            json!(-0.000001),
            json!(1e30),
            json!(1000.01),
            json!("0.5"),
            json!(true),
            json!({}),
            json!(null),
        ] {
            assert_eq!(cost(bad.clone()), None, "{bad}");
        }
    }
}
