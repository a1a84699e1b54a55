//! Exact money. Costs are summed into budgets and reports that must match the bill, so they are
//! never floats: decimal in Rust, integer picodollars in SQLite.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An amount of US dollars, exact to 12 decimal places (a picodollar).
///
/// Per-token prices go down to about 1e-10 USD, so 12 places keep every price × token count
/// exact while an `i64` of picodollars still holds over nine million dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Usd(Decimal);

/// The text was not a decimal amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a dollar amount")]
pub struct InvalidAmount(pub String);

const SCALE: u32 = 12;

impl Usd {
    /// Zero dollars.
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// Parses a decimal string such as OpenRouter's `"0.000003"`, exactly.
    pub fn parse(text: &str) -> Result<Self, InvalidAmount> {
        Decimal::from_str(text.trim())
            .or_else(|_| Decimal::from_scientific(text.trim()))
            .map(|d| Self(d.round_dp(SCALE)))
            .map_err(|_| InvalidAmount(text.to_owned()))
    }

    /// Converts a JSON number (as providers send `usage.cost`) by its shortest decimal form,
    /// which is the text the provider wrote for any value with up to 17 significant digits.
    pub fn from_json_f64(value: f64) -> Option<Self> {
        value
            .is_finite()
            .then(|| Self::parse(&value.to_string()).ok())?
    }

    /// From integer picodollars (the storage form).
    pub fn from_pico(pico: i64) -> Self {
        Self(Decimal::new(pico, SCALE))
    }

    /// The largest amount: arithmetic saturates here instead of panicking (decimal overflow
    /// would otherwise abort on hostile input such as a price of 1e27 per token).
    pub const MAX: Self = Self(Decimal::MAX);

    /// To integer picodollars (the storage form), rounding half to even past 12 places;
    /// saturates at the `i64` range (about ±9.2 million dollars).
    pub fn to_pico(self) -> i64 {
        let saturated = if self.0.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        };
        self.0
            .checked_mul(Decimal::from(1_000_000_000_000_i64))
            .map(|d| d.round())
            .and_then(|d| i64::try_from(d).ok())
            .unwrap_or(saturated)
    }

    /// `self × n` (e.g. a per-token price times a token count), saturating.
    pub fn times(self, n: u64) -> Self {
        Self(self.0.checked_mul(Decimal::from(n)).unwrap_or(Decimal::MAX))
    }

    /// `self - rhs`, saturating.
    pub fn minus(self, rhs: Self) -> Self {
        Self(self.0.checked_sub(rhs.0).unwrap_or(Decimal::MIN))
    }

    /// Whether the amount is below zero (OpenRouter's `"-1"`: a variable price).
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// USD per million units, for display and for `max_price`.
    pub fn per_million(self) -> Self {
        self.times(1_000_000)
    }

    /// The amount rounded to cents (half away from zero), for messages: `5.00`.
    fn round_cents(self) -> String {
        let rounded = self
            .0
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        format!("{rounded:.2}")
    }

    /// For messages: cents when the amount is a cent or more (`5.00`), else the first few
    /// significant places (`0.00031`), so a small amount never reads as zero.
    pub fn human(self) -> String {
        if self.0.abs() >= Decimal::new(1, 2) || self.0.is_zero() {
            return self.round_cents();
        }
        self.0.round_sf(2).unwrap_or(self.0).normalize().to_string()
    }

    /// `self × ratio` (a fraction such as a percentage threshold), saturating.
    pub fn percent(self, percent: u8) -> Self {
        Self(
            self.0
                .checked_mul(Decimal::from(percent))
                .and_then(|d| d.checked_div(Decimal::from(100)))
                .unwrap_or(Decimal::MAX),
        )
    }

    /// The amount as a float, for display only (charts, rough comparisons).
    pub fn to_f64_lossy(self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.0.to_f64().unwrap_or(0.0)
    }
}

/// Saturating: a sum of amounts never panics.
impl std::ops::Add for Usd {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(
            self.0
                .checked_add(rhs.0)
                .unwrap_or(if rhs.0.is_sign_negative() {
                    Decimal::MIN
                } else {
                    Decimal::MAX
                }),
        )
    }
}

impl std::ops::AddAssign for Usd {
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

/// Saturating.
impl std::ops::Sub for Usd {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        self.minus(rhs)
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl std::fmt::Display for Usd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

/// On the wire an amount is a decimal string (`"0.00813"`), so no consumer ever sees a float.
impl Serialize for Usd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for Usd {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_costs_are_exact() {
        let per_token = Usd::parse("0.000003").unwrap();
        assert_eq!(per_token.times(555).to_string(), "0.001665");
        assert_eq!(per_token.per_million().to_string(), "3");
        let cost = Usd::from_json_f64(0.00813).unwrap();
        assert_eq!(cost.to_string(), "0.00813");
        let sum: Usd = std::iter::repeat_n(Usd::parse("0.1").unwrap(), 10).sum();
        assert_eq!(sum.to_string(), "1", "no float drift");
    }

    #[test]
    fn storage_round_trips_through_picodollars() {
        for text in ["0", "0.00813", "0.0000000375", "12345.678901234567", "-1"] {
            let usd = Usd::parse(text).unwrap();
            assert_eq!(
                Usd::from_pico(usd.to_pico()),
                usd.round_trip_view(),
                "{text}"
            );
        }
        assert_eq!(Usd::parse("0.0000000375").unwrap().to_pico(), 37_500);
    }

    #[test]
    fn amounts_read_well_in_messages() {
        let u = |s: &str| Usd::parse(s).unwrap();
        assert_eq!(u("5").round_cents(), "5.00");
        assert_eq!(u("4.995").round_cents(), "5.00");
        assert_eq!(u("5").human(), "5.00");
        assert_eq!(u("0.0003015").human(), "0.0003");
        assert_eq!(u("0.005").human(), "0.005");
        assert_eq!(u("0").human(), "0.00");
        assert_eq!(u("10").percent(80), u("8"));
    }

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        let huge = Usd::parse("79228162514264337593543950335").unwrap();
        assert_eq!(huge.times(1_000_000), Usd::MAX);
        assert_eq!(huge + huge, Usd::MAX);
        assert_eq!(huge.to_pico(), i64::MAX);
        let ten = Usd::parse("10").unwrap();
        assert_eq!((ten - Usd::parse("9.58").unwrap()).to_string(), "0.42");
    }

    #[test]
    fn variable_prices_are_negative_and_garbage_is_refused() {
        assert!(Usd::parse("-1").unwrap().is_negative());
        assert!(!Usd::ZERO.is_negative());
        assert!(Usd::parse("free").is_err());
        assert_eq!(Usd::from_json_f64(f64::NAN), None);
    }

    impl Usd {
        fn round_trip_view(self) -> Self {
            Self(self.0.round_dp(SCALE))
        }
    }
}
