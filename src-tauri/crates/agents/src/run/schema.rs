//! Holding a final answer to the agent's output schema: the JSON is found (the whole answer,
//! or one fenced ```json block, since models add fences whatever they are told), checked, and
//! what is wrong is put in words the model can act on.

use serde_json::Value;

/// The most schema errors quoted back to the model: enough to fix, short enough to read.
const ERRORS_QUOTED: usize = 3;

/// The JSON text in an answer.
fn json_text(answer: &str) -> &str {
    let t = answer.trim();
    if let Some(rest) = t.strip_prefix("```") {
        // Skip the fence's language tag, up to the end of its line.
        let body = rest.split_once('\n').map_or("", |(_, b)| b);
        return body.trim_end().strip_suffix("```").unwrap_or(body).trim();
    }
    t
}

/// Why a final answer does not hold to the output schema, in one sentence the model can act on.
#[derive(Debug, thiserror::Error)]
pub(super) enum Mismatch {
    /// Not JSON at all (nor one fenced JSON block).
    #[error("the answer is not JSON ({0})")]
    NotJson(#[source] serde_json::Error),
    /// The schema does not compile (a spec saved before specs were checked).
    #[error("the output schema itself is not valid: {0}")]
    BadSchema(#[source] Box<jsonschema::ValidationError<'static>>),
    /// JSON, but not as the schema says: the first few errors, each with where it is.
    #[error("the answer does not match the output schema: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// `Ok` when `answer` is JSON valid against `schema`; otherwise why not.
pub(super) fn check(schema: &Value, answer: &str) -> Result<(), Mismatch> {
    let value: Value = serde_json::from_str(json_text(answer)).map_err(Mismatch::NotJson)?;
    let validator =
        jsonschema::validator_for(schema).map_err(|e| Mismatch::BadSchema(Box::new(e)))?;
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .take(ERRORS_QUOTED)
        .map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("at {at}: {e}")
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Mismatch::Invalid(errors))
    }
}

/// Whether `schema` compiles, for checking a spec before it is saved.
pub(crate) fn schema_error(schema: &Value) -> Option<String> {
    jsonschema::validator_for(schema)
        .err()
        .map(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        serde_json::json!({"type": "object", "required": ["name", "age"],
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}})
    }

    #[test]
    fn valid_json_passes_bare_or_fenced() {
        check(&schema(), r#"{"name":"Ada","age":36}"#).unwrap();
        check(&schema(), "```json\n{\"name\":\"Ada\",\"age\":36}\n```").unwrap();
    }

    #[test]
    fn what_is_wrong_is_said_where() {
        let e = check(&schema(), r#"{"name":"Ada","age":"old"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("/age"), "{e}");
        let e = check(&schema(), r#"{"name":"Ada"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("age"), "{e}");
        let e = check(&schema(), "Sure! Here it is")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not JSON"), "{e}");
    }

    #[test]
    fn a_broken_schema_is_reported() {
        assert!(schema_error(&serde_json::json!({"type": 5})).is_some());
        assert!(schema_error(&schema()).is_none());
    }
}
