//! Use cases of the Preferences section.

use switchboard_core::Preferences;

use crate::{Engine, EngineError};

impl Engine {
    /// The preferences in effect (defaults where none were saved).
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn preferences(&self) -> Result<Preferences, EngineError> {
        self.blocking(|inner| Ok(inner.store.preferences()?.preferences))
            .await
    }

    /// Validates and saves the preferences; returns what was saved.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn save_preferences(&self, prefs: Preferences) -> Result<Preferences, EngineError> {
        let prefs = prefs
            .normalized()
            .map_err(|e| EngineError::invalid(e.to_string()))?;
        self.blocking(move |inner| {
            inner.store.save_preferences(&prefs)?;
            Ok(prefs)
        })
        .await
    }
}
