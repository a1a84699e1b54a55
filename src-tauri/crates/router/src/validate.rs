//! Checking a configuration before it is used, with errors that say where and what.

use std::collections::HashSet;

use switchboard_core::BuiltinProvider;

use crate::config::{RouterConfig, Strategy};

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

/// Checks everything a file or the editor could get wrong that the types cannot express.
pub fn validate(config: &RouterConfig) -> Result<(), ConfigError> {
    let mut names = HashSet::new();
    for (i, route) in config.routes.iter().enumerate() {
        let at = Location::Route(i);
        let name = route.name.trim();
        if name.is_empty() {
            return Err(ConfigError::at(at, format!("route {} has no name", i + 1)));
        }
        if !names.insert(name) {
            return Err(ConfigError::at(
                at,
                format!("two routes are named \"{name}\""),
            ));
        }
        if route.targets.is_empty() {
            return Err(ConfigError::at(
                at,
                format!("route \"{name}\" has no targets"),
            ));
        }
        for (j, t) in route.targets.iter().enumerate() {
            if t.model.trim().is_empty() {
                return Err(ConfigError::at(
                    Location::Target(i, j),
                    format!("target {} of route \"{name}\" has no model", j + 1),
                ));
            }
            if t.max_concurrency == Some(0) {
                return Err(ConfigError::at(
                    Location::Target(i, j),
                    format!(
                        "target {} of route \"{name}\": max_concurrency must be at least 1",
                        j + 1
                    ),
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
        if route.failover.max_attempts == 0 {
            return Err(ConfigError::at(
                at,
                format!("route \"{name}\": failover.max_attempts must be at least 1"),
            ));
        }
    }
    for (i, rule) in config.rules.iter().enumerate() {
        let at = Location::Rule(i);
        let name = rule.name.trim();
        if name.is_empty() {
            return Err(ConfigError::at(at, format!("rule {} has no name", i + 1)));
        }
        let a = &rule.then;
        if a.block.is_some() && (a.route.is_some() || a.set.is_some()) {
            return Err(ConfigError::at(
                at,
                format!(
                    "rule \"{name}\" blocks, so it cannot also choose a route or set parameters"
                ),
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
        if let Some(route) = &a.route
            && !config.routes.iter().any(|r| &r.name == route)
        {
            return Err(ConfigError::at(
                at,
                format!("rule \"{name}\" uses route \"{route}\", which does not exist"),
            ));
        }
        if let (Some(min), Some(max)) = (rule.when.min_prompt_tokens, rule.when.max_prompt_tokens)
            && min > max
        {
            return Err(ConfigError::at(
                at,
                format!(
                    "rule \"{name}\": min_prompt_tokens {min} is above max_prompt_tokens {max}"
                ),
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
    }
    let mut scopes = HashSet::new();
    for (i, l) in config.limits.iter().enumerate() {
        let at = Location::Limit(i);
        if l.rpm.is_none() && l.tpm.is_none() {
            return Err(ConfigError::at(
                at,
                format!("limit for {} sets neither rpm nor tpm", l.provider),
            ));
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
    let b = &config.breaker;
    if b.consecutive_failures == 0 || b.window == 0 || b.open_ms == 0 {
        return Err(ConfigError::at(
            Location::Breaker,
            "breaker: consecutive_failures, window and open_ms must be at least 1".to_owned(),
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
