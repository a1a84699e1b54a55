//! `calculator`: arithmetic the model would otherwise do in its head, and get wrong.

mod precedence;

use serde_json::json;
use switchboard_core::ToolSpec;

use super::{Tool, ToolFuture};
use crate::AgentError;

const NAME: &str = "calculator";

/// Longer input is not arithmetic a person asked for; the cap keeps parsing cheap.
const MAX_EXPRESSION_CHARS: usize = 1_000;

/// Evaluates an expression with exmex (see Cargo.toml for why that crate).
pub(super) struct Calculator;

impl Tool for Calculator {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME.to_owned(),
            description: Some(
                "Evaluates an arithmetic expression and returns the number. Supports + - * / ^ \
                 (power; right-associative and above a unary minus, so 2^3^2 is 512 and -3^2 \
                 is -9), parentheses, the functions sqrt, cbrt, abs, exp, ln, log2, log10, sin, \
                 cos, tan, asin, acos, atan, floor, ceil, round, trunc, and the constants PI and \
                 E. Use it instead of doing arithmetic yourself."
                    .to_owned(),
            ),
            parameters: json!({
                "type": "object",
                "properties": {
                    "expression": {
                        "type": "string",
                        "description": "The expression, e.g. \"(2 + 3) * 4 ^ 2 / sqrt(16)\"."
                    }
                },
                "required": ["expression"],
                "additionalProperties": false
            }),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move {
            let expression = args
                .get("expression")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| AgentError::tool(NAME, "expected {\"expression\": \"…\"}"))?;
            evaluate(expression)
        })
    }
}

fn evaluate(expression: &str) -> Result<String, AgentError> {
    let expression = expression.trim();
    if expression.is_empty() {
        return Err(AgentError::tool(NAME, "the expression is empty"));
    }
    if expression.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(AgentError::tool(
            NAME,
            format!("the expression is longer than {MAX_EXPRESSION_CHARS} characters"),
        ));
    }
    let cannot = |why: &dyn std::fmt::Display| {
        AgentError::tool(NAME, format!("cannot evaluate {expression:?}: {why}"))
    };
    let grouped = precedence::group_powers(expression).map_err(|e| cannot(&e))?;
    let value = exmex::eval_str::<f64>(&grouped).map_err(|e| cannot(&e))?;
    if !value.is_finite() {
        return Err(AgentError::tool(
            NAME,
            format!("{expression:?} has no finite result (division by zero or out of range?)"),
        ));
    }
    Ok(format_number(value))
}

/// Whole numbers print without ".0" so "2 + 3" answers "5", as a person would write it.
fn format_number(value: f64) -> String {
    // Below 2^53 every whole f64 is exact, so the integer form loses nothing.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() < EXACT {
        // The guard above keeps the value in i64's range and whole, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let whole = value as i64;
        whole.to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn calc(expression: &str) -> Result<String, AgentError> {
        Calculator.call(json!({ "expression": expression })).await
    }

    #[tokio::test]
    async fn whole_results_print_without_a_fraction() {
        assert_eq!(calc("2 + 3").await.unwrap(), "5");
        assert_eq!(calc("(2 + 3) * 4 ^ 2 / sqrt(16)").await.unwrap(), "20");
        assert_eq!(calc("-7 * 6").await.unwrap(), "-42");
    }

    #[tokio::test]
    async fn fractions_and_functions_are_evaluated() {
        assert_eq!(calc("1 / 4").await.unwrap(), "0.25");
        assert_eq!(calc("round(PI * 100) / 100").await.unwrap(), "3.14");
    }

    #[tokio::test]
    async fn bad_input_is_a_tool_error_naming_the_expression() {
        let err = calc("2 +* banana").await.unwrap_err();
        assert!(
            matches!(&err, AgentError::Tool { tool, message } if tool == NAME && message.contains("2 +* banana")),
            "the model needs to see what it sent: {err}"
        );
        let err = Calculator.call(json!({ "expr": "1" })).await.unwrap_err();
        assert!(err.to_string().contains("expression"), "{err}");
    }

    #[tokio::test]
    async fn powers_are_right_associative_and_bind_tighter_than_a_minus() {
        assert_eq!(calc("2^3^2").await.unwrap(), "512", "2^(3^2), not (2^3)^2");
        assert_eq!(calc("-3^2").await.unwrap(), "-9", "-(3^2), not (-3)^2");
        assert_eq!(calc("(-3)^2").await.unwrap(), "9");
        assert_eq!(calc("2^-1").await.unwrap(), "0.5");
        assert_eq!(calc("2 * 3^2").await.unwrap(), "18");
        assert_eq!(calc("-2^2^3 + 1").await.unwrap(), "-255");
        assert_eq!(calc("sqrt(16)^2 - 4^0.5").await.unwrap(), "14");
        // E^(E^(E^E)) is e^3814279.1…, far past f64; grouped to the left it was 528491311.49.
        let err = calc("E^E^E^E").await.unwrap_err();
        assert!(err.to_string().contains("no finite result"), "{err}");
        let e = std::f64::consts::E;
        assert_eq!(
            calc("E^E^E").await.unwrap(),
            e.powf(e.powf(e)).to_string(),
            "E^(E^E)"
        );
        // Regrouping keeps the limits exmex already had: deep nesting still evaluates.
        let deep = format!("{}2^2{}", "(".repeat(498), ")".repeat(498));
        assert_eq!(calc(&deep).await.unwrap(), "4");
        let signs = format!("{}3^2", "-".repeat(990));
        assert_eq!(
            calc(&signs).await.unwrap(),
            "9",
            "an even number of minuses"
        );
    }

    #[tokio::test]
    async fn division_by_zero_is_refused_rather_than_answered_inf() {
        let err = calc("1 / 0").await.unwrap_err();
        assert!(err.to_string().contains("finite"), "{err}");
    }

    #[test]
    fn spec_is_an_object_schema_requiring_expression() {
        let spec = Calculator.spec();
        assert_eq!(spec.name, "calculator");
        assert_eq!(spec.parameters["required"], json!(["expression"]));
        assert!(!Calculator.side_effects(), "arithmetic changes nothing");
    }
}
