//! Matching a request against the rules, top to bottom, keeping the reason each one did or did
//! not match for the explain view.

use serde::{Deserialize, Serialize};

use crate::config::{Conditions, Rule};
use crate::fixed::push_integer;
use crate::glob::Glob;
use crate::request::RouteRequest;
use crate::text::Text;

mod recent;
mod said;

use recent::Quoted;
pub(crate) use recent::Recent;
use said::{FIXED, Said};

/// How one rule fared against a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RuleTrace {
    /// The rule's name.
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub name: Text,
    /// What happened.
    pub verdict: Verdict,
    /// Why, for a person (`task is "chat", not code`).
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub detail: Text,
}

/// A rule's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It matched and decided.
    Matched,
    /// A condition did not hold.
    NoMatch,
    /// It is switched off.
    Disabled,
    /// An earlier rule already decided.
    NotReached,
}

/// A rule compiled once when the configuration changes, not per request: its model and client
/// patterns, and the parts of each "why not" that depend only on the rule. Every request gets a
/// trace line for every rule: the name and the texts that depend only on the rule are shared,
/// and a text that quotes the request is one allocation of its final size.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub(crate) rule: Rule,
    name: Text,
    models: Vec<Glob>,
    /// Client key names are unique regardless of case, so they match regardless of case.
    clients: Vec<Glob>,
    said: Said,
}

impl CompiledRule {
    pub(crate) fn new(rule: Rule) -> Self {
        let models = rule.when.model.iter().map(|m| Glob::new(m)).collect();
        let clients = rule
            .when
            .client
            .iter()
            .map(|c| Glob::case_insensitive(c))
            .collect();
        let said = Said::new(&rule.when);
        Self {
            name: Text::from(rule.name.as_str()),
            rule,
            models,
            clients,
            said,
        }
    }

    /// `Ok(())` when every condition holds, else the first that does not, said plainly.
    #[cfg(test)]
    pub(crate) fn test(&self, req: &RouteRequest) -> Result<(), String> {
        self.check(req, &mut String::new(), &mut Recent::default())
            .map_err(String::from)
    }

    /// [`CompiledRule::test`], with a reason that quotes the request written in `buf` first
    /// (one buffer for every rule of a decision) and copied once into its own text, unless it
    /// is `recent`'s.
    fn check(&self, req: &RouteRequest, buf: &mut String, recent: &mut Recent) -> Result<(), Text> {
        let w: &Conditions = &self.rule.when;
        let said = &self.said;
        if !w.task.is_empty() {
            match &req.task {
                Some(t) if w.task.iter().any(|x| x.eq_ignore_ascii_case(t)) => {}
                Some(t) => {
                    return Err(recent.quote(
                        buf,
                        Quoted::Task,
                        t,
                        &["task is \"", t, "\", not ", &said.tasks],
                    ));
                }
                None => return Err(said.no_task.clone()),
            }
        }
        if !self.models.is_empty() {
            let asked = req.asked_as.as_deref();
            match &req.model {
                _ if asked.is_some_and(|a| self.models.iter().any(|p| p.matches(a))) => {}
                Some(m) if self.models.iter().any(|p| p.matches(m)) => {}
                Some(m) => {
                    return Err(recent.quote(
                        buf,
                        Quoted::Model,
                        m,
                        &["model \"", m, "\" is not ", &said.models],
                    ));
                }
                None => return Err(said.no_model.clone()),
            }
        }
        if !w.route.is_empty() {
            match &req.route {
                Some(r) if w.route.iter().any(|x| x == r) => {}
                Some(r) => {
                    return Err(recent.quote(
                        buf,
                        Quoted::Route,
                        r,
                        &["route \"", r, "\" is not ", &said.routes],
                    ));
                }
                None => return Err(said.no_route.clone()),
            }
        }
        let tokens = |buf: &mut String, than: &str, limit: u64| {
            buf.clear();
            buf.push_str("prompt is ~");
            push_integer(buf, req.prompt_tokens);
            buf.push_str(" tokens, ");
            buf.push_str(than);
            buf.push(' ');
            push_integer(buf, limit);
            Text::from(buf.as_str())
        };
        if let Some(min) = w.min_prompt_tokens
            && req.prompt_tokens < min
        {
            return Err(tokens(buf, "under", min));
        }
        if let Some(max) = w.max_prompt_tokens
            && req.prompt_tokens > max
        {
            return Err(tokens(buf, "over", max));
        }
        if !w.modalities.is_empty() && !w.modalities.iter().any(|m| req.modalities.contains(m)) {
            return Err(said.no_modality.clone());
        }
        if let Some(missing) = w
            .capabilities
            .iter()
            .find(|c| !req.capabilities.contains(c))
        {
            let need = missing.name();
            return Err(recent.quote(buf, Quoted::Capability, need, &["does not need ", need]));
        }
        if !w.agent.is_empty() && !req.agent.as_ref().is_some_and(|a| w.agent.contains(a)) {
            return Err(said.not_agent.clone());
        }
        if !w.conversation.is_empty()
            && !req
                .conversation
                .as_ref()
                .is_some_and(|c| w.conversation.contains(c))
        {
            return Err(FIXED.another_conversation.clone());
        }
        if !self.clients.is_empty() {
            match &req.client {
                Some(c) if self.clients.iter().any(|p| p.matches(c)) => {}
                Some(c) => {
                    return Err(recent.quote(
                        buf,
                        Quoted::Client,
                        c,
                        &["client is \"", c, "\", not ", &said.clients],
                    ));
                }
                None => return Err(said.no_client.clone()),
            }
        }
        Ok(())
    }
}

