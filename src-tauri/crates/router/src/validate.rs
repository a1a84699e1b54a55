//! Checking a configuration before it is used, with errors that say where and what.

use std::collections::HashSet;

use switchboard_core::BuiltinProvider;

use crate::config::bounds::{
    MAX_ATTEMPTS, MAX_BREAKER_COUNT, MAX_LIMITS, MAX_LIST_ENTRIES, MAX_MESSAGE_CHARS,
    MAX_NAME_CHARS, MAX_OPEN_MS, MAX_PROBE_EVERY_S, MAX_ROUTES, MAX_RULES, MAX_TARGETS,
    MAX_WAIT_MS,
};
use crate::config::{Route, RouterConfig, Rule, Strategy};

/// Where in the configuration an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// The n-th route.
    Route(usize),
    /// Route n's m-th target.
    Target(usize, usize),
    /// The n-th rule.
    Rule(usize),
    /// The n-th rate limit.
    Limit(usize),
    /// The breaker settings.
    Breaker,
    /// The health settings.
    Health,
}

/// A configuration that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ConfigError {
    /// The file's line, when it came from a file.
    pub line: Option<usize>,
    /// Which item, when known.
    pub at: Option<Location>,
    /// What is wrong, naming the item.
    pub message: String,
}

impl ConfigError {
    fn at(at: Location, message: String) -> Self {
        Self {
            line: None,
            at: Some(at),
            message,
        }
    }
}

/// Why a name (of a route, rule, budget, provider…) or an id cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but white space.
    #[error("is empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`](crate::bounds::MAX_NAME_CHARS).
    #[error("is {0} characters long; at most {MAX_NAME_CHARS} are allowed")]
    TooLong(usize),
    /// Holds a character that is invisible or rewrites what a terminal shows.
    #[error(
        "contains the control character U+{:04X}; names may hold only visible text",
        u32::from(*.0)
    )]
    Control(char),
}

/// Whether `c` is invisible and can change how the text around it is shown: C0 and C1
/// control characters (ESC starts terminal escape sequences) and the Unicode bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder text so
/// that what is shown differs from what is stored.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks a name or id people type and read: not blank, at most
/// [`MAX_NAME_CHARS`](crate::bounds::MAX_NAME_CHARS) characters, no control characters.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.trim().is_empty() {
        return Err(NameError::Empty);
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong(chars));
    }
    match name.chars().find(|c| is_unsafe_char(*c)) {
        Some(c) => Err(NameError::Control(c)),
        None => Ok(()),
    }
}

/// Checks everything a file or the editor could get wrong that the types cannot express.
pub fn validate(config: &RouterConfig) -> Result<(), ConfigError> {
    count(config.routes.len(), MAX_ROUTES, "routes", Location::Route)?;
    count(config.rules.len(), MAX_RULES, "rules", Location::Rule)?;
    count(
        config.limits.len(),
        MAX_LIMITS,
        "rate limits",
        Location::Limit,
    )?;
    let mut names = HashSet::new();
    for (i, route) in config.routes.iter().enumerate() {
        validate_route(i, route)?;
        let name = route.name.trim();
        if !names.insert(name) {
            return Err(ConfigError::at(
                Location::Route(i),
                format!("two routes are named \"{name}\""),
            ));
        }
    }
    for (i, rule) in config.rules.iter().enumerate() {
        validate_rule(i, rule, config)?;
    }
    validate_limits(config)?;
    validate_breaker(config)?;
    let every = config.health.probe_every_s;
    if every > MAX_PROBE_EVERY_S {
        return Err(ConfigError::at(
            Location::Health,
            format!("health: probe_every_s {every} is above {MAX_PROBE_EVERY_S} (one day)"),
        ));
    }
    Ok(())
}

/// Refuses more than `max` items, pointing at the first one past it.
fn count(len: usize, max: usize, what: &str, at: fn(usize) -> Location) -> Result<(), ConfigError> {
    if len > max {
        return Err(ConfigError::at(
            at(max),
            format!("{len} {what}; a configuration holds at most {max}"),
        ));
    }
    Ok(())
}

/// `"route 3's name"`-style subject plus the name's problem.
fn named(at: Location, subject: String, name: &str) -> Result<(), ConfigError> {
    check_name(name).map_err(|e| match e {
        NameError::Empty => ConfigError::at(at, format!("{subject} has no name")),
        e => ConfigError::at(at, format!("{subject}'s name {e}")),
    })
}

