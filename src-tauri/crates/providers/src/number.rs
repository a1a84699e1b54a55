//! Sampling settings as JSON numbers.

use serde_json::Value;

/// An `f32` setting as the decimal the user typed: widening it directly to `f64` would send
/// `0.7` as `0.699999988079071`. `None` for NaN and infinities, which JSON cannot carry.
pub(crate) fn typed_decimal(value: f32) -> Option<Value> {
    if !value.is_finite() {
        return None;
    }
    value
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}
