//! What a column sends: its system prompt, then each turn on the displayed path with that
//! column's own displayed answer, then the new message.

use switchboard_core::{
    Attachment, BuiltinProvider, ChatRequest, ColumnSpec, Message, Part, ReasoningOptions, Role,
};
use switchboard_store::ContextTurn;

use crate::{Engine, EngineError};

/// The request for `spec` given its context (oldest first; the last turn is the one answered).
pub(super) fn build_request(spec: &ColumnSpec, turns: Vec<ContextTurn>) -> ChatRequest {
    let mut messages = Vec::new();
    if let Some(system) = spec
        .params
        .system
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        messages.push(Message::text(Role::System, system));
    }
    for turn in turns {
        let mut text = String::new();
        let mut images = Vec::new();
        for attachment in turn.attachments {
            match attachment {
                Attachment::Text { name, text: body } => {
                    text.push_str(&format!("Attached file {name}:\n```\n{body}\n```\n\n"));
                }
                Attachment::Image { data_url, .. } => images.push(Part::Image { url: data_url }),
            }
        }
        text.push_str(&turn.text);
        let mut user = Message::text(Role::User, text);
        user.parts.extend(images);
        messages.push(user);
        if !turn.answer.is_empty() {
            let mut answer = Message::text(Role::Assistant, turn.answer);
            answer.reasoning_details = turn.reasoning_details;
            messages.push(answer);
        }
    }
    let mut request = ChatRequest::new(spec.model.clone(), messages);
    request.temperature = spec.params.sampling.temperature;
    request.max_tokens = spec.params.sampling.max_tokens;
    request.reasoning = spec
        .params
        .sampling
        .reasoning_effort
        .map(|effort| ReasoningOptions {
            effort: Some(effort),
            ..ReasoningOptions::default()
        });
    // Only OpenRouter reads these; a route may still send the request on to OpenRouter.
    request.routing.provider = spec
        .params
        .openrouter
        .as_ref()
        .and_then(|prefs| prefs.overlay(None));
    request
}

/// Whether a request carries any image.
pub(super) fn has_images(request: &ChatRequest) -> bool {
    request
        .messages
        .iter()
        .any(|m| m.parts.iter().any(|p| matches!(p, Part::Image { .. })))
}

impl Engine {
    /// Refuses images for an OpenRouter model whose catalogue entry says it takes no images.
    /// Direct providers and models missing from the cached catalogue are allowed: the provider
    /// will say if it refuses.
    pub(super) async fn check_images(&self, spec: &ColumnSpec) -> Result<(), EngineError> {
        if spec.provider.builtin() != Some(BuiltinProvider::OpenRouter) {
            return Ok(());
        }
        let models = self.cached_models().await?.unwrap_or_default();
        if let Some(model) = crate::catalogue::listed(&models, &spec.model)
            && !model.input_modalities.iter().any(|m| m == "image")
        {
            return Err(EngineError::invalid(format!(
                "{} does not accept images: remove the image or choose a model that reads images",
                spec.model
            )));
        }
        Ok(())
    }
}