fn validate_route(i: usize, route: &Route) -> Result<(), ConfigError> {
    let at = Location::Route(i);
    named(at, format!("route {}", i + 1), &route.name)?;
    let name = route.name.trim();
    if route.targets.is_empty() {
        return Err(ConfigError::at(
            at,
            format!("route \"{name}\" has no targets"),
        ));
    }
    if route.targets.len() > MAX_TARGETS {
        return Err(ConfigError::at(
            Location::Target(i, MAX_TARGETS),
            format!(
                "route \"{name}\" has {} targets; a route holds at most {MAX_TARGETS}",
                route.targets.len()
            ),
        ));
    }
    for (j, t) in route.targets.iter().enumerate() {
        let at = Location::Target(i, j);
        match check_name(&t.model) {
            Ok(()) => {}
            Err(NameError::Empty) => {
                return Err(ConfigError::at(
                    at,
                    format!("target {} of route \"{name}\" has no model", j + 1),
                ));
            }
            Err(e) => {
                return Err(ConfigError::at(
                    at,
                    format!("target {} of route \"{name}\": the model id {e}", j + 1),
                ));
            }
        }
        if t.max_concurrency == Some(0) {
            return Err(ConfigError::at(
                at,
                format!(
                    "target {} of route \"{name}\": max_concurrency must be at least 1",
                    j + 1
                ),
            ));
        }
        let openrouter = switchboard_core::check_model_id(&t.provider, &t.model)
            .map_err(|e| e.to_string())
            .and_then(|()| t.openrouter.as_ref().map_or(Ok(()), check_preferences));
        if let Err(why) = openrouter {
            return Err(ConfigError::at(
                at,
                format!("target {} of route \"{name}\": {why}", j + 1),
            ));
        }
    }
    if route.strategy == Strategy::Weighted && route.targets.iter().all(|t| t.weight == 0) {
        return Err(ConfigError::at(
            at,
            format!("route \"{name}\" is weighted but every weight is 0"),
        ));
    }
    if route.strategy == Strategy::Openrouter
        && !route
            .targets
            .iter()
            .any(|t| t.provider.builtin() == Some(BuiltinProvider::OpenRouter))
    {
        return Err(ConfigError::at(
            at,
            format!("route \"{name}\" lets OpenRouter decide but has no OpenRouter target"),
        ));
    }
    if let Some(sort) = &route.openrouter_sort
        && !["price", "throughput", "latency"].contains(&sort.as_str())
    {
        return Err(ConfigError::at(
            at,
            format!(
                "route \"{name}\": openrouter_sort must be price, throughput or latency, not \"{sort}\""
            ),
        ));
    }
    if let Some(w) = route.cost_weight
        && !(0.0..=100.0).contains(&w)
    {
        return Err(ConfigError::at(
            at,
            format!("route \"{name}\": cost_weight {w} is outside 0–100"),
        ));
    }
    validate_failover(at, name, route)
}

