//! The Keys section: providers, their keys and custom providers.
//!
//! Keys arrive here from the webview once, when the user saves them, and go straight to the
//! keychain; nothing sends a key back. Commands skip all arguments in traces for that reason.

use serde::Deserialize;
use switchboard_core::{KeyCheck, ProviderId, ProvidersOverview};
use switchboard_engine::NewCustomProvider;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::events::ProvidersChanged;
use crate::state::AppState;

command! {
    /// Every provider with its base URL and masked key, and whether the keychain answers.
    async fn providers_overview(state: State<'_, AppState>) -> ProvidersOverview {
        let engine = state.engine()?;
        match state.startup.overview().await {
            Some(overview) => overview,
            None => engine.keys().overview().await?,
        }
    }
}

command! {
    /// Saves (or replaces) a provider's key in the OS keychain.
    async fn key_save(
        engine,
        app: AppHandle,
        provider: ProviderId,
        key: String,
    ) -> ProvidersOverview {
        let overview = engine.keys().set(provider, key).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Deletes a provider's key from the OS keychain.
    async fn key_remove(engine, app: AppHandle, provider: ProviderId) -> ProvidersOverview {
        let overview = engine.keys().remove(provider).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Adds a further key, used in turn with the main one. The key goes to the OS keychain.
    async fn key_extra_add(
        engine,
        app: AppHandle,
        provider: ProviderId,
        label: String,
        key: String,
    ) -> ProvidersOverview {
        let overview = engine.keys().add_extra(provider, label, key).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Removes a further key from the keychain.
    async fn key_extra_remove(
        engine,
        app: AppHandle,
        provider: ProviderId,
        label: String,
    ) -> ProvidersOverview {
        let overview = engine.keys().remove_extra(provider, label).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Uses a key the provider refused again (`default` is the main key).
    async fn key_enable(
        engine,
        app: AppHandle,
        provider: ProviderId,
        label: String,
    ) -> ProvidersOverview {
        let overview = engine.keys().enable(provider, label).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Tests the key in effect with a call that costs nothing.
    async fn key_test(engine, provider: ProviderId) -> KeyCheck {
        engine.keys().test(provider).await?
    }
}

/// A new OpenAI-compatible server.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomProviderInput {
    name: String,
    base_url: String,
    api_key: Option<String>,
}

command! {
    /// Adds a custom provider (and its key, if given).
    async fn custom_provider_add(
        engine,
        app: AppHandle,
        input: CustomProviderInput,
    ) -> ProvidersOverview {
        let new = NewCustomProvider {
            name: input.name,
            base_url: input.base_url,
            api_key: input.api_key,
        };
        let overview = engine.keys().add_custom_provider(new).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

/// A custom provider's new name and URL.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomProviderUpdate {
    id: ProviderId,
    name: String,
    base_url: String,
}

command! {
    /// Renames or re-points a custom provider.
    async fn custom_provider_update(
        engine,
        app: AppHandle,
        update: CustomProviderUpdate,
    ) -> ProvidersOverview {
        let consent = engine
            .keys()
            .consent_for_custom_url(update.id.clone(), update.base_url.clone())
            .await?;
        crate::consent::require(&app, consent).await?;
        let overview = engine
            .keys()
            .update_custom_provider(update.id, update.name, update.base_url)
            .await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}

command! {
    /// Removes a custom provider and its key.
    async fn custom_provider_remove(
        engine,
        app: AppHandle,
        provider: ProviderId,
    ) -> ProvidersOverview {
        let overview = engine.keys().remove_custom_provider(provider).await?;
        let _ = ProvidersChanged.emit(&app);
        overview
    }
}
