//! Private conversations, and the OpenRouter choices a column can carry (a variant, a preset,
//! provider preferences), checked before they are saved rather than refused by OpenRouter
//! after a message was typed.

use switchboard_core::{
    ChatRequest, ColumnSpec, ConversationId, ConversationView, ProviderPreferences,
};

use crate::{Engine, EngineError};

impl Engine {
    /// Whether conversation `id` is private.
    pub(super) async fn is_private(&self, id: &ConversationId) -> Result<bool, EngineError> {
        let id = id.clone();
        self.blocking(move |inner| Ok(inner.store.conversation_private(&id)?))
            .await
    }
}

impl crate::Conversations<'_> {
    /// Makes a conversation private or not. While private, every OpenRouter request it sends
    /// asks for zero data retention and no provider that collects data, over whatever its
    /// columns, routes or presets ask; direct providers (OpenAI, Anthropic, custom servers)
    /// have no such switch and are sent as before.
    #[tracing::instrument(skip_all, fields(private), err(Debug))]
    pub async fn set_private(
        &self,
        id: ConversationId,
        private: bool,
    ) -> Result<ConversationView, EngineError> {
        self.blocking(move |inner| {
            inner.store.set_conversation_private(&id, private)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }
}

/// Refuses, naming the column, an OpenRouter variant or preset OpenRouter does not have and a
/// maximum price below zero.
pub(super) fn check_openrouter(columns: &[ColumnSpec]) -> Result<(), EngineError> {
    for (i, column) in columns.iter().enumerate() {
        let checked = switchboard_core::check_model_id(&column.provider, &column.model)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let prefs = column.params.openrouter.as_ref();
                prefs.map_or(Ok(()), |p| p.check().map_err(|e| e.to_string()))
            });
        if let Err(why) = checked {
            return Err(EngineError::invalid(format!("column {}: {why}", i + 1)));
        }
    }
    Ok(())
}

/// Sets zero data retention and `data_collection: deny` over the request's own `provider`
/// preferences; the router keeps them over each target's (see `routing::send`).
pub(super) fn make_private(request: &mut ChatRequest) {
    let asked = request.routing.provider.take();
    request.routing.provider = ProviderPreferences::private().overlay(asked);
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use switchboard_core::{BuiltinProvider, MaxPrice, ModelParams, ProviderSort, Usd};

    use super::*;

    fn column(model: &str, openrouter: Option<ProviderPreferences>) -> ColumnSpec {
        ColumnSpec {
            provider: BuiltinProvider::OpenRouter.id(),
            model: model.into(),
            params: ModelParams {
                openrouter,
                ..ModelParams::default()
            },
        }
    }

    #[test]
    fn bad_variants_and_negative_prices_name_their_column() {
        assert!(check_openrouter(&[column("a/b:nitro", None), column("@preset/x", None)]).is_ok());
        let err =
            check_openrouter(&[column("a/b", None), column("a/b:free:nitro", None)]).unwrap_err();
        assert!(err.to_string().contains("column 2"), "{err}");
        let negative = ProviderPreferences {
            max_price: Some(MaxPrice {
                prompt: Some(Usd::parse("-1").unwrap()),
                completion: None,
            }),
            ..ProviderPreferences::default()
        };
        let err = check_openrouter(&[column("a/b", Some(negative))]).unwrap_err();
        assert!(err.to_string().contains("column 1"), "{err}");
    }

    #[test]
    fn privacy_is_set_over_the_columns_own_preferences() {
        let mut request = ChatRequest::new("a/b", Vec::new());
        let sorted = ProviderPreferences {
            sort: Some(ProviderSort::Price),
            ..ProviderPreferences::default()
        };
        request.routing.provider = sorted.overlay(Some(json!({"data_collection": "allow"})));
        make_private(&mut request);
        assert_eq!(
            request.routing.provider,
            Some(json!({"sort": "price", "data_collection": "deny", "zdr": true}))
        );
    }
}