/// A target's OpenRouter `provider` object, where it uses the fields Switchboard edits: `sort`
/// one of OpenRouter's orders (or its `{by, partition}` form, passed on as written) and
/// `max_price` amounts that are decimals of at least zero.
fn check_preferences(prefs: &serde_json::Value) -> Result<(), String> {
    let Some(prefs) = prefs.as_object() else {
        return Err("openrouter must be a table of OpenRouter provider preferences".into());
    };
    if let Some(sort) = prefs.get("sort").and_then(serde_json::Value::as_str)
        && !["price", "throughput", "latency"].contains(&sort)
    {
        return Err(format!(
            "openrouter.sort must be price, throughput or latency, not \"{sort}\""
        ));
    }
    let prices = prefs
        .get("max_price")
        .and_then(serde_json::Value::as_object);
    for (key, amount) in prices.into_iter().flatten() {
        let text = match amount {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        match switchboard_core::Usd::parse(&text) {
            Ok(usd) if !usd.is_negative() => {}
            _ => {
                return Err(format!(
                    "openrouter.max_price.{key} must be a dollar amount of at least 0, not {amount}"
                ));
            }
        }
    }
    Ok(())
}

fn validate_failover(at: Location, name: &str, route: &Route) -> Result<(), ConfigError> {
    let f = &route.failover;
    if !(1..=MAX_ATTEMPTS).contains(&f.max_attempts) {
        return Err(ConfigError::at(
            at,
            format!(
                "route \"{name}\": failover.max_attempts {} must be from 1 to {MAX_ATTEMPTS}",
                f.max_attempts
            ),
        ));
    }
    if f.retries_per_target > MAX_ATTEMPTS {
        return Err(ConfigError::at(
            at,
            format!(
                "route \"{name}\": failover.retries_per_target {} is above {MAX_ATTEMPTS}",
                f.retries_per_target
            ),
        ));
    }
    for (key, ms) in [
        ("wait_ms", f.wait_ms),
        ("base_ms", f.base_ms),
        ("max_ms", f.max_ms),
        ("max_retry_after_ms", f.max_retry_after_ms),
    ] {
        if ms > MAX_WAIT_MS {
            return Err(ConfigError::at(
                at,
                format!(
                    "route \"{name}\": failover.{key} {ms} is above {MAX_WAIT_MS} (ten minutes)"
                ),
            ));
        }
    }
    Ok(())
}

fn validate_rule(i: usize, rule: &Rule, config: &RouterConfig) -> Result<(), ConfigError> {
    let at = Location::Rule(i);
    named(at, format!("rule {}", i + 1), &rule.name)?;
    let name = rule.name.trim();
    let w = &rule.when;
    for (key, list) in [
        ("task", &w.task),
        ("model", &w.model),
        ("route", &w.route),
        ("agent", &w.agent),
        ("conversation", &w.conversation),
        ("client", &w.client),
    ] {
        if list.len() > MAX_LIST_ENTRIES {
            return Err(ConfigError::at(
                at,
                format!(
                    "rule \"{name}\": when.{key} has {} entries; at most {MAX_LIST_ENTRIES}",
                    list.len()
                ),
            ));
        }
        for entry in list {
            check_name(entry).map_err(|e| {
                ConfigError::at(at, format!("rule \"{name}\": an entry of when.{key} {e}"))
            })?;
        }
    }
    let a = &rule.then;
    if a.block.is_some() && (a.route.is_some() || a.set.is_some()) {
        return Err(ConfigError::at(
            at,
            format!("rule \"{name}\" blocks, so it cannot also choose a route or set parameters"),
        ));
    }
    if a.block.is_none() && a.route.is_none() && a.set.is_none() {
        return Err(ConfigError::at(
            at,
            format!(
                "rule \"{name}\" does nothing: give it a route, parameters to set, or a block message"
            ),
        ));
    }
    if let Some(message) = &a.block {
        let chars = message.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return Err(ConfigError::at(
                at,
                format!(
                    "rule \"{name}\": the block message is {chars} characters long; at most {MAX_MESSAGE_CHARS}"
                ),
            ));
        }
        // Line breaks and tabs lay a message out; any other control character hides text.
        if let Some(c) = message
            .chars()
            .find(|c| is_unsafe_char(*c) && !matches!(c, '\n' | '\t'))
        {
            return Err(ConfigError::at(
                at,
                format!(
                    "rule \"{name}\": the block message contains the control character U+{:04X}",
                    u32::from(c)
                ),
            ));
        }
    }
    if let Some(route) = &a.route
        && !config.routes.iter().any(|r| &r.name == route)
    {
        // Route names were checked above, so one that matches none may hold anything: it is
        // not echoed unless it is a name that could exist.
        let shown = if check_name(route).is_ok() {
            format!("route \"{route}\"")
        } else {
            "a route".to_owned()
        };
        return Err(ConfigError::at(
            at,
            format!("rule \"{name}\" uses {shown}, which does not exist"),
        ));
    }
    if let (Some(min), Some(max)) = (w.min_prompt_tokens, w.max_prompt_tokens)
        && min > max
    {
        return Err(ConfigError::at(
            at,
            format!("rule \"{name}\": min_prompt_tokens {min} is above max_prompt_tokens {max}"),
        ));
    }
    if let Some(t) = a.set.as_ref().and_then(|s| s.temperature)
        && !(0.0..=2.0).contains(&t)
    {
        return Err(ConfigError::at(
            at,
            format!("rule \"{name}\": temperature {t} is outside 0–2"),
        ));
    }
    Ok(())
}

