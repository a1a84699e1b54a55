//! The Preferences section.

use switchboard_core::Preferences;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::events::{ProvidersChanged, SettingsChanged};
use crate::state::AppState;

command! {
    /// The preferences in effect.
    async fn settings_get(engine) -> Preferences {
        engine.settings().preferences().await?
    }
}

command! {
    /// Validates and saves the preferences; resolves with what was saved.
    async fn settings_save(engine, app: AppHandle, preferences: Preferences) -> Preferences {
        crate::consent::require(
            &app,
            engine
                .settings()
                .consent_for_preferences(&preferences)
                .await?,
        )
        .await?;
        let saved = engine.settings().save_preferences(preferences).await?;
        // Base URL overrides live in the preferences, so the provider list changed too.
        let _ = SettingsChanged.emit(&app);
        let _ = ProvidersChanged.emit(&app);
        saved
    }
}

command! {
    /// The conversation that was open in Chat, if it still exists.
    async fn last_conversation_get(
        state: State<'_, AppState>,
    ) -> Option<switchboard_core::ConversationId> {
        let engine = state.engine()?;
        match state.startup.last_conversation().await {
            Some(id) => id,
            None => engine.settings().last_conversation().await?,
        }
    }
}

command! {
    /// Remembers the conversation open in Chat, so a restart reopens it.
    async fn last_conversation_save(engine, id: Option<switchboard_core::ConversationId>) -> () {
        engine.settings().save_last_conversation(id).await?
    }
}
