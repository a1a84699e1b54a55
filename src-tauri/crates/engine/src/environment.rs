//! The environment variables the engine reads, captured once.

use std::collections::BTreeMap;

/// Names of the variables the engine looks at; nothing else is captured. Tests clear these in
/// the processes they start so a developer's own keys never leak into a test.
pub const VARIABLES: &[&str] = &[
    "SWITCHBOARD_DATA_DIR",
    "SWITCHBOARD_KEYCHAIN_SERVICE",
    "OPENROUTER_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENROUTER_BASE_URL",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
];

/// A snapshot of the environment variables that matter to the engine.
///
/// Captured at start-up rather than read on demand: the process environment cannot be changed
/// safely once threads run, and tests need to hand the engine their own values.
#[derive(Clone, Default)]
pub struct Environment(BTreeMap<String, String>);

impl Environment {
    /// Captures the variables the engine uses from the process environment.
    pub fn from_process() -> Self {
        Self(
            VARIABLES
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|v| ((*name).to_owned(), v)))
                .collect(),
        )
    }

    /// An environment with exactly these variables (for tests and embedding).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The variable's value, if set and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

impl std::fmt::Debug for Environment {
    // Values may be API keys: print only which variables are set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}
