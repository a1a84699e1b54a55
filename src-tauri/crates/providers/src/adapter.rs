//! Which adapter speaks to an endpoint: the one place a provider kind becomes a wire format.

use switchboard_core::{ChatProvider, ProviderKind};

use crate::Endpoint;
use crate::anthropic::Anthropic;
use crate::openai_compat::OpenAiCompat;

/// The chat adapter for `endpoint`'s kind, sending over `http`: Anthropic's Messages API for
/// Anthropic, the OpenAI-compatible wire format for OpenRouter, OpenAI and custom servers.
pub fn chat_provider(http: reqwest::Client, endpoint: Endpoint) -> Box<dyn ChatProvider> {
    match endpoint.kind {
        ProviderKind::Anthropic => Box::new(Anthropic::new(http, endpoint)),
        ProviderKind::OpenRouter | ProviderKind::OpenAi | ProviderKind::Custom => {
            Box::new(OpenAiCompat::new(http, endpoint))
        }
    }
}
