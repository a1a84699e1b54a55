//! `current_time`: models do not know what day it is, and guess confidently.

use jiff::Timestamp;
use serde_json::json;
use switchboard_core::ToolSpec;

use super::{Tool, ToolFuture};

/// Reads the system clock in UTC.
pub(super) struct CurrentTime;

impl Tool for CurrentTime {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "current_time".to_owned(),
            description: Some(
                "Returns the current date and time in UTC, as RFC 3339 (e.g. \
                 \"2025-01-31T14:05:09Z\") and as Unix seconds. Call it whenever the answer \
                 depends on today's date or the time."
                    .to_owned(),
            ),
            parameters: json!({
                "type": "object",
                "properties": {},
                "additionalProperties": false
            }),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn call(&self, _args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move { Ok(render(Timestamp::now())) })
    }
}

/// JSON, so the model can quote either field without parsing prose.
fn render(now: Timestamp) -> String {
    let seconds = now.as_second();
    // Whole seconds: sub-second digits only cost tokens. Re-building from a value that came
    // from a valid timestamp cannot fail, but fall back to the original rather than panic.
    let whole = Timestamp::from_second(seconds).unwrap_or(now);
    json!({ "utc": whole.to_string(), "unix_seconds": seconds }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rfc3339_utc_and_unix_seconds_without_fractions() {
        let at = Timestamp::new(1_738_332_309, 123_456_789).unwrap();
        let out: serde_json::Value = serde_json::from_str(&render(at)).unwrap();
        assert_eq!(out["utc"], "2025-01-31T14:05:09Z");
        assert_eq!(out["unix_seconds"], 1_738_332_309);
    }

    #[tokio::test]
    async fn the_tool_reports_a_time_close_to_now() {
        let out = CurrentTime.call(json!({})).await.unwrap();
        let out: serde_json::Value = serde_json::from_str(&out).unwrap();
        let utc: Timestamp = out["utc"].as_str().unwrap().parse().unwrap();
        let drift = (Timestamp::now().as_second() - utc.as_second()).abs();
        assert!(
            drift < 5,
            "the clock tool should read the real clock: {out}"
        );
        assert!(
            !CurrentTime.side_effects(),
            "reading the clock changes nothing"
        );
    }
}
