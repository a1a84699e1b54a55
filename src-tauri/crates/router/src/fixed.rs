//! Numbers with a fixed count of decimals, exactly as `format!("{x:.2}")` writes them, without
//! going through `core::fmt`.
//!
//! The smart strategy explains every candidate with eight such numbers on every request, and
//! the standard formatter's exact mode (Grisu with a Dragon fallback on big numbers) was a
//! quarter of that strategy's decision. No crate in the tree writes a fixed count of decimals
//! (`ryu` writes the shortest form), so this is written here: the value is exactly
//! `mantissa × 2^exponent`, so scaling the mantissa by `10^places` and shifting with
//! round-half-to-even is the exact decimal rounding the standard library performs. The property
//! test holds it to `format!` on random bit patterns.

use std::fmt::Write as _;

/// Appends `x` with `places` (at most 3) decimals, as `format!("{x:.places$}")` would.
pub(crate) fn push_fixed(out: &mut String, x: f64, places: u32) {
    // The exact path needs the scaled mantissa and the shift to fit in 128 bits; anything
    // larger than this (never a quality, a price ratio or a count of thumbs) takes `fmt`.
    if places > 3 || !x.is_finite() || x.abs() >= 1e15 {
        let _ = write!(out, "{:.*}", places as usize, x);
        return;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let scale = 10u64.pow(places);
    // Below 1e15 a normal number's exponent is negative: x = mantissa / 2^shift.
    let shift = (-exponent) as u32;
    let scaled = u128::from(mantissa) * u128::from(scale);
    let units = if shift >= 128 {
        // scaled < 2^63, far under half of 2^shift: rounds to zero.
        0
    } else {
        let whole = scaled >> shift;
        let rest = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rest > half || (rest == half && whole & 1 == 1) {
            whole + 1
        } else {
            whole
        }
    };
    // units < 1e15 × 1000 + 1: fits in a u64.
    write_digits(out, units as u64, places, bits >> 63 == 1);
}

/// Appends `n` in decimal.
pub(crate) fn push_integer(out: &mut String, n: u64) {
    write_digits(out, n, 0, false);
}

/// Appends `units` as a number with `places` decimals (`1234`, 2 → `12.34`; `5`, 2 → `0.05`),
/// signed if `negative`: built right to left in a buffer and appended at once.
fn write_digits(out: &mut String, mut units: u64, places: u32, negative: bool) {
    // 20 digits, a point, a sign.
    let mut buf = [0u8; 22];
    let mut at = buf.len();
    let mut written = 0;
    while written <= places || units > 0 {
        if written == places && places > 0 {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (units % 10) as u8;
        units /= 10;
        written += 1;
    }
    if negative {
        at -= 1;
        buf[at] = b'-';
    }
    for &b in &buf[at..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fixed(x: f64, places: u32) -> String {
        let mut s = String::new();
        push_fixed(&mut s, x, places);
        s
    }

    #[test]
    fn ties_round_to_even_and_signs_stay() {
        let cases = [
            (0.125, 2, "0.12"),
            (0.375, 2, "0.38"),
            (0.625, 1, "0.6"),
            (2.5, 0, "2"),
            (1.35, 1, "1.4"),
            (-0.001, 2, "-0.00"),
            (-0.0, 2, "-0.00"),
            (0.0, 1, "0.0"),
            (30.0, 1, "30.0"),
            (5e-324, 2, "0.00"),
            (999_999.995, 2, "999999.99"),
            (f64::NAN, 2, "NaN"),
            (f64::NEG_INFINITY, 2, "-inf"),
            (1e300, 2, &format!("{:.2}", 1e300)),
        ];
        for (x, places, want) in cases {
            assert_eq!(fixed(x, places), want, "{x:?} to {places}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn writes_what_format_writes(bits in any::<u64>(), places in 0u32..4) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(fixed(x, places), format!("{:.*}", places as usize, x));
        }

        #[test]
        fn integers_are_written_as_to_string_writes_them(n in any::<u64>()) {
            let mut s = String::from("x");
            push_integer(&mut s, n);
            prop_assert_eq!(s, format!("x{n}"));
        }

        /// The range the explain view prints: qualities, cost shares, counts of evidence.
        #[test]
        fn writes_what_format_writes_for_everyday_numbers(x in -1e6f64..1e6, places in 0u32..4) {
            prop_assert_eq!(fixed(x, places), format!("{:.*}", places as usize, x));
        }

        /// Exact ties at every number of decimals: halves of odd and even units.
        #[test]
        fn ties_are_format_ties(units in 0u64..1_000_000, places in 0u32..4) {
            let x = (units as f64 + 0.5) / 10f64.powi(places as i32);
            prop_assert_eq!(fixed(x, places), format!("{:.*}", places as usize, x));
            prop_assert_eq!(fixed(-x, places), format!("{:.*}", places as usize, -x));
        }
    }
}
