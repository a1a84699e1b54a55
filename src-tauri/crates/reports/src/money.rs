//! Money on a chart, by the app's scan rule.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use switchboard_core::Usd;

/// Money as the app writes it where people scan rather than check (the rule is written down
/// once, in `ui/src/lib/shared/money.ts`): two decimals at $1 or more, otherwise four
/// significant digits with trailing zeros trimmed, rounded half away from zero. The table
/// beside the chart shows the exact amount.
pub(crate) fn money_scan(amount: Usd) -> String {
    // `Usd` prints its exact decimal, which parses back whole.
    Decimal::from_str(&amount.to_string()).map_or_else(|_| format!("${amount}"), scan)
}

/// An axis value (a float, since pixels are) by the same rule, read by its shortest decimal.
pub(crate) fn money_scan_f64(value: f64) -> String {
    Decimal::from_str(&value.to_string()).map_or_else(|_| format!("${value:.2}"), scan)
}

fn scan(amount: Decimal) -> String {
    const WAY: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;
    let abs = amount.abs();
    let mut shown = if abs >= Decimal::ONE || abs.is_zero() {
        abs.round_dp_with_strategy(2, WAY)
    } else {
        abs.round_sf_with_strategy(4, WAY).unwrap_or(abs)
    };
    // 0.99996 rounds to 1.000: at a dollar or more it is cents.
    if shown >= Decimal::ONE {
        shown = shown.round_dp_with_strategy(2, WAY);
    }
    let text = shown.normalize().to_string();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if amount.is_sign_negative() && !shown.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${whole}.{frac:0<2}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn totals_round_half_away_from_zero_to_four_significant_digits_or_cents() {
        for (exact, shown) in [
            ("0", "$0.00"),
            ("0.1", "$0.10"),
            ("0.15", "$0.15"),
            ("0.123456", "$0.1235"),
            ("0.00012345", "$0.0001235"),
            ("0.000000000001", "$0.000000000001"),
            ("0.99996", "$1.00"),
            ("3.015", "$3.02"),
            ("1234.5678", "$1234.57"),
            ("-0.5", "-$0.50"),
        ] {
            assert_eq!(money_scan(Usd::parse(exact).unwrap()), shown, "{exact}");
        }
    }

    #[test]
    fn axis_values_follow_the_same_rule() {
        assert_eq!(money_scan_f64(0.0), "$0.00");
        assert_eq!(money_scan_f64(0.1 + 0.2), "$0.30", "no float noise");
        assert_eq!(money_scan_f64(0.0005), "$0.0005");
        assert_eq!(money_scan_f64(2.5), "$2.50");
        assert_eq!(money_scan_f64(1e-9), "$0.000000001", "never $0, never 1e-9");
    }
}