fn validate_limits(config: &RouterConfig) -> Result<(), ConfigError> {
    let mut scopes = HashSet::new();
    for (i, l) in config.limits.iter().enumerate() {
        let at = Location::Limit(i);
        if let Some(key) = &l.key {
            check_name(key).map_err(|e| {
                ConfigError::at(at, format!("limit for {}: the key label {e}", l.provider))
            })?;
        }
        if l.rpm.is_none() && l.tpm.is_none() {
            return Err(ConfigError::at(
                at,
                format!("limit for {} sets neither rpm nor tpm", l.provider),
            ));
        }
        // Zero per minute can never be met: every request would wait and then fail.
        for (key, value) in [("rpm", l.rpm), ("tpm", l.tpm)] {
            if value == Some(0) {
                return Err(ConfigError::at(
                    at,
                    format!(
                        "limit for {}: {key} = 0 would refuse every request; use at least 1, \
                         or leave {key} out for no limit",
                        l.provider
                    ),
                ));
            }
        }
        if !scopes.insert((&l.provider, &l.key)) {
            return Err(ConfigError::at(
                at,
                format!(
                    "two limits for {} {}",
                    l.provider,
                    l.key.as_deref().unwrap_or("(all keys)")
                ),
            ));
        }
    }
    Ok(())
}

fn validate_breaker(config: &RouterConfig) -> Result<(), ConfigError> {
    let b = &config.breaker;
    if b.consecutive_failures == 0 || b.window == 0 || b.open_ms == 0 {
        return Err(ConfigError::at(
            Location::Breaker,
            "breaker: consecutive_failures, window and open_ms must be at least 1".to_owned(),
        ));
    }
    if b.consecutive_failures > MAX_BREAKER_COUNT || b.window > MAX_BREAKER_COUNT {
        return Err(ConfigError::at(
            Location::Breaker,
            format!("breaker: consecutive_failures and window must be at most {MAX_BREAKER_COUNT}"),
        ));
    }
    if b.open_ms > MAX_OPEN_MS || b.max_open_ms > MAX_OPEN_MS {
        return Err(ConfigError::at(
            Location::Breaker,
            format!("breaker: open_ms and max_open_ms must be at most {MAX_OPEN_MS} (one hour)"),
        ));
    }
    if !(b.failure_rate > 0.0 && b.failure_rate <= 1.0) {
        return Err(ConfigError::at(
            Location::Breaker,
            format!(
                "breaker: failure_rate {} must be above 0 and at most 1",
                b.failure_rate
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Target;

    fn with_target(model: &str, openrouter: Option<serde_json::Value>) -> RouterConfig {
        let target = Target {
            provider: BuiltinProvider::OpenRouter.id(),
            model: model.into(),
            weight: 1,
            max_concurrency: None,
            openrouter,
        };
        RouterConfig {
            routes: vec![Route {
                name: "r".into(),
                strategy: Strategy::Priority,
                openrouter_sort: None,
                cost_weight: None,
                targets: vec![target],
                failover: crate::config::Failover::default(),
            }],
            ..RouterConfig::default()
        }
    }

    #[test]
    fn openrouter_targets_take_known_variants_presets_and_sane_preferences() {
        for model in [
            "a/b:nitro",
            "a/b:free",
            "@preset/team-default",
            "a/b:thinking",
        ] {
            assert_eq!(validate(&with_target(model, None)), Ok(()), "{model}");
        }
        let prefs = json!({"sort": "latency", "max_price": {"prompt": "1.5", "completion": 3}});
        assert_eq!(validate(&with_target("a/b", Some(prefs))), Ok(()));
        let partitioned = json!({"sort": {"by": "price", "partition": "none"}});
        assert_eq!(validate(&with_target("a/b", Some(partitioned))), Ok(()));

        let err = validate(&with_target("a/b:free:nitro", None)).unwrap_err();
        assert_eq!(err.at, Some(Location::Target(0, 0)));
        assert!(
            err.message.contains("more than one suffix"),
            "{}",
            err.message
        );
        let err = validate(&with_target("a/b", Some(json!({"sort": "cheapest"})))).unwrap_err();
        assert!(err.message.contains("openrouter.sort"), "{}", err.message);
        let negative = json!({"max_price": {"prompt": "-1"}});
        let err = validate(&with_target("a/b", Some(negative))).unwrap_err();
        assert!(err.message.contains("max_price.prompt"), "{}", err.message);
    }
}
