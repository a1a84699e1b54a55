//! Each rule's last reason that quoted a request, shared with the next request that fails the
//! rule the same way.

use crate::text::Text;

/// The last reason a rule gave that quotes the request, and what it quoted. Requests in a row
/// mostly carry the same task, model and client, so a rule that fails one the way it failed
/// the last shares that reason instead of writing it again.
#[derive(Debug, Default)]
pub(crate) struct Recent {
    quoted: Option<Quoted>,
    /// What was quoted, kept in a buffer of its own so that replacing it rarely allocates.
    value: String,
    reason: Text,
}

/// Which of the request's fields a reason quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoted {
    Task,
    Model,
    Route,
    Client,
    Capability,
}

impl Recent {
    /// The reason `parts` spell, which quote `value` for the `quoted` condition: the last
    /// one when it quoted the same, else written in `buf`, copied once, and remembered.
    pub(super) fn quote(
        &mut self,
        buf: &mut String,
        quoted: Quoted,
        value: &str,
        parts: &[&str],
    ) -> Text {
        if self.quoted == Some(quoted) && self.value == value {
            return self.reason.clone();
        }
        buf.clear();
        parts.iter().for_each(|p| buf.push_str(p));
        self.reason = Text::from(buf.as_str());
        self.quoted = Some(quoted);
        self.value.clear();
        self.value.push_str(value);
        self.reason.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::evaluate;
    use super::super::tests::{recent, rule};
    use super::Recent;
    use crate::config::{Capability, Conditions};
    use crate::request::RouteRequest;

    /// A rule shares its last quoting reason only with a request that fails it the same way:
    /// another task, model or condition gets its own words.
    #[test]
    fn a_remembered_reason_is_shared_only_when_it_quotes_the_same() {
        let rules = vec![
            rule(
                "chat",
                Conditions {
                    task: vec!["chat".into()],
                    ..Default::default()
                },
            ),
            rule(
                "openai",
                Conditions {
                    model: vec!["openai/*".into()],
                    capabilities: vec![Capability::Json],
                    ..Default::default()
                },
            ),
        ];
        let mut memo = recent(rules.len());
        let ask = |task: &str, model: &str, json: bool| RouteRequest {
            task: Some(task.into()),
            model: Some(model.into()),
            capabilities: if json { vec![Capability::Json] } else { vec![] },
            ..RouteRequest::default()
        };
        let details = |memo: &mut Vec<Recent>, req: &RouteRequest| -> Vec<String> {
            let (_, trace) = evaluate(&rules, memo, req);
            let fresh = evaluate(&rules, &mut recent(rules.len()), req).1;
            assert_eq!(trace, fresh, "remembered reasons read as fresh ones");
            trace.iter().map(|t| t.detail.to_string()).collect()
        };
        for _ in 0..2 {
            assert_eq!(
                details(&mut memo, &ask("code", "anthropic/x", true)),
                [
                    "task is \"code\", not \"chat\"",
                    "model \"anthropic/x\" is not \"openai/*\""
                ]
            );
        }
        assert_eq!(
            details(&mut memo, &ask("summary", "openai/gpt", false)),
            ["task is \"summary\", not \"chat\"", "does not need json"]
        );
        assert_eq!(
            details(&mut memo, &ask("code", "anthropic/y", true)),
            [
                "task is \"code\", not \"chat\"",
                "model \"anthropic/y\" is not \"openai/*\""
            ]
        );
        let (_, trace) = evaluate(&rules, &mut memo, &ask("code", "anthropic/y", true));
        let (_, again) = evaluate(&rules, &mut memo, &ask("code", "anthropic/y", true));
        assert!(
            std::ptr::eq(trace[0].detail.as_str(), again[0].detail.as_str()),
            "the same failure shares its words"
        );
    }
}
