//! The router configuration as a TOML file a person can read, edit and share; import names
//! the line of anything wrong.

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use crate::config::RouterConfig;
use crate::config::bounds::MAX_FILE_BYTES;
use crate::validate::{ConfigError, Location, validate};

const HEADER: &str = "\
# Switchboard routing: routes (targets + strategy + failover), rules (first match wins),
# circuit breaker, rate limits. Import with `switchboard route import <file>` or in Routing.
# Rule conditions: task, model, route, min_prompt_tokens, max_prompt_tokens, modalities,
# capabilities, agent, conversation, client (the local API's client key names; `*` globs).
# Strategies: priority, round_robin, weighted, least_busy, lowest_cost, lowest_latency,
# performance, openrouter. Failover modes: immediate, delayed, gradual.

";

/// The configuration as a TOML document.
pub fn to_toml(config: &RouterConfig) -> Result<String, ConfigError> {
    let body = toml::to_string_pretty(config).map_err(|e| ConfigError {
        line: None,
        at: None,
        message: format!("could not write the configuration as TOML: {e}"),
    })?;
    Ok(format!("{HEADER}{body}"))
}

/// Whether a document holds nothing but blank lines and comments. It reads as the empty
/// configuration, so importing it would delete every route, rule and limit: front ends ask
/// before they do that.
pub fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim_start_matches('\u{feff}').trim();
        line.is_empty() || line.starts_with('#')
    })
}

/// Reads and checks a TOML document; errors name the line.
pub fn from_toml(text: &str) -> Result<RouterConfig, ConfigError> {
    if text.len() > MAX_FILE_BYTES {
        // Checked before parsing: a 50 MB file took 2 GB of memory to read.
        return Err(ConfigError {
            line: None,
            at: None,
            message: format!(
                "the file is {} bytes; a routing file is at most {MAX_FILE_BYTES} bytes (1 MiB)",
                text.len()
            ),
        });
    }
    let config: RouterConfig = toml::from_str(text).map_err(|e| ConfigError {
        line: e.span().map(|s| line_of(text, s.start)),
        at: None,
        message: e.message().trim().to_owned(),
    })?;
    validate(&config).map_err(|mut err| {
        err.line = err.at.and_then(|at| locate(text, at));
        err
    })?;
    Ok(config)
}

#[derive(Deserialize)]
struct Spans {
    #[serde(default)]
    routes: Vec<Spanned<RouteSpans>>,
    #[serde(default)]
    rules: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    limits: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    breaker: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    health: Option<Spanned<IgnoredAny>>,
}

#[derive(Deserialize)]
struct RouteSpans {
    #[serde(default)]
    targets: Vec<Spanned<IgnoredAny>>,
}

/// The line an item starts on, found by reading the document again with spans.
fn locate(text: &str, at: Location) -> Option<usize> {
    let spans: Spans = toml::from_str(text).ok()?;
    let start = match at {
        Location::Route(i) => spans.routes.get(i)?.span().start,
        Location::Target(i, j) => spans.routes.get(i)?.get_ref().targets.get(j)?.span().start,
        Location::Rule(i) => spans.rules.get(i)?.span().start,
        Location::Limit(i) => spans.limits.get(i)?.span().start,
        Location::Breaker => spans.breaker?.span().start,
        Location::Health => spans.health?.span().start,
    };
    Some(line_of(text, start))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FailoverMode, Strategy};
    use switchboard_core::ReasoningEffort;

    const SAMPLE: &str = r#"
[[routes]]
name = "code"
strategy = "lowest_cost"

[[routes.targets]]
provider = "openrouter"
model = "deepseek/deepseek-chat"

[[routes.targets]]
provider = "anthropic"
model = "claude-sonnet-4"

[routes.failover]
mode = "gradual"

[[rules]]
name = "code questions"
when = { task = ["code"], capabilities = ["tools"], min_prompt_tokens = 0 }
then = { route = "code" }

[[rules]]
name = "no audio"
when = { modalities = ["audio"] }
then = { block = "Audio is not sent to any provider." }

[[rules]]
name = "claude code to cheap"
when = { client = ["claude-code"], model = ["anthropic/claude-sonnet-*"] }
then = { route = "code" }

[[limits]]
provider = "openrouter"
rpm = 60
"#;

    #[test]
    fn reads_a_hand_written_file_and_writes_it_back_the_same() {
        let config = from_toml(SAMPLE).unwrap();
        assert_eq!(config.routes[0].strategy, Strategy::LowestCost);
        assert_eq!(config.routes[0].failover.mode, FailoverMode::Gradual);
        assert_eq!(
            config.routes[0].failover.max_attempts, 4,
            "defaults fill the rest"
        );
        assert_eq!(
            config.rules[1].then.block.as_deref(),
            Some("Audio is not sent to any provider.")
        );
        assert_eq!(config.rules[2].when.client, ["claude-code"]);
        let written = to_toml(&config).unwrap();
        assert_eq!(from_toml(&written).unwrap(), config);
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let bad = SAMPLE.replace("strategy = \"lowest_cost\"", "strategy = lowest_cost");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.to_string().starts_with("line 4: "), "{err}");
    }

    #[test]
    fn an_unknown_strategy_or_key_names_its_line() {
        let bad = SAMPLE.replace("\"lowest_cost\"", "\"cheapest\"");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.message.contains("cheapest"), "{err}");
        let bad = SAMPLE.replace("rpm = 60", "rpm = 60\nburst = 3");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(35), "{err}");
    }

    #[test]
    fn a_semantic_error_names_the_items_line() {
        let bad = SAMPLE.replace("then = { route = \"code\" }", "then = { route = \"cod\" }");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(17), "{err}");
        assert!(
            err.message.contains("route \"cod\", which does not exist"),
            "{err}"
        );

        let bad = SAMPLE.replace("model = \"claude-sonnet-4\"", "model = \"\"");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(10), "{err}");
        assert!(
            err.message
                .contains("target 2 of route \"code\" has no model"),
            "{err}"
        );
    }

    #[test]
    fn a_rule_sets_sampling_params_by_their_snake_case_names_and_a_typo_is_refused() {
        let set = "then = { route = \"code\", set = { temperature = 0.2, max_tokens = 300, reasoning_effort = \"low\" } }";
        let good = SAMPLE.replacen("then = { route = \"code\" }", set, 1);
        let config = from_toml(&good).unwrap();
        let params = config.rules[0].then.set.clone().unwrap();
        assert_eq!(params.temperature, Some(0.2));
        assert_eq!(params.max_tokens, Some(300));
        assert_eq!(params.reasoning_effort, Some(ReasoningEffort::Low));

        let typo = good.replace("max_tokens = 300", "max_token = 300");
        let err = from_toml(&typo).unwrap_err();
        assert_eq!(err.line, Some(20), "{err}");
        assert!(err.message.contains("max_token"), "{err}");
    }

    #[test]
    fn a_bad_provider_id_is_refused() {
        let bad = SAMPLE.replace("provider = \"anthropic\"", "provider = \"antropic\"");
        let err = from_toml(&bad).unwrap_err();
        assert_eq!(err.line, Some(11), "{err}");
    }
}
