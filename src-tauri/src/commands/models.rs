//! The Models screen: the catalogue and one model's detail; custom providers' model lists and
//! the prices the user gives their models.

use switchboard_core::{BrowserCatalogue, ModelDetail, ProviderId, ServedModels, Usd, UserPrice};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::ProvidersChanged;

command! {
    /// Every reachable model with its prices; `refresh` refetches OpenRouter's catalogue and the
    /// custom providers' model lists.
    async fn models_browse(engine, refresh: bool) -> BrowserCatalogue {
        engine.models().browse(refresh).await?
    }
}

command! {
    /// One model's facts and, on OpenRouter, the providers serving it.
    async fn model_detail(engine, provider: ProviderId, id: String) -> ModelDetail {
        engine.models().detail(provider, id).await?
    }
}

command! {
    /// A custom provider's models (its `GET /models`, cached); `refresh` asks the server again.
    /// A failed refresh keeps the cached list and says why.
    async fn served_models(
        engine,
        app: AppHandle,
        provider: ProviderId,
        refresh: bool,
    ) -> ServedModels {
        let served = engine.models().served_models(provider, refresh).await?;
        if refresh {
            // The pickers and the Models screen list these models.
            let _ = ProvidersChanged.emit(&app);
        }
        served
    }
}

command! {
    /// Every price the user gave custom providers' models.
    async fn model_prices(engine) -> Vec<UserPrice> {
        engine.models().prices().await?
    }
}

command! {
    /// Sets a custom provider's price for `model` (USD per million tokens); no model sets the
    /// provider's default. Returns every price.
    async fn model_price_set(
        engine,
        app: AppHandle,
        provider: ProviderId,
        model: Option<String>,
        prompt_per_million: Usd,
        completion_per_million: Usd,
    ) -> Vec<UserPrice> {
        let prices = engine
            .models()
            .set_price(provider, model, prompt_per_million, completion_per_million)
            .await?;
        let _ = ProvidersChanged.emit(&app);
        prices
    }
}

command! {
    /// Removes a custom provider's price for `model` (no model: its default). Returns every price.
    async fn model_price_remove(
        engine,
        app: AppHandle,
        provider: ProviderId,
        model: Option<String>,
    ) -> Vec<UserPrice> {
        let prices = engine.models().remove_price(provider, model).await?;
        let _ = ProvidersChanged.emit(&app);
        prices
    }
}