/// The first enabled rule that matches, and a trace of every rule. `recent` holds each rule's
/// last quoting reason (one per rule, in order; kept with the rules, so a new configuration
/// starts afresh).
pub(crate) fn evaluate(
    rules: &[CompiledRule],
    recent: &mut [Recent],
    req: &RouteRequest,
) -> (Option<usize>, Vec<RuleTrace>) {
    let fixed = &*FIXED;
    let mut chosen = None;
    let mut buf = String::new();
    let traces = rules
        .iter()
        .zip(recent)
        .enumerate()
        .map(|(i, (r, recent))| {
            let (verdict, detail) = if chosen.is_some() {
                (Verdict::NotReached, fixed.not_reached.clone())
            } else if !r.rule.enabled {
                (Verdict::Disabled, fixed.disabled.clone())
            } else {
                match r.check(req, &mut buf, recent) {
                    Ok(()) => {
                        chosen = Some(i);
                        (Verdict::Matched, fixed.matched.clone())
                    }
                    Err(why) => (Verdict::NoMatch, why),
                }
            };
            RuleTrace {
                name: r.name.clone(),
                verdict,
                detail,
            }
        })
        .collect();
    (chosen, traces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Action, Capability, Modality};

    pub(super) fn rule(name: &str, when: Conditions) -> CompiledRule {
        CompiledRule::new(Rule {
            name: name.to_owned(),
            enabled: true,
            when,
            then: Action {
                route: Some("r".into()),
                ..Action::default()
            },
        })
    }

    /// Claude Code asks for `claude-sonnet-4-5`, which resolves to Anthropic's model; a rule
    /// written against the name it uses still catches it.
    #[test]
    fn a_model_condition_matches_the_name_another_tool_asked_for() {
        let r = rule(
            "cheaper sonnet",
            Conditions {
                model: vec!["claude-sonnet-*".into()],
                ..Default::default()
            },
        );
        let asked = RouteRequest {
            model: Some("claude-sonnet-4-5".into()),
            asked_as: Some("claude-sonnet-4-5".into()),
            ..RouteRequest::default()
        };
        assert_eq!(r.test(&asked), Ok(()));
        let resolved = RouteRequest {
            model: Some("anthropic/claude-sonnet-4.5".into()),
            asked_as: Some("claude-sonnet-4-5".into()),
            ..RouteRequest::default()
        };
        assert_eq!(
            r.test(&resolved),
            Ok(()),
            "the resolved name differs; the asked one matches"
        );
        let other = RouteRequest {
            model: Some("openai/gpt-4o".into()),
            asked_as: Some("gpt-4o".into()),
            ..RouteRequest::default()
        };
        assert!(r.test(&other).is_err());
    }

    pub(super) fn recent(n: usize) -> Vec<Recent> {
        (0..n).map(|_| Recent::default()).collect()
    }

    fn req() -> RouteRequest {
        RouteRequest {
            model: Some("anthropic/claude-sonnet-4".into()),
            task: Some("code".into()),
            prompt_tokens: 5_000,
            modalities: vec![Modality::Image],
            capabilities: vec![Capability::Tools],
            agent: Some("reviewer".into()),
            conversation: Some("c1".into()),
            client: Some("Claude-Code".into()),
            client_id: Some("0192-id".into()),
            ..RouteRequest::default()
        }
    }

    /// Each condition on its own: (conditions, matches the sample request, reason when not).
    #[test]
    fn conditions_table() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let cases: Vec<(Conditions, Result<(), &str>)> = vec![
            (Conditions::default(), Ok(())),
            (
                Conditions {
                    task: s(&["code"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    task: s(&["CODE"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    task: s(&["chat", "summary"]),
                    ..Default::default()
                },
                Err("task is \"code\", not one of \"chat\", \"summary\""),
            ),
            (
                Conditions {
                    model: s(&["anthropic/*"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    model: s(&["openai/*"]),
                    ..Default::default()
                },
                Err("model \"anthropic/claude-sonnet-4\" is not \"openai/*\""),
            ),
            (
                Conditions {
                    route: s(&["fast"]),
                    ..Default::default()
                },
                Err("no route asked for (wants \"fast\")"),
            ),
            (
                Conditions {
                    min_prompt_tokens: Some(4_000),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    min_prompt_tokens: Some(64_000),
                    ..Default::default()
                },
                Err("prompt is ~5000 tokens, under 64000"),
            ),
            (
                Conditions {
                    max_prompt_tokens: Some(1_000),
                    ..Default::default()
                },
                Err("prompt is ~5000 tokens, over 1000"),
            ),
            (
                Conditions {
                    modalities: vec![Modality::Image, Modality::File],
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    modalities: vec![Modality::Audio],
                    ..Default::default()
                },
                Err("carries no audio"),
            ),
            (
                Conditions {
                    capabilities: vec![Capability::Tools],
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    capabilities: vec![Capability::Tools, Capability::Json],
                    ..Default::default()
                },
                Err("does not need json"),
            ),
            (
                Conditions {
                    agent: s(&["reviewer"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    agent: s(&["planner"]),
                    ..Default::default()
                },
                Err("agent is not \"planner\""),
            ),
            (
                Conditions {
                    conversation: s(&["c1"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    conversation: s(&["c2"]),
                    ..Default::default()
                },
                Err("another conversation"),
            ),
            (
                Conditions {
                    client: s(&["claude-code"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    client: s(&["cursor", "claude-*"]),
                    ..Default::default()
                },
                Ok(()),
            ),
            (
                Conditions {
                    client: s(&["cursor"]),
                    ..Default::default()
                },
                Err("client is \"Claude-Code\", not \"cursor\""),
            ),
            (
                Conditions {
                    client: s(&["0192-id"]),
                    ..Default::default()
                },
                Err("client is \"Claude-Code\", not \"0192-id\""),
            ),
        ];
        for (i, (when, expected)) in cases.into_iter().enumerate() {
            let got = rule("r", when.clone()).test(&req());
            assert_eq!(got, expected.map_err(str::to_owned), "case {i}: {when:?}");
        }
    }

    #[test]
    fn first_enabled_match_wins_and_every_rule_is_traced() {
        let mut off = rule("off", Conditions::default());
        off.rule.enabled = false;
        let rules = vec![
            rule(
                "chat only",
                Conditions {
                    task: vec!["chat".into()],
                    ..Default::default()
                },
            ),
            off,
            rule(
                "code",
                Conditions {
                    task: vec!["code".into()],
                    ..Default::default()
                },
            ),
            rule("catch-all", Conditions::default()),
        ];
        let (chosen, trace) = evaluate(&rules, &mut recent(rules.len()), &req());
        assert_eq!(chosen, Some(2));
        let verdicts: Vec<Verdict> = trace.iter().map(|t| t.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::NoMatch,
                Verdict::Disabled,
                Verdict::Matched,
                Verdict::NotReached
            ]
        );
        let none = RouteRequest::default();
        let (chosen, _) = evaluate(&rules[..2], &mut recent(2), &none);
        assert_eq!(chosen, None);
    }

    #[test]
    fn a_client_rule_never_matches_the_apps_own_requests() {
        let r = rule(
            "claude code to cheap",
            Conditions {
                client: vec!["claude-code".into()],
                model: vec!["anthropic/claude-sonnet-*".into()],
                ..Default::default()
            },
        );
        let app = RouteRequest {
            client: None,
            ..req()
        };
        assert_eq!(
            r.test(&app),
            Err("not from a client key (wants \"claude-code\")".to_owned())
        );
        assert_eq!(
            r.test(&req()),
            Ok(()),
            "both conditions hold for the client"
        );
    }
}
