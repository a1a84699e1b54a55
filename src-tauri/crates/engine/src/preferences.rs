//! Use cases of the Preferences section, and the conversation Chat reopens after a restart.

use switchboard_core::Preferences;

use crate::EngineError;

handle! {
    /// Preferences, and the conversation Chat reopens after a restart.
    Settings, settings
}

impl crate::Settings<'_> {
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

    /// The conversation that was open in Chat, if it still exists.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn last_conversation(
        &self,
    ) -> Result<Option<switchboard_core::ConversationId>, EngineError> {
        self.blocking(|inner| Ok(inner.store.last_conversation()?))
            .await
    }

    /// Remembers the conversation open in Chat, so a restart reopens it.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn save_last_conversation(
        &self,
        id: Option<switchboard_core::ConversationId>,
    ) -> Result<(), EngineError> {
        if id
            .as_ref()
            .is_some_and(|id| id.as_str().is_empty() || id.as_str().len() > 128)
        {
            return Err(EngineError::invalid(
                "a conversation id is 1 to 128 characters",
            ));
        }
        self.blocking(move |inner| Ok(inner.store.set_last_conversation(id.as_ref())?))
            .await
    }
}
